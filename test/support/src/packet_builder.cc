#include "ferry/testing/packet_builder.h"

#include <arpa/inet.h>

#include <algorithm>
#include <stdexcept>

namespace ferry::testing {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::size_t kEthHeaderLen = 14;
constexpr std::size_t kIpv4HeaderLen = 20;
constexpr std::size_t kIpv6HeaderLen = 40;
constexpr std::size_t kMaxIpv4Options = 40;
constexpr std::size_t kMaxTcpOptions = 40;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmpv6 = 58;

void put16(Bytes& b, std::size_t off, uint16_t v) {
  b[off] = static_cast<uint8_t>(v >> 8);
  b[off + 1] = static_cast<uint8_t>(v);
}

void put32(Bytes& b, std::size_t off, uint32_t v) {
  b[off] = static_cast<uint8_t>(v >> 24);
  b[off + 1] = static_cast<uint8_t>(v >> 16);
  b[off + 2] = static_cast<uint8_t>(v >> 8);
  b[off + 3] = static_cast<uint8_t>(v);
}

void append(Bytes& b, std::span<const uint8_t> more) {
  b.insert(b.end(), more.begin(), more.end());
}

// Pads option bytes with zero (End of Option List) to a multiple of 4 bytes.
Bytes padOptions(std::span<const uint8_t> options, std::size_t max, const char* what) {
  if (options.size() > max)
    throw std::invalid_argument(std::string(what) + ": at most " + std::to_string(max) +
                                " bytes of options, got " + std::to_string(options.size()));
  Bytes out(options.begin(), options.end());
  out.resize((out.size() + 3) / 4 * 4, 0);
  return out;
}

[[noreturn]] void misuse(const std::string& what) {
  throw std::invalid_argument("PacketBuilder: " + what);
}

uint32_t pseudoSum(std::span<const uint8_t> src, std::span<const uint8_t> dst, uint8_t proto,
                   std::size_t l4_len) {
  uint32_t sum = onesComplementSum(src);
  sum = onesComplementSum(dst, sum);
  if (src.size() == 4) {
    // RFC 793 §3.1 / RFC 768: zero, protocol, 16-bit length.
    return sum + proto + static_cast<uint32_t>(l4_len);
  }
  // RFC 8200 §8.1: 32-bit upper-layer length, three zero bytes, next header.
  return sum + static_cast<uint32_t>(l4_len >> 16) + static_cast<uint32_t>(l4_len & 0xffff) + proto;
}

}  // namespace

std::array<uint8_t, 6> parseMac(std::string_view mac) {
  std::array<uint8_t, 6> out{};
  auto hex = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (mac.size() != 17)
    throw std::invalid_argument("not a MAC address: '" + std::string(mac) + "'");
  for (std::size_t i = 0; i < 6; ++i) {
    int hi = hex(mac[i * 3]);
    int lo = hex(mac[i * 3 + 1]);
    if (hi < 0 || lo < 0 || (i < 5 && mac[i * 3 + 2] != ':'))
      throw std::invalid_argument("not a MAC address: '" + std::string(mac) + "'");
    out[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return out;
}

Bytes parseIp(std::string_view address) {
  std::string s(address);
  Bytes out(16);
  if (::inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    out.resize(4);
    return out;
  }
  if (::inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  throw std::invalid_argument("not an IPv4 or IPv6 address: '" + s + "'");
}

PacketBuilder& PacketBuilder::ethSrc(std::string_view mac) {
  eth_src_ = parseMac(mac);
  return *this;
}

PacketBuilder& PacketBuilder::ethDst(std::string_view mac) {
  eth_dst_ = parseMac(mac);
  return *this;
}

PacketBuilder& PacketBuilder::ethType(uint16_t type) {
  eth_type_ = type;
  return *this;
}

PacketBuilder& PacketBuilder::ipv4(std::string_view src, std::string_view dst) {
  src_ = parseIp(src);
  dst_ = parseIp(dst);
  if (src_.size() != 4 || dst_.size() != 4)
    misuse("ipv4() needs IPv4 addresses, got '" + std::string(src) + "', '" + std::string(dst) +
           "'");
  l3_ = L3::kIpv4;
  return *this;
}

PacketBuilder& PacketBuilder::ipv6(std::string_view src, std::string_view dst) {
  src_ = parseIp(src);
  dst_ = parseIp(dst);
  if (src_.size() != 16 || dst_.size() != 16)
    misuse("ipv6() needs IPv6 addresses, got '" + std::string(src) + "', '" + std::string(dst) +
           "'");
  l3_ = L3::kIpv6;
  return *this;
}

PacketBuilder& PacketBuilder::ttl(uint8_t ttl) {
  ttl_ = ttl;
  return *this;
}

PacketBuilder& PacketBuilder::tos(uint8_t tos) {
  tos_ = tos;
  return *this;
}

PacketBuilder& PacketBuilder::ipId(uint16_t id) {
  ip_id_ = id;
  return *this;
}

PacketBuilder& PacketBuilder::dontFragment(bool on) {
  df_ = on;
  return *this;
}

PacketBuilder& PacketBuilder::moreFragments(bool on) {
  mf_ = on;
  return *this;
}

PacketBuilder& PacketBuilder::fragmentOffset(uint16_t bytes) {
  if (bytes % 8 != 0)
    misuse("fragmentOffset() is in bytes and must be a multiple of 8, got " +
           std::to_string(bytes));
  frag_offset_ = bytes;
  return *this;
}

PacketBuilder& PacketBuilder::ipv4Options(std::span<const uint8_t> options) {
  ipv4_options_ = padOptions(options, kMaxIpv4Options, "ipv4Options()");
  return *this;
}

PacketBuilder& PacketBuilder::flowLabel(uint32_t label) {
  if (label > 0xfffff) misuse("flowLabel() is 20 bits, got " + std::to_string(label));
  flow_label_ = label;
  return *this;
}

PacketBuilder& PacketBuilder::tcp(uint16_t sport, uint16_t dport) {
  l4_ = L4::kTcp;
  sport_ = sport;
  dport_ = dport;
  return *this;
}

PacketBuilder& PacketBuilder::seq(uint32_t seq) {
  seq_ = seq;
  return *this;
}

PacketBuilder& PacketBuilder::ack(uint32_t ack) {
  ack_ = ack;
  return *this;
}

PacketBuilder& PacketBuilder::tcpFlags(uint8_t flags) {
  tcp_flags_ = flags;
  return *this;
}

PacketBuilder& PacketBuilder::window(uint16_t window) {
  window_ = window;
  return *this;
}

PacketBuilder& PacketBuilder::tcpOptions(std::span<const uint8_t> options) {
  tcp_options_ = padOptions(options, kMaxTcpOptions, "tcpOptions()");
  return *this;
}

PacketBuilder& PacketBuilder::udp(uint16_t sport, uint16_t dport) {
  l4_ = L4::kUdp;
  sport_ = sport;
  dport_ = dport;
  return *this;
}

PacketBuilder& PacketBuilder::udpZeroChecksum() {
  udp_zero_checksum_ = true;
  return *this;
}

PacketBuilder& PacketBuilder::icmpEchoRequest(uint16_t id, uint16_t seq) {
  l4_ = L4::kIcmp;
  icmp_kind_ = IcmpKind::kEchoRequest;
  icmp_code_ = 0;
  icmp_rest_ = (static_cast<uint32_t>(id) << 16) | seq;
  return *this;
}

PacketBuilder& PacketBuilder::icmpEchoReply(uint16_t id, uint16_t seq) {
  icmpEchoRequest(id, seq);
  icmp_kind_ = IcmpKind::kEchoReply;
  return *this;
}

PacketBuilder& PacketBuilder::icmpDestUnreachable(uint8_t code, std::span<const uint8_t> inner) {
  l4_ = L4::kIcmp;
  icmp_kind_ = IcmpKind::kUnreachable;
  icmp_code_ = code;
  icmp_rest_ = 0;
  icmp_inner_.assign(inner.begin(), inner.end());
  return *this;
}

PacketBuilder& PacketBuilder::icmpPacketTooBig(uint32_t mtu, std::span<const uint8_t> inner) {
  l4_ = L4::kIcmp;
  icmp_kind_ = IcmpKind::kTooBig;
  icmp_rest_ = mtu;
  icmp_inner_.assign(inner.begin(), inner.end());
  return *this;
}

PacketBuilder& PacketBuilder::icmp(uint8_t type, uint8_t code, uint32_t rest_of_header) {
  l4_ = L4::kIcmp;
  icmp_kind_ = IcmpKind::kRaw;
  icmp_type_ = type;
  icmp_code_ = code;
  icmp_rest_ = rest_of_header;
  icmp_inner_.clear();
  return *this;
}

PacketBuilder& PacketBuilder::payload(std::span<const uint8_t> bytes) {
  append(payload_, bytes);
  return *this;
}

PacketBuilder& PacketBuilder::payload(std::string_view text) {
  payload_.insert(payload_.end(), text.begin(), text.end());
  return *this;
}

PacketBuilder& PacketBuilder::ipHeaderLength(uint8_t ihl_words) {
  if (ihl_words > 15) misuse("ipHeaderLength() is a 4-bit field, got " + std::to_string(ihl_words));
  ihl_ = ihl_words;
  return *this;
}

PacketBuilder& PacketBuilder::ipTotalLength(uint16_t length) {
  ip_total_length_ = length;
  return *this;
}

PacketBuilder& PacketBuilder::ipProtocol(uint8_t protocol) {
  ip_protocol_ = protocol;
  return *this;
}

PacketBuilder& PacketBuilder::ipVersion(uint8_t version) {
  if (version > 15) misuse("ipVersion() is a 4-bit field, got " + std::to_string(version));
  ip_version_ = version;
  return *this;
}

PacketBuilder& PacketBuilder::ipChecksum(uint16_t checksum) {
  ip_checksum_ = checksum;
  return *this;
}

PacketBuilder& PacketBuilder::l4Checksum(uint16_t checksum) {
  l4_checksum_ = checksum;
  return *this;
}

PacketBuilder& PacketBuilder::udpLength(uint16_t length) {
  udp_length_ = length;
  return *this;
}

PacketBuilder& PacketBuilder::tcpDataOffset(uint8_t words) {
  if (words > 15) misuse("tcpDataOffset() is a 4-bit field, got " + std::to_string(words));
  tcp_data_offset_ = words;
  return *this;
}

PacketBuilder& PacketBuilder::truncate(std::size_t n) {
  truncate_ = n;
  return *this;
}

uint8_t PacketBuilder::defaultProtocol() const {
  switch (l4_) {
    case L4::kTcp:
      return kProtoTcp;
    case L4::kUdp:
      return kProtoUdp;
    case L4::kIcmp:
      return l3_ == L3::kIpv6 ? kProtoIcmpv6 : kProtoIcmp;
    case L4::kNone:
      break;
  }
  if (!ip_protocol_) misuse("a payload without tcp()/udp()/icmp*() needs ipProtocol()");
  return *ip_protocol_;
}

Bytes PacketBuilder::buildL4(std::span<const uint8_t> src, std::span<const uint8_t> dst,
                             uint8_t proto) const {
  Bytes seg;
  std::size_t csum_off = 0;
  uint32_t pseudo = 0;
  switch (l4_) {
    case L4::kNone:
      return payload_;
    case L4::kTcp: {
      seg.assign(20, 0);
      put16(seg, 0, sport_);
      put16(seg, 2, dport_);
      put32(seg, 4, seq_.value_or(0));
      put32(seg, 8, ack_.value_or(0));
      std::size_t header_len = 20 + tcp_options_.size();
      seg[12] = static_cast<uint8_t>(tcp_data_offset_.value_or(header_len / 4) << 4);
      seg[13] = tcp_flags_.value_or(kTcpAck);
      put16(seg, 14, window_.value_or(65535));
      append(seg, tcp_options_);
      append(seg, payload_);
      csum_off = 16;
      pseudo = pseudoSum(src, dst, proto, seg.size());
      break;
    }
    case L4::kUdp: {
      seg.assign(8, 0);
      put16(seg, 0, sport_);
      put16(seg, 2, dport_);
      append(seg, payload_);
      if (seg.size() > 0xffff) misuse("UDP datagram longer than 65535 bytes");
      put16(seg, 4, udp_length_.value_or(static_cast<uint16_t>(seg.size())));
      csum_off = 6;
      pseudo = pseudoSum(src, dst, proto, seg.size());
      break;
    }
    case L4::kIcmp: {
      bool v6 = l3_ == L3::kIpv6;
      uint8_t type = icmp_type_;
      uint8_t code = icmp_code_;
      switch (icmp_kind_) {
        case IcmpKind::kEchoRequest:
          type = v6 ? 128 : 8;
          break;
        case IcmpKind::kEchoReply:
          type = v6 ? 129 : 0;
          break;
        case IcmpKind::kUnreachable:
          type = v6 ? 1 : 3;
          break;
        case IcmpKind::kTooBig:
          type = v6 ? 2 : 3;
          code = v6 ? 0 : kIcmpUnreachNeedFrag;
          break;
        case IcmpKind::kRaw:
          break;
      }
      uint32_t rest = icmp_rest_;
      if (icmp_kind_ == IcmpKind::kTooBig && !v6) {
        if (rest > 0xffff) misuse("ICMPv4 next-hop MTU is 16 bits");
        rest &= 0xffff;  // RFC 1191: unused (0) then the 16-bit next-hop MTU
      }
      seg.assign(8, 0);
      seg[0] = type;
      seg[1] = code;
      put32(seg, 4, rest);
      append(seg, icmp_inner_);
      append(seg, payload_);
      csum_off = 2;
      pseudo = v6 ? pseudoSum(src, dst, proto, seg.size()) : 0;
      break;
    }
  }
  uint16_t csum = internetChecksum(seg, pseudo);
  if (l4_ == L4::kUdp) {
    if (csum == 0) csum = 0xffff;  // RFC 768: zero means "no checksum"
    if (udp_zero_checksum_) csum = 0;
  }
  put16(seg, csum_off, l4_checksum_.value_or(csum));
  return seg;
}

Bytes PacketBuilder::buildFrom(bool with_ethernet) const {
  const bool v4 = l3_ == L3::kIpv4;
  const bool v6 = l3_ == L3::kIpv6;
  // Catch combinations that cannot mean what the test author intended.
  if (!v4 &&
      (ip_id_ || df_ || mf_ || frag_offset_ || !ipv4_options_.empty() || ihl_ || ip_checksum_))
    misuse(
        "ipId/dontFragment/moreFragments/fragmentOffset/ipv4Options/ipHeaderLength/"
        "ipChecksum need ipv4()");
  if (!v6 && flow_label_) misuse("flowLabel() needs ipv6()");
  if (l4_ != L4::kTcp &&
      (seq_ || ack_ || tcp_flags_ || window_ || !tcp_options_.empty() || tcp_data_offset_))
    misuse("seq/ack/tcpFlags/window/tcpOptions/tcpDataOffset need tcp()");
  if (l4_ != L4::kUdp && (udp_zero_checksum_ || udp_length_))
    misuse("udpZeroChecksum/udpLength need udp()");
  if (udp_zero_checksum_ && v6)
    misuse(
        "a zero UDP checksum is invalid over IPv6 (RFC 8200 §8.1); use l4Checksum(0) for a "
        "deliberately invalid fixture");
  if (l4_ == L4::kNone && l4_checksum_) misuse("l4Checksum() needs tcp(), udp() or icmp*()");
  if (l3_ == L3::kNone && (l4_ != L4::kNone || ip_total_length_ || ip_protocol_ || ip_version_))
    misuse("transport and IP settings need ipv4() or ipv6()");
  if (l3_ == L3::kNone && !with_ethernet) misuse("buildL3() needs ipv4() or ipv6()");
  if (l3_ == L3::kNone && !eth_type_) misuse("a frame without IP needs ethType()");

  Bytes pkt;
  if (with_ethernet) {
    pkt.insert(pkt.end(), eth_dst_.begin(), eth_dst_.end());
    pkt.insert(pkt.end(), eth_src_.begin(), eth_src_.end());
    pkt.resize(kEthHeaderLen);
    uint16_t type = eth_type_.value_or(v6 ? kEtherTypeIpv6 : kEtherTypeIpv4);
    put16(pkt, 12, type);
  }

  if (l3_ == L3::kNone) {
    append(pkt, payload_);
  } else {
    // The protocol the transport really is drives the pseudo-header; ipProtocol() only changes
    // the header field, so a "wrong protocol" fixture still carries a self-consistent segment.
    uint8_t real_proto = defaultProtocol();
    uint8_t proto_field = ip_protocol_.value_or(real_proto);
    Bytes l4 = buildL4(src_, dst_, real_proto);
    std::size_t l3 = pkt.size();
    if (v4) {
      std::size_t header_len = kIpv4HeaderLen + ipv4_options_.size();
      std::size_t total = header_len + l4.size();
      if (total > 0xffff) misuse("IPv4 packet longer than 65535 bytes");
      pkt.resize(l3 + kIpv4HeaderLen, 0);
      pkt[l3] = static_cast<uint8_t>((ip_version_.value_or(4) << 4) |
                                     ihl_.value_or(static_cast<uint8_t>(header_len / 4)));
      pkt[l3 + 1] = tos_;
      put16(pkt, l3 + 2, ip_total_length_.value_or(static_cast<uint16_t>(total)));
      put16(pkt, l3 + 4, ip_id_.value_or(0));
      uint16_t frag =
          static_cast<uint16_t>((df_ ? 0x4000 : 0) | (mf_ ? 0x2000 : 0) | (frag_offset_ / 8));
      put16(pkt, l3 + 6, frag);
      pkt[l3 + 8] = ttl_;
      pkt[l3 + 9] = proto_field;
      std::copy(src_.begin(), src_.end(), pkt.begin() + static_cast<std::ptrdiff_t>(l3 + 12));
      std::copy(dst_.begin(), dst_.end(), pkt.begin() + static_cast<std::ptrdiff_t>(l3 + 16));
      append(pkt, ipv4_options_);
      // Over the header bytes actually emitted, whatever ipHeaderLength() claims.
      uint16_t csum = internetChecksum(std::span<const uint8_t>(pkt).subspan(l3, header_len));
      put16(pkt, l3 + 10, ip_checksum_.value_or(csum));
    } else {
      if (l4.size() > 0xffff) misuse("IPv6 payload longer than 65535 bytes (no jumbograms)");
      pkt.resize(l3 + kIpv6HeaderLen, 0);
      uint32_t vtf = (static_cast<uint32_t>(ip_version_.value_or(6)) << 28) |
                     (static_cast<uint32_t>(tos_) << 20) | flow_label_.value_or(0);
      put32(pkt, l3, vtf);
      put16(pkt, l3 + 4, ip_total_length_.value_or(static_cast<uint16_t>(l4.size())));
      pkt[l3 + 6] = proto_field;
      pkt[l3 + 7] = ttl_;
      std::copy(src_.begin(), src_.end(), pkt.begin() + static_cast<std::ptrdiff_t>(l3 + 8));
      std::copy(dst_.begin(), dst_.end(), pkt.begin() + static_cast<std::ptrdiff_t>(l3 + 24));
    }
    append(pkt, l4);
  }

  if (truncate_) {
    if (*truncate_ > pkt.size())
      misuse("truncate(" + std::to_string(*truncate_) + ") is longer than the " +
             std::to_string(pkt.size()) + "-byte packet");
    pkt.resize(*truncate_);
  }
  return pkt;
}

Bytes PacketBuilder::build() const {
  return buildFrom(true);
}

Bytes PacketBuilder::buildL3() const {
  return buildFrom(false);
}

std::vector<Bytes> fragmentIpv4(std::span<const uint8_t> frame, std::size_t max_payload) {
  auto layout = parsePacket(frame);
  if (!layout || layout->ip_version != 4)
    throw std::invalid_argument("fragmentIpv4: not an IPv4 frame");
  const std::size_t l3 = layout->l3;
  const uint16_t frag_field = static_cast<uint16_t>((frame[l3 + 6] << 8) | frame[l3 + 7]);
  if (frag_field & 0x4000) throw std::invalid_argument("fragmentIpv4: the packet has DF set");
  const std::size_t chunk = max_payload / 8 * 8;
  if (chunk == 0) throw std::invalid_argument("fragmentIpv4: max_payload must be at least 8");
  const std::size_t data_begin = l3 + layout->l3_header_len;
  const std::size_t data_end = layout->l3_end;
  const bool orig_mf = (frag_field & 0x2000) != 0;
  const std::size_t orig_offset = (frag_field & 0x1fffu) * 8u;

  std::vector<Bytes> out;
  for (std::size_t off = 0; off < data_end - data_begin || off == 0; off += chunk) {
    std::size_t len = std::min(chunk, data_end - data_begin - off);
    bool last = off + len >= data_end - data_begin;
    Bytes f(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(data_begin));
    f.insert(f.end(), frame.begin() + static_cast<std::ptrdiff_t>(data_begin + off),
             frame.begin() + static_cast<std::ptrdiff_t>(data_begin + off + len));
    put16(f, l3 + 2, static_cast<uint16_t>(layout->l3_header_len + len));
    uint16_t field =
        static_cast<uint16_t>(((last ? orig_mf : true) ? 0x2000 : 0) | ((orig_offset + off) / 8));
    put16(f, l3 + 6, field);
    put16(f, l3 + 10, 0);
    put16(f, l3 + 10,
          internetChecksum(std::span<const uint8_t>(f).subspan(l3, layout->l3_header_len)));
    out.push_back(std::move(f));
    if (last) break;
  }
  return out;
}

}  // namespace ferry::testing
