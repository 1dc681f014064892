// Independent checks on packet bytes: RFC 1071 checksums computed the slow, obvious way (so a
// test never validates the incremental checksum code under test with itself), a minimal header
// parser, and readable dumps and diffs for test failure messages.
//
// Typical use in a test:
//   EXPECT_TRUE(out == want) << describePacketDiff(want, out);
//   EXPECT_TRUE(verifyL4Checksum(out)) << hexdump(out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ferry::testing {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

// Whether a buffer starts with an Ethernet header or directly with the IP header (an ICMP
// error's embedded packet, a tun device, a BPF test run on an L3 device).
enum class FrameStart { kEthernet, kIp };

// The RFC 1071 Internet checksum of data: the one's complement of the one's complement sum of
// its 16-bit big-endian words (an odd trailing byte is padded with zero). Storing the result
// big-endian in the checksum field (zeroed while summing) makes the sum verify.
// initial_sum carries a pseudo-header sum (unfolded, as from onesComplementSum).
uint16_t internetChecksum(ByteView data, uint32_t initial_sum = 0);

// The unfolded one's complement sum of data's 16-bit big-endian words, added to sum.
uint32_t onesComplementSum(ByteView data, uint32_t sum = 0);

// Where the headers of a packet are. Offsets are from the start of the buffer.
struct PacketLayout {
  std::size_t l3 = 0;             // the IP header
  int ip_version = 0;             // 4 or 6
  std::size_t l3_header_len = 0;  // IHL * 4 for IPv4; 40 for IPv6 (no extension headers)
  std::size_t l3_end = 0;         // end of the datagram per its length field, clamped to buffer
  uint8_t l4_proto = 0;           // IPv4 protocol / IPv6 next header
  bool fragment = false;          // IPv4 MF set or non-zero fragment offset
  bool first_fragment = true;     // fragment offset zero: the L4 header is present
  std::size_t l4 = 0;             // the transport header (l3 + l3_header_len)
  std::size_t l4_header_len = 0;  // TCP data offset * 4, 8 for UDP and ICMP, 0 if unknown
  std::size_t payload = 0;        // the transport payload (l4 + l4_header_len)
};

// Parses Ethernet (no VLAN tags) + IPv4/IPv6 + TCP/UDP/ICMP/ICMPv6 headers. Returns nullopt if the
// buffer is not IP or the IP header is cut short. Transport fields that are cut short leave
// l4_header_len at 0.
std::optional<PacketLayout> parsePacket(ByteView packet, FrameStart start = FrameStart::kEthernet);

// True if the packet is IPv4 and its header checksum (over IHL * 4 bytes) verifies.
bool verifyIpv4HeaderChecksum(ByteView packet, FrameStart start = FrameStart::kEthernet);

// The correct value for the TCP/UDP/ICMP/ICMPv6 checksum field of this packet, computed over the
// pseudo-header (not for ICMPv4) and the L4 bytes up to the IP length. nullopt if the packet is
// not one of those, is a fragment, or is shorter than its IP length says.
std::optional<uint16_t> computeL4Checksum(ByteView packet,
                                          FrameStart start = FrameStart::kEthernet);

// True if the L4 checksum field holds computeL4Checksum()'s value. A zero UDP checksum over IPv4
// means "not computed" (RFC 768) and counts as valid; over IPv6 it is invalid (RFC 8200 §8.1).
bool verifyL4Checksum(ByteView packet, FrameStart start = FrameStart::kEthernet);

// Classic 16-bytes-per-line hex and ASCII dump.
std::string hexdump(ByteView packet);

// Empty if a and b are equal. Otherwise: the lengths, each run of differing bytes with its offset
// and the header field it falls in (parsed from `expected`, e.g. "ipv4.checksum", "tcp.seq",
// "icmp.inner.ipv4.src"), and both packets side by side with the differing bytes marked.
std::string describePacketDiff(ByteView expected, ByteView actual,
                               FrameStart start = FrameStart::kEthernet);

// The name of the header field that byte `offset` of `packet` belongs to ("eth.dst", "udp.len",
// "tcp.payload", ...), or "" if it is beyond anything parsed.
std::string fieldAt(ByteView packet, std::size_t offset, FrameStart start = FrameStart::kEthernet);

}  // namespace ferry::testing
