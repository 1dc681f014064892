#include "ferry/testing/packet_checks.h"

#include <algorithm>
#include <cstdio>

namespace ferry::testing {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeIpv6 = 0x86dd;
constexpr std::size_t kEthHeaderLen = 14;
constexpr std::size_t kIpv4MinHeaderLen = 20;
constexpr std::size_t kIpv6HeaderLen = 40;
constexpr uint8_t kProtoIcmp = 1;
constexpr uint8_t kProtoTcp = 6;
constexpr uint8_t kProtoUdp = 17;
constexpr uint8_t kProtoIcmpv6 = 58;

uint16_t be16(ByteView p, std::size_t off) {
  return static_cast<uint16_t>((p[off] << 8) | p[off + 1]);
}

uint32_t foldSum(uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

// Where the IP header starts and which version it is, or nullopt if the buffer is not IP.
std::optional<std::pair<std::size_t, int>> findL3(ByteView p, FrameStart start) {
  if (start == FrameStart::kEthernet) {
    if (p.size() < kEthHeaderLen) return std::nullopt;
    uint16_t type = be16(p, 12);
    if (type == kEtherTypeIpv4) return std::pair<std::size_t, int>{kEthHeaderLen, 4};
    if (type == kEtherTypeIpv6) return std::pair<std::size_t, int>{kEthHeaderLen, 6};
    return std::nullopt;
  }
  if (p.empty()) return std::nullopt;
  int version = p[0] >> 4;
  if (version != 4 && version != 6) return std::nullopt;
  return std::pair<std::size_t, int>{0, version};
}

// The end of the datagram according to the IP length field, not clamped to the buffer.
std::size_t declaredEnd(ByteView p, const PacketLayout& l) {
  if (l.ip_version == 4) return l.l3 + be16(p, l.l3 + 2);
  return l.l3 + kIpv6HeaderLen + be16(p, l.l3 + 4);
}

// The pseudo-header sum (RFC 793 / RFC 768 for IPv4, RFC 8200 §8.1 for IPv6).
uint32_t pseudoHeaderSum(ByteView p, const PacketLayout& l, std::size_t l4_len) {
  uint32_t sum = 0;
  if (l.ip_version == 4) {
    sum = onesComplementSum(p.subspan(l.l3 + 12, 8));
    sum += l.l4_proto;
    sum += static_cast<uint32_t>(l4_len);
  } else {
    sum = onesComplementSum(p.subspan(l.l3 + 8, 32));
    sum += static_cast<uint32_t>(l4_len >> 16);
    sum += static_cast<uint32_t>(l4_len & 0xffff);
    sum += l.l4_proto;
  }
  return sum;
}

// Offset of the checksum field inside the L4 header, or 0 if the protocol has none we know.
std::size_t checksumOffset(const PacketLayout& l) {
  switch (l.l4_proto) {
    case kProtoTcp:
      return 16;
    case kProtoUdp:
      return 6;
    case kProtoIcmp:
      return l.ip_version == 4 ? 2 : 0;
    case kProtoIcmpv6:
      return l.ip_version == 6 ? 2 : 0;
    default:
      return 0;
  }
}

// The L4 bytes the checksum covers, if the packet is complete and not a fragment.
std::optional<ByteView> checksummedL4(ByteView p, const PacketLayout& l) {
  if (l.fragment) return std::nullopt;
  std::size_t off = checksumOffset(l);
  if (off == 0) return std::nullopt;
  std::size_t end = declaredEnd(p, l);
  if (end > p.size() || end < l.l4 + off + 2) return std::nullopt;
  return p.subspan(l.l4, end - l.l4);
}

struct Field {
  std::size_t begin;
  std::size_t end;
  std::string name;
};

class FieldMap {
 public:
  explicit FieldMap(std::size_t size) : size_(size) {}

  void add(std::size_t begin, std::size_t len, const std::string& name) {
    if (begin >= size_ || len == 0) return;
    fields_.push_back({begin, std::min(size_, begin + len), name});
  }

  const std::vector<Field>& fields() const { return fields_; }

 private:
  std::size_t size_;
  std::vector<Field> fields_;
};

bool isIcmpError(int version, uint8_t type) {
  if (version == 4) return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
  return type >= 1 && type <= 4;
}

bool isIcmpEcho(int version, uint8_t type) {
  if (version == 4) return type == 0 || type == 8;
  return type == 128 || type == 129;
}

// Names the fields of an IP packet starting at `base` (tolerating truncation at any point).
void describeL3(ByteView p, std::size_t base, const std::string& prefix, FieldMap& m, int depth) {
  if (base >= p.size()) return;
  int version = p[base] >> 4;
  std::size_t hlen;
  uint8_t proto;
  std::size_t end = p.size();
  bool first_fragment = true;
  std::string ip;
  if (version == 4) {
    ip = prefix + "ipv4.";
    m.add(base, 1, ip + "version_ihl");
    m.add(base + 1, 1, ip + "tos");
    m.add(base + 2, 2, ip + "total_length");
    m.add(base + 4, 2, ip + "id");
    m.add(base + 6, 2, ip + "flags_fragment");
    m.add(base + 8, 1, ip + "ttl");
    m.add(base + 9, 1, ip + "protocol");
    m.add(base + 10, 2, ip + "checksum");
    m.add(base + 12, 4, ip + "src");
    m.add(base + 16, 4, ip + "dst");
    hlen = std::max<std::size_t>((p[base] & 0x0f) * 4u, kIpv4MinHeaderLen);
    m.add(base + 20, hlen - 20, ip + "options");
    if (p.size() < base + kIpv4MinHeaderLen) return;
    proto = p[base + 9];
    end = std::min(p.size(), base + std::max<std::size_t>(be16(p, base + 2), hlen));
    first_fragment = (be16(p, base + 6) & 0x1fff) == 0;
  } else if (version == 6) {
    ip = prefix + "ipv6.";
    m.add(base, 4, ip + "version_class_flow");
    m.add(base + 4, 2, ip + "payload_length");
    m.add(base + 6, 1, ip + "next_header");
    m.add(base + 7, 1, ip + "hop_limit");
    m.add(base + 8, 16, ip + "src");
    m.add(base + 24, 16, ip + "dst");
    hlen = kIpv6HeaderLen;
    if (p.size() < base + kIpv6HeaderLen) return;
    proto = p[base + 6];
    end = std::min(p.size(), base + kIpv6HeaderLen + be16(p, base + 4));
  } else {
    m.add(base, p.size() - base, prefix + "ip.unknown_version");
    return;
  }
  std::size_t l4 = base + hlen;
  if (!first_fragment) {
    m.add(l4, end - std::min(end, l4), ip + "fragment_data");
  } else if (proto == kProtoTcp) {
    std::string t = prefix + "tcp.";
    m.add(l4, 2, t + "sport");
    m.add(l4 + 2, 2, t + "dport");
    m.add(l4 + 4, 4, t + "seq");
    m.add(l4 + 8, 4, t + "ack");
    m.add(l4 + 12, 1, t + "data_offset");
    m.add(l4 + 13, 1, t + "flags");
    m.add(l4 + 14, 2, t + "window");
    m.add(l4 + 16, 2, t + "checksum");
    m.add(l4 + 18, 2, t + "urgent");
    std::size_t doff = 20;
    if (l4 + 12 < p.size()) doff = std::max<std::size_t>((p[l4 + 12] >> 4) * 4u, 20);
    m.add(l4 + 20, doff - 20, t + "options");
    if (end > l4 + doff) m.add(l4 + doff, end - l4 - doff, t + "payload");
  } else if (proto == kProtoUdp) {
    std::string u = prefix + "udp.";
    m.add(l4, 2, u + "sport");
    m.add(l4 + 2, 2, u + "dport");
    m.add(l4 + 4, 2, u + "length");
    m.add(l4 + 6, 2, u + "checksum");
    if (end > l4 + 8) m.add(l4 + 8, end - l4 - 8, u + "payload");
  } else if (proto == kProtoIcmp || proto == kProtoIcmpv6) {
    std::string c = prefix + (proto == kProtoIcmp ? "icmp." : "icmp6.");
    m.add(l4, 1, c + "type");
    m.add(l4 + 1, 1, c + "code");
    m.add(l4 + 2, 2, c + "checksum");
    if (l4 >= p.size()) return;
    uint8_t type = p[l4];
    if (isIcmpEcho(version, type)) {
      m.add(l4 + 4, 2, c + "id");
      m.add(l4 + 6, 2, c + "seq");
      if (end > l4 + 8) m.add(l4 + 8, end - l4 - 8, c + "payload");
    } else if (isIcmpError(version, type) && depth == 0) {
      m.add(l4 + 4, 4, c + "rest");
      // The embedded packet has its own, possibly truncated, headers; name them too.
      describeL3(p.first(end), l4 + 8, c + "inner.", m, depth + 1);
    } else {
      m.add(l4 + 4, 4, c + "rest");
      if (end > l4 + 8) m.add(l4 + 8, end - l4 - 8, c + "payload");
    }
  } else {
    m.add(l4, end - std::min(end, l4), ip + "payload");
  }
  if (depth == 0) m.add(end, p.size() - end, "trailer");
}

std::vector<Field> describeFields(ByteView p, FrameStart start) {
  FieldMap m(p.size());
  std::size_t base = 0;
  if (start == FrameStart::kEthernet) {
    m.add(0, 6, "eth.dst");
    m.add(6, 6, "eth.src");
    m.add(12, 2, "eth.type");
    if (p.size() < kEthHeaderLen) return m.fields();
    uint16_t type = be16(p, 12);
    if (type != kEtherTypeIpv4 && type != kEtherTypeIpv6) {
      m.add(kEthHeaderLen, p.size() - kEthHeaderLen, "eth.payload");
      return m.fields();
    }
    base = kEthHeaderLen;
  }
  describeL3(p, base, "", m, 0);
  return m.fields();
}

const Field* findField(const std::vector<Field>& fields, std::size_t offset) {
  // Inner (more specific) fields are added after outer ones, so search from the back.
  for (auto it = fields.rbegin(); it != fields.rend(); ++it) {
    if (offset >= it->begin && offset < it->end) return &*it;
  }
  return nullptr;
}

std::string hexBytes(ByteView p, std::size_t begin, std::size_t end) {
  std::string out;
  char buf[4];
  for (std::size_t i = begin; i < end && i < p.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", p[i]);
    if (!out.empty()) out += ' ';
    out += buf;
  }
  return out;
}

// One side of a side-by-side row: 16 bytes of hex, padded to a fixed width.
std::string hexRow(ByteView p, std::size_t row_start) {
  std::string out;
  char buf[4];
  for (std::size_t i = row_start; i < row_start + 16; ++i) {
    if (i < p.size()) {
      std::snprintf(buf, sizeof buf, "%02x ", p[i]);
      out += buf;
    } else {
      out += "   ";
    }
  }
  return out;
}

std::string markerRow(ByteView a, ByteView b, std::size_t row_start) {
  std::string out;
  for (std::size_t i = row_start; i < row_start + 16; ++i) {
    bool in_a = i < a.size();
    bool in_b = i < b.size();
    bool differs = (in_a != in_b) || (in_a && a[i] != b[i]);
    out += differs && (in_a || in_b) ? "^^ " : "   ";
  }
  return out;
}

}  // namespace

uint32_t onesComplementSum(ByteView data, uint32_t sum) {
  // Plain byte-pair arithmetic: deliberately not the word-at-a-time code the dataplane uses.
  uint64_t acc = sum;
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) acc += static_cast<uint32_t>((data[i] << 8) | data[i + 1]);
  if (i < data.size()) acc += static_cast<uint32_t>(data[i] << 8);
  while (acc >> 32) acc = (acc & 0xffffffffu) + (acc >> 32);
  return static_cast<uint32_t>(acc);
}

uint16_t internetChecksum(ByteView data, uint32_t initial_sum) {
  uint64_t sum = static_cast<uint64_t>(onesComplementSum(data)) + initial_sum;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xffff);
}

std::optional<PacketLayout> parsePacket(ByteView p, FrameStart start) {
  auto l3 = findL3(p, start);
  if (!l3) return std::nullopt;
  PacketLayout l;
  l.l3 = l3->first;
  l.ip_version = l3->second;
  if (l.ip_version == 4) {
    if (p.size() < l.l3 + kIpv4MinHeaderLen || (p[l.l3] >> 4) != 4) return std::nullopt;
    l.l3_header_len = (p[l.l3] & 0x0f) * 4u;
    if (l.l3_header_len < kIpv4MinHeaderLen || p.size() < l.l3 + l.l3_header_len)
      return std::nullopt;
    l.l4_proto = p[l.l3 + 9];
    uint16_t frag = be16(p, l.l3 + 6);
    l.first_fragment = (frag & 0x1fff) == 0;
    l.fragment = (frag & 0x2000) != 0 || !l.first_fragment;
  } else {
    if (p.size() < l.l3 + kIpv6HeaderLen || (p[l.l3] >> 4) != 6) return std::nullopt;
    l.l3_header_len = kIpv6HeaderLen;
    l.l4_proto = p[l.l3 + 6];
  }
  l.l3_end = std::clamp(declaredEnd(p, l), l.l3 + l.l3_header_len, p.size());
  l.l4 = l.l3 + l.l3_header_len;
  if (l.first_fragment) {
    switch (l.l4_proto) {
      case kProtoTcp:
        if (p.size() >= l.l4 + 20) {
          std::size_t doff = (p[l.l4 + 12] >> 4) * 4u;
          if (doff >= 20 && p.size() >= l.l4 + doff) l.l4_header_len = doff;
        }
        break;
      case kProtoUdp:
      case kProtoIcmp:
      case kProtoIcmpv6:
        if (p.size() >= l.l4 + 8) l.l4_header_len = 8;
        break;
      default:
        break;
    }
  }
  l.payload = l.l4 + l.l4_header_len;
  return l;
}

bool verifyIpv4HeaderChecksum(ByteView p, FrameStart start) {
  auto l = parsePacket(p, start);
  if (!l || l->ip_version != 4) return false;
  // Receiver semantics: the sum over the header, checksum included, must be all ones.
  return foldSum(onesComplementSum(p.subspan(l->l3, l->l3_header_len))) == 0xffff;
}

std::optional<uint16_t> computeL4Checksum(ByteView p, FrameStart start) {
  auto l = parsePacket(p, start);
  if (!l) return std::nullopt;
  auto l4 = checksummedL4(p, *l);
  if (!l4) return std::nullopt;
  std::size_t off = checksumOffset(*l);
  Bytes copy(l4->begin(), l4->end());
  copy[off] = 0;
  copy[off + 1] = 0;
  bool icmpv4 = l->l4_proto == kProtoIcmp;
  uint16_t c = internetChecksum(copy, icmpv4 ? 0 : pseudoHeaderSum(p, *l, copy.size()));
  // RFC 768: a computed zero is sent as all ones, since zero means "no checksum".
  if (l->l4_proto == kProtoUdp && c == 0) c = 0xffff;
  return c;
}

bool verifyL4Checksum(ByteView p, FrameStart start) {
  auto l = parsePacket(p, start);
  if (!l) return false;
  auto l4 = checksummedL4(p, *l);
  if (!l4) return false;
  std::size_t off = checksumOffset(*l);
  if (l->l4_proto == kProtoUdp && be16(*l4, off) == 0) return l->ip_version == 4;
  bool icmpv4 = l->l4_proto == kProtoIcmp;
  // Receiver semantics, so both encodings of zero (0x0000 and 0xffff, RFC 1624 §3) that an
  // incremental update may legitimately produce are accepted, as the kernel accepts them.
  uint32_t sum = onesComplementSum(*l4, icmpv4 ? 0 : pseudoHeaderSum(p, *l, l4->size()));
  return foldSum(sum) == 0xffff;
}

std::string hexdump(ByteView p) {
  std::string out;
  char buf[32];
  for (std::size_t row = 0; row < p.size(); row += 16) {
    std::snprintf(buf, sizeof buf, "%04zx  ", row);
    out += buf;
    out += hexRow(p, row);
    out += " |";
    for (std::size_t i = row; i < row + 16 && i < p.size(); ++i)
      out += (p[i] >= 0x20 && p[i] < 0x7f) ? static_cast<char>(p[i]) : '.';
    out += "|\n";
  }
  return out;
}

std::string fieldAt(ByteView p, std::size_t offset, FrameStart start) {
  auto fields = describeFields(p, start);
  const Field* f = findField(fields, offset);
  return f ? f->name : std::string();
}

std::string describePacketDiff(ByteView expected, ByteView actual, FrameStart start) {
  if (expected.size() == actual.size() &&
      std::equal(expected.begin(), expected.end(), actual.begin()))
    return {};

  constexpr std::size_t kMaxGroups = 32;
  constexpr std::size_t kFullDumpLimit = 512;
  const auto exp_fields = describeFields(expected, start);
  const auto act_fields = describeFields(actual, start);
  const std::size_t common = std::min(expected.size(), actual.size());
  const std::size_t longest = std::max(expected.size(), actual.size());

  std::string out = "packets differ: expected " + std::to_string(expected.size()) +
                    " bytes, actual " + std::to_string(actual.size()) + " bytes\n";

  // Runs of differing bytes, merged per header field so a changed address is one line.
  struct Group {
    std::size_t first;
    std::size_t last;
    const Field* field;
  };
  std::vector<Group> groups;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < common; ++i) {
    if (expected[i] == actual[i]) continue;
    ++differing;
    const Field* f = findField(exp_fields, i);
    if (!groups.empty() && groups.back().field == f &&
        (f != nullptr || groups.back().last + 1 == i))
      groups.back().last = i;
    else
      groups.push_back({i, i, f});
  }
  out += std::to_string(differing) + " of the first " + std::to_string(common) + " bytes differ\n";
  char buf[64];
  for (std::size_t g = 0; g < groups.size() && g < kMaxGroups; ++g) {
    const Group& gr = groups[g];
    std::size_t begin = gr.first;
    std::size_t end = gr.last + 1;
    // Show a short field whole: "ipv4.src: 0a 00 00 01 -> 0a 00 00 02" reads better than a byte.
    if (gr.field && gr.field->end - gr.field->begin <= 16) {
      begin = gr.field->begin;
      end = gr.field->end;
    }
    std::snprintf(buf, sizeof buf, "  at 0x%04zx (%zu)", begin, begin);
    out += buf;
    out += ' ';
    out += gr.field ? gr.field->name : std::string("(unparsed)");
    out += ": expected " + hexBytes(expected, begin, end) + ", actual " +
           hexBytes(actual, begin, end) + "\n";
  }
  if (groups.size() > kMaxGroups)
    out += "  ... and " + std::to_string(groups.size() - kMaxGroups) + " more differing runs\n";
  if (expected.size() != actual.size()) {
    bool exp_longer = expected.size() > actual.size();
    const auto& fields = exp_longer ? exp_fields : act_fields;
    const Field* f = findField(fields, common);
    std::snprintf(buf, sizeof buf, " from 0x%04zx (%zu)", common, common);
    out += std::string("  ") + (exp_longer ? "expected" : "actual") + " has " +
           std::to_string(longest - common) + " extra bytes" + buf +
           (f ? ", starting in " + f->name : std::string()) + "\n";
  }

  out += "        expected" + std::string(42, ' ') + "actual\n";
  bool elided = false;
  for (std::size_t row = 0; row < longest; row += 16) {
    std::string marks = markerRow(expected, actual, row);
    bool row_differs = marks.find('^') != std::string::npos;
    if (longest > kFullDumpLimit) {
      // Big packets: only rows near a difference.
      bool near =
          row_differs ||
          (row >= 16 && markerRow(expected, actual, row - 16).find('^') != std::string::npos) ||
          markerRow(expected, actual, row + 16).find('^') != std::string::npos;
      if (!near) {
        if (!elided) out += "  ...\n";
        elided = true;
        continue;
      }
      elided = false;
    }
    std::snprintf(buf, sizeof buf, "  %04zx  ", row);
    out += buf;
    out += hexRow(expected, row) + "| " + hexRow(actual, row) + "\n";
    if (row_differs) out += "        " + marks + "  " + marks + "\n";
  }
  return out;
}

}  // namespace ferry::testing
