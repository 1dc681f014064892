#include "ferry/dns/responder.h"

#include <algorithm>

#include "ferry/dns/message_writer.h"

namespace ferry::dns {

namespace {

// Root owner + type + class + TTL + RDLENGTH.
constexpr size_t kOptRecordSize = 11;

bool wanted(const Record& r, uint16_t qtype, LookupKind kind) {
  if (kind == LookupKind::kCname) return r.type == rrtype::kCname;
  return qtype == rrtype::kAny || r.type == qtype;
}

// RFC 2782 "additional data": the addresses of SRV targets we know, if they fit.
void addSrvTargets(const Zone& zone, const Lookup& found, MessageWriter& w) {
  for (const Record& r : found.records) {
    if (r.type != rrtype::kSrv) continue;
    for (const Record& a : zone.recordsAt(r.target)) {
      if (a.type != rrtype::kA && a.type != rrtype::kAaaa) continue;
      if (!w.addRecord(Section::kAdditional, r.target, a)) return;
    }
  }
}

// Writes answer and authority; false if they do not fit (the caller truncates).
bool writeAnswer(const Zone& zone, const Query& q, const Lookup& found, MessageWriter& w) {
  if (found.kind == LookupKind::kAnswer || found.kind == LookupKind::kCname) {
    for (const Record& r : found.records) {
      if (wanted(r, q.qtype, found.kind) && !w.addRecord(Section::kAnswer, q.nameWire(), r)) {
        return false;
      }
    }
    if (q.qtype == rrtype::kSrv || q.qtype == rrtype::kAny) addSrvTargets(zone, found, w);
    return true;
  }
  // NXDOMAIN and NODATA carry the zone's SOA so resolvers can cache the miss (RFC 2308 §3).
  return w.addRecord(Section::kAuthority, found.apex, *found.soa);
}

}  // namespace

size_t responseLimit(const Query& q, Transport transport, const ResponderOptions& options) {
  if (transport == Transport::kTcp) return kMaxMessageSize;
  if (!q.has_edns) return kClassicUdpPayload;
  // RFC 6891 §6.2.5: values below 512 are treated as 512.
  return std::clamp<size_t>(q.edns_udp_size, kClassicUdpPayload,
                            std::max<size_t>(options.max_udp_payload, kClassicUdpPayload));
}

Response respond(const Zone& zone, std::span<const uint8_t> query, Transport transport,
                 std::span<uint8_t> out, const ResponderOptions& options) {
  Query q;
  const ParseOutcome parsed = parseQuery(query, q);
  Response res;
  res.problem = parsed.problem;
  if (parsed.status == ParseStatus::kDrop) return res;

  MessageWriter w(out, responseLimit(q, transport, options));
  const uint16_t echoed = q.flags & (flag::kRd | flag::kCd | 0x7800 /* opcode */);
  w.writeHeader(q.id, flag::kQr | echoed);
  const auto finish = [&](Rcode rcode) {
    res.rcode = rcode;
    w.setRcode(rcode);
    res.size = w.size();
    return res;
  };
  if (parsed.status == ParseStatus::kNotImp) return finish(Rcode::kNotImp);
  if (parsed.status == ParseStatus::kFormErr) return finish(Rcode::kFormErr);

  res.qtype = q.qtype;
  if (q.has_edns) w.reserve(kOptRecordSize);
  w.addQuestion(q.nameWire(), q.qtype, q.qclass);
  const auto finishWithOpt = [&](Rcode rcode) {
    const auto code = static_cast<uint16_t>(rcode);
    if (q.has_edns) {
      w.addOpt(std::max<uint16_t>(options.max_udp_payload, kClassicUdpPayload),
               static_cast<uint8_t>(code >> 4), q.dnssec_ok);
    }
    finish(static_cast<Rcode>(code & 0xF));
    res.rcode = rcode;
    return res;
  };
  // RFC 6891 §6.1.3: we speak EDNS version 0 only.
  if (q.has_edns && q.edns_version > 0) return finishWithOpt(Rcode::kBadVers);
  // Zone transfers are not offered; only the Internet class exists here.
  if (q.qtype == rrtype::kAxfr || q.qtype == rrtype::kIxfr ||
      (q.qclass != rrclass::kIn && q.qclass != rrclass::kAny)) {
    return finishWithOpt(Rcode::kRefused);
  }

  Record scratch;
  const Lookup found = zone.lookup(q.lowerWire(), q.qtype, scratch);
  // Outside our zones: the forwarder takes it from here (the caller decides); else we refuse.
  if (found.kind == LookupKind::kNotOurs) {
    res.not_ours = q.qclass == rrclass::kIn;
    return finishWithOpt(Rcode::kRefused);
  }
  // Before the first complete sync an NXDOMAIN could be a lie that resolvers cache.
  if (!zone.synced()) return finishWithOpt(Rcode::kServFail);

  w.setFlag(flag::kAa);
  if (!writeAnswer(zone, q, found, w)) {
    // RFC 2181 §9: set TC and send no partial RRsets; the client retries over TCP.
    w.truncateToQuestion();
    w.setFlag(flag::kTc);
    res.truncated = true;
  }
  return finishWithOpt(found.kind == LookupKind::kNxDomain ? Rcode::kNxDomain : Rcode::kNoError);
}

}  // namespace ferry::dns
