// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of iSCSI (RFC 3720
// B.4), ext4 metadata and LevelDB/RocksDB logs: better error detection than CRC32 for the
// short records a WAL holds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry::controlplane::store {

// crc32cExtend(crc32c(a), b) == crc32c(a + b); crc32cExtend(0, x) == crc32c(x).
uint32_t crc32cExtend(uint32_t crc, const void* data, size_t size);
inline uint32_t crc32c(std::string_view data) {
  return crc32cExtend(0, data.data(), data.size());
}

}  // namespace ferry::controlplane::store
