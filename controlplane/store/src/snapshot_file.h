// Snapshot files "snap-<revision:016x>.snap": the MVCC index at one revision, history since
// the compaction point included, so a restart keeps watches resumable.
//
//   "FERRYSNP" | u32 format (1) | u64 revision | u64 compacted | u64 key count |
//   per key: u32 version count | per version: key, value (u32 length + bytes each),
//            u64 create_revision | u64 mod_revision | u64 version |
//   u32 CRC32C of every byte before it
//
// Written to "<name>.tmp", fsynced, renamed over the final name and the directory fsynced:
// a crash leaves either the old set of snapshots or the new one, never a half file under a
// final name.
#pragma once

#include <filesystem>
#include <vector>

#include "ferry/store/status.h"
#include "mvcc_index.h"

namespace ferry::controlplane::store::snapshot {

struct SnapshotFile {
  Revision revision = 0;
  std::filesystem::path path;
};

// Newest first. Temp files are not listed.
Result<std::vector<SnapshotFile>> list(const std::filesystem::path& dir);
Status write(const std::filesystem::path& dir, const IndexImage& image);
// kUnavailable when the file is truncated, fails its CRC or is not a snapshot.
Result<IndexImage> read(const std::filesystem::path& path);
// Removes "*.tmp" files a crash left behind.
Status removeTemporaries(const std::filesystem::path& dir);

}  // namespace ferry::controlplane::store::snapshot
