// A fluent builder for packet fixtures. It computes lengths and full RFC 1071 checksums itself
// (see packet_checks.h), so fixtures do not depend on the incremental checksum code under test,
// and lets a test override any length or checksum with a wrong value to build malformed input.
//
//   Bytes syn = PacketBuilder()
//                   .ipv4("10.0.0.1", "10.96.0.10").ttl(64)
//                   .tcp(40000, 80).seq(1000).tcpFlags(kTcpSyn)
//                   .build();
//   Bytes bad = PacketBuilder().ipv6("fd00::1", "fd00::2").udp(1, 53).payload("x")
//                   .l4Checksum(0x1234).build();
//
// Setters may be called in any order; build() validates the combination and throws
// std::invalid_argument with a clear message on a mistake (say, seq() without tcp()).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/testing/packet_checks.h"

namespace ferry::testing {

inline constexpr uint8_t kTcpFin = 0x01;
inline constexpr uint8_t kTcpSyn = 0x02;
inline constexpr uint8_t kTcpRst = 0x04;
inline constexpr uint8_t kTcpPsh = 0x08;
inline constexpr uint8_t kTcpAck = 0x10;
inline constexpr uint8_t kTcpUrg = 0x20;
inline constexpr uint8_t kTcpEce = 0x40;
inline constexpr uint8_t kTcpCwr = 0x80;

inline constexpr uint8_t kIcmpUnreachNet = 0;
inline constexpr uint8_t kIcmpUnreachHost = 1;
inline constexpr uint8_t kIcmpUnreachProtocol = 2;
inline constexpr uint8_t kIcmpUnreachPort = 3;
inline constexpr uint8_t kIcmpUnreachNeedFrag = 4;
inline constexpr uint8_t kIcmp6UnreachNoRoute = 0;
inline constexpr uint8_t kIcmp6UnreachAdmin = 1;
inline constexpr uint8_t kIcmp6UnreachAddress = 3;
inline constexpr uint8_t kIcmp6UnreachPort = 4;

// "02:00:00:00:00:01" -> 6 bytes. Throws std::invalid_argument on anything else.
std::array<uint8_t, 6> parseMac(std::string_view mac);
// "10.0.0.1" -> 4 bytes, "fd00::1" -> 16 bytes (inet_pton). Throws std::invalid_argument.
Bytes parseIp(std::string_view address);

class PacketBuilder {
 public:
  PacketBuilder() = default;

  // --- Ethernet (always present in build(); the EtherType follows the IP version) ---
  PacketBuilder& ethSrc(std::string_view mac);  // default 02:00:00:00:00:01
  PacketBuilder& ethDst(std::string_view mac);  // default 02:00:00:00:00:02
  PacketBuilder& ethType(uint16_t type);        // override; required if there is no IP header

  // --- IP ---
  PacketBuilder& ipv4(std::string_view src, std::string_view dst);
  PacketBuilder& ipv6(std::string_view src, std::string_view dst);
  PacketBuilder& ttl(uint8_t ttl);  // IPv6: hop limit. Default 64.
  PacketBuilder& hopLimit(uint8_t hops) { return ttl(hops); }
  PacketBuilder& tos(uint8_t tos);               // IPv6: traffic class
  PacketBuilder& ipId(uint16_t id);              // IPv4 only
  PacketBuilder& dontFragment(bool on = true);   // IPv4 only
  PacketBuilder& moreFragments(bool on = true);  // IPv4 only
  // IPv4 only; in bytes, a multiple of 8. A non-first fragment normally has no L4 header: use
  // payload() + ipProtocol() instead of tcp()/udp(). See also fragmentIpv4().
  PacketBuilder& fragmentOffset(uint16_t bytes);
  // IPv4 only; padded with zero (End of Option List) to a multiple of 4, at most 40 bytes. The
  // IHL grows to match.
  PacketBuilder& ipv4Options(std::span<const uint8_t> options);
  PacketBuilder& flowLabel(uint32_t label);  // IPv6 only, 20 bits

  // --- Transport (at most one) ---
  PacketBuilder& tcp(uint16_t sport, uint16_t dport);
  PacketBuilder& seq(uint32_t seq);
  PacketBuilder& ack(uint32_t ack);        // the number; set kTcpAck in tcpFlags() as well
  PacketBuilder& tcpFlags(uint8_t flags);  // kTcp* bits. Default: kTcpAck.
  PacketBuilder& window(uint16_t window);  // default 65535
  PacketBuilder& tcpOptions(std::span<const uint8_t> options);  // padded with zero (EOL) to 4n

  PacketBuilder& udp(uint16_t sport, uint16_t dport);
  // Send 0 ("no checksum", RFC 768). IPv4 only; for an invalid IPv6 fixture use l4Checksum(0).
  PacketBuilder& udpZeroChecksum();

  // ICMPv4 or ICMPv6 according to the IP version (types 8/0 or 128/129).
  PacketBuilder& icmpEchoRequest(uint16_t id, uint16_t seq);
  PacketBuilder& icmpEchoReply(uint16_t id, uint16_t seq);
  // ICMPv4 type 3 / ICMPv6 type 1 quoting `inner`, an IP packet without Ethernet (see
  // buildL3()): kIcmpUnreach* / kIcmp6Unreach* codes.
  PacketBuilder& icmpDestUnreachable(uint8_t code, std::span<const uint8_t> inner);
  // ICMPv4 type 3 code 4 (fragmentation needed, next-hop MTU) / ICMPv6 type 2 (packet too big).
  PacketBuilder& icmpPacketTooBig(uint32_t mtu, std::span<const uint8_t> inner);
  // Any other ICMP message: type, code, the 4 bytes after the checksum, then payload().
  PacketBuilder& icmp(uint8_t type, uint8_t code, uint32_t rest_of_header);

  // The transport payload (or the IP payload when there is no transport header). Appends.
  PacketBuilder& payload(std::span<const uint8_t> bytes);
  PacketBuilder& payload(std::string_view text);

  // --- Deliberately wrong values, for malformed-packet fixtures ---
  PacketBuilder& ipHeaderLength(uint8_t ihl_words);  // IPv4 IHL field (bytes emitted unchanged)
  PacketBuilder& ipTotalLength(uint16_t length);     // IPv4 total length / IPv6 payload length
  PacketBuilder& ipProtocol(uint8_t protocol);       // IPv4 protocol / IPv6 next header
  PacketBuilder& ipVersion(uint8_t version);         // the version nibble
  PacketBuilder& ipChecksum(uint16_t checksum);      // IPv4 header checksum
  PacketBuilder& l4Checksum(uint16_t checksum);      // TCP / UDP / ICMP checksum field
  PacketBuilder& udpLength(uint16_t length);
  PacketBuilder& tcpDataOffset(uint8_t words);  // checksum covers the bytes emitted
  // Cut the finished frame to n bytes (after lengths and checksums were computed).
  PacketBuilder& truncate(std::size_t n);

  // The Ethernet frame.
  Bytes build() const;
  // The same packet from the IP header on (for ICMP error quotes, tun devices, L3 test runs).
  // truncate() then counts from the IP header.
  Bytes buildL3() const;

 private:
  enum class L3 { kNone, kIpv4, kIpv6 };
  enum class L4 { kNone, kTcp, kUdp, kIcmp };

  Bytes buildFrom(bool with_ethernet) const;
  Bytes buildL4(std::span<const uint8_t> src, std::span<const uint8_t> dst, uint8_t proto) const;
  uint8_t defaultProtocol() const;

  // Ethernet
  std::array<uint8_t, 6> eth_src_{0x02, 0, 0, 0, 0, 0x01};
  std::array<uint8_t, 6> eth_dst_{0x02, 0, 0, 0, 0, 0x02};
  std::optional<uint16_t> eth_type_;

  // IP
  L3 l3_ = L3::kNone;
  Bytes src_;
  Bytes dst_;
  uint8_t ttl_ = 64;
  uint8_t tos_ = 0;
  std::optional<uint16_t> ip_id_;
  bool df_ = false;
  bool mf_ = false;
  uint16_t frag_offset_ = 0;  // bytes
  Bytes ipv4_options_;
  std::optional<uint32_t> flow_label_;

  // Transport
  L4 l4_ = L4::kNone;
  uint16_t sport_ = 0;
  uint16_t dport_ = 0;
  std::optional<uint32_t> seq_;
  std::optional<uint32_t> ack_;
  std::optional<uint8_t> tcp_flags_;
  std::optional<uint16_t> window_;
  Bytes tcp_options_;
  bool udp_zero_checksum_ = false;
  // ICMP: which message, generic over the family and resolved in build().
  enum class IcmpKind { kEchoRequest, kEchoReply, kUnreachable, kTooBig, kRaw };
  IcmpKind icmp_kind_ = IcmpKind::kRaw;
  uint8_t icmp_type_ = 0;
  uint8_t icmp_code_ = 0;
  uint32_t icmp_rest_ = 0;
  Bytes icmp_inner_;

  Bytes payload_;

  // Overrides
  std::optional<uint8_t> ihl_;
  std::optional<uint16_t> ip_total_length_;
  std::optional<uint8_t> ip_protocol_;
  std::optional<uint8_t> ip_version_;
  std::optional<uint16_t> ip_checksum_;
  std::optional<uint16_t> l4_checksum_;
  std::optional<uint16_t> udp_length_;
  std::optional<uint8_t> tcp_data_offset_;
  std::optional<std::size_t> truncate_;
};

// Splits a complete IPv4 frame (as build() makes) into fragments whose IP payload is at most
// max_payload bytes (rounded down to a multiple of 8), each with a correct header checksum and
// the original options copied into every fragment (a test fixture, not RFC 791's copy-flag
// rules). Throws if the packet has DF set or is not IPv4.
std::vector<Bytes> fragmentIpv4(std::span<const uint8_t> frame, std::size_t max_payload);

}  // namespace ferry::testing
