#include "dns_packets.h"

#include <arpa/inet.h>

namespace ferry::dns::testing {

namespace {

void put16(std::vector<uint8_t>& m, uint16_t v) {
  m.push_back(static_cast<uint8_t>(v >> 8));
  m.push_back(static_cast<uint8_t>(v));
}

void putName(std::vector<uint8_t>& m, const std::string& name) {
  size_t start = 0;
  while (start < name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    m.push_back(static_cast<uint8_t>(dot - start));
    m.insert(m.end(), name.begin() + static_cast<long>(start),
             name.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  m.push_back(0);
}

struct Reader {
  const std::vector<uint8_t>& m;
  size_t pos = 0;
  bool ok = true;

  uint16_t u16() {
    if (pos + 2 > m.size()) return ok = false, 0;
    const auto v = static_cast<uint16_t>((m[pos] << 8) | m[pos + 1]);
    pos += 2;
    return v;
  }
  uint32_t u32() {
    const uint32_t hi = u16();
    return (hi << 16) | u16();
  }
  // Follows pointers with a hop limit; decoding is the test's job, not the server's.
  std::string name(size_t& at) {
    std::string out;
    size_t p = at;
    bool jumped = false;
    for (int hops = 0; hops < 64; ++hops) {
      if (p >= m.size()) break;
      const uint8_t len = m[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= m.size()) break;
        if (!jumped) at = p + 2;
        jumped = true;
        p = static_cast<size_t>(((len & 0x3F) << 8) | m[p + 1]);
        continue;
      }
      if (len == 0) {
        if (!jumped) at = p + 1;
        return out.empty() ? "." : out;
      }
      if (p + 1 + len > m.size()) break;
      out.append(reinterpret_cast<const char*>(&m[p + 1]), len);
      out.push_back('.');
      p += 1 + len;
    }
    ok = false;
    return out;
  }
  std::string nameHere() { return name(pos); }
};

std::string rdataText(Reader& r, uint16_t type, size_t end) {
  const auto& m = r.m;
  char buf[INET6_ADDRSTRLEN] = {};
  switch (type) {
    case 1:
      if (end - r.pos != 4) return "bad-A";
      inet_ntop(AF_INET, &m[r.pos], buf, sizeof(buf));
      return buf;
    case 28:
      if (end - r.pos != 16) return "bad-AAAA";
      inet_ntop(AF_INET6, &m[r.pos], buf, sizeof(buf));
      return buf;
    case 2:
    case 5:
    case 12:
      return r.nameHere();
    case 33: {
      const uint16_t prio = r.u16(), weight = r.u16(), port = r.u16();
      std::string out = std::to_string(prio);
      out.append(" ").append(std::to_string(weight)).append(" ").append(std::to_string(port));
      return out.append(" ").append(r.nameHere());
    }
    case 6: {
      std::string mname = r.nameHere();
      std::string rname = r.nameHere();
      std::string out = mname;
      out.append(" ").append(rname);
      for (int i = 0; i < 5; ++i) out.append(" ").append(std::to_string(r.u32()));
      return out;
    }
    case 16: {
      std::string out;
      size_t p = r.pos;
      while (p < end) {
        const uint8_t len = m[p];
        // Appended piecewise: GCC 12's -Wrestrict misfires on "x" + std::string.
        out.push_back('"');
        out.append(reinterpret_cast<const char*>(&m[p + 1]), len);
        out.push_back('"');
        p += 1 + len;
      }
      return out;
    }
    default:
      return "len=" + std::to_string(end - r.pos);
  }
}

}  // namespace

std::vector<uint8_t> makeQuery(const std::string& name, uint16_t qtype,
                               const QueryOptions& options) {
  std::vector<uint8_t> m;
  put16(m, options.id);
  put16(m, options.rd ? 0x0100 : 0);
  put16(m, 1);
  put16(m, 0);
  put16(m, 0);
  put16(m, options.edns_udp_size ? 1 : 0);
  putName(m, name);
  put16(m, qtype);
  put16(m, options.qclass);
  if (options.edns_udp_size) {
    m.push_back(0);
    put16(m, 41);
    put16(m, *options.edns_udp_size);
    put16(m, static_cast<uint16_t>(options.edns_version));  // ext-rcode 0, version
    put16(m, 0);
    put16(m, 0);
  }
  return m;
}

std::vector<std::string> DecodedResponse::answerData(uint16_t type) const {
  std::vector<std::string> out;
  for (const DecodedRecord& r : answers) {
    if (r.type == type) out.push_back(r.data);
  }
  return out;
}

std::optional<DecodedResponse> decodeResponse(const std::vector<uint8_t>& message) {
  Reader r{message};
  DecodedResponse d;
  d.size = message.size();
  d.id = r.u16();
  d.flags = r.u16();
  d.rcode = d.flags & 0xF;
  const uint16_t qd = r.u16(), an = r.u16(), ns = r.u16(), ar = r.u16();
  if (!r.ok) return std::nullopt;
  if (qd == 1) {
    d.qname = r.nameHere();
    d.qtype = r.u16();
    r.u16();
  }
  for (int section = 0; section < 3; ++section) {
    const uint16_t count = section == 0 ? an : section == 1 ? ns : ar;
    auto& out = section == 0 ? d.answers : section == 1 ? d.authority : d.additional;
    for (uint16_t i = 0; i < count && r.ok; ++i) {
      DecodedRecord rec;
      rec.name = r.nameHere();
      rec.type = r.u16();
      const uint16_t rrclass = r.u16();
      rec.ttl = r.u32();
      const uint16_t rdlength = r.u16();
      if (!r.ok || r.pos + rdlength > message.size()) return std::nullopt;
      const size_t end = r.pos + rdlength;
      if (rec.type == 41) {
        d.has_opt = true;
        d.opt_udp_size = rrclass;
        d.rcode |= static_cast<int>((rec.ttl >> 24) << 4);
        r.pos = end;
        continue;
      }
      rec.data = rdataText(r, rec.type, end);
      r.pos = end;
      out.push_back(std::move(rec));
    }
  }
  if (!r.ok) return std::nullopt;
  return d;
}

}  // namespace ferry::dns::testing
