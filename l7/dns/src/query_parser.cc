#include "ferry/dns/domain_name.h"
#include "ferry/dns/query.h"

namespace ferry::dns {

namespace {

uint16_t read16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>((m[at] << 8) | m[at + 1]);
}

uint32_t read32(std::span<const uint8_t> m, size_t at) {
  return (static_cast<uint32_t>(read16(m, at)) << 16) | read16(m, at + 2);
}

ParseOutcome fail(ParseStatus status, ParseProblem problem) {
  return {status, problem};
}

}  // namespace

const char* parseProblemName(ParseProblem problem) {
  switch (problem) {
    case ParseProblem::kNone:
      return "none";
    case ParseProblem::kShortHeader:
      return "short_header";
    case ParseProblem::kResponseBit:
      return "response_bit";
    case ParseProblem::kOpcode:
      return "opcode";
    case ParseProblem::kQuestionCount:
      return "question_count";
    case ParseProblem::kBadName:
      return "bad_name";
    case ParseProblem::kTruncatedQuestion:
      return "truncated_question";
    case ParseProblem::kBadRecord:
      return "bad_record";
    case ParseProblem::kBadOpt:
      return "bad_opt";
  }
  return "unknown";
}

ParseOutcome parseQuery(std::span<const uint8_t> m, Query& q) {
  if (m.size() < kHeaderSize) return fail(ParseStatus::kDrop, ParseProblem::kShortHeader);
  q.id = read16(m, 0);
  q.flags = read16(m, 2);
  q.opcode = static_cast<uint8_t>((q.flags >> 11) & 0xF);
  q.name_length = 0;
  q.has_edns = false;
  if (q.flags & flag::kQr) return fail(ParseStatus::kDrop, ParseProblem::kResponseBit);
  if (q.opcode != kOpcodeQuery) return fail(ParseStatus::kNotImp, ParseProblem::kOpcode);

  const uint16_t qdcount = read16(m, 4);
  const uint16_t ancount = read16(m, 6);
  const uint16_t nscount = read16(m, 8);
  const uint16_t arcount = read16(m, 10);
  // RFC 9619: exactly one question; zero or several is a format error.
  if (qdcount != 1) return fail(ParseStatus::kFormErr, ParseProblem::kQuestionCount);

  size_t length = 0;
  size_t pos = 0;
  if (readName(m, kHeaderSize, q.name, length, pos) != NameError::kNone) {
    return fail(ParseStatus::kFormErr, ParseProblem::kBadName);
  }
  if (pos + 4 > m.size()) return fail(ParseStatus::kFormErr, ParseProblem::kTruncatedQuestion);
  q.name_length = static_cast<uint8_t>(length);
  lowerName(std::span<const uint8_t>(q.name.data(), length), q.lower);
  q.qtype = read16(m, pos);
  q.qclass = read16(m, pos + 2);
  pos += 4;

  // Skip answer and authority records (queries rarely carry any) to reach the OPT record in the
  // additional section. Every count is bounded by the bytes actually present.
  std::array<uint8_t, kMaxNameLength> scratch{};
  const uint32_t records = uint32_t{ancount} + nscount + arcount;
  for (uint32_t i = 0; i < records; ++i) {
    size_t owner_length = 0;
    if (readName(m, pos, scratch, owner_length, pos) != NameError::kNone) {
      return fail(ParseStatus::kFormErr, ParseProblem::kBadRecord);
    }
    if (pos + 10 > m.size()) return fail(ParseStatus::kFormErr, ParseProblem::kBadRecord);
    const uint16_t type = read16(m, pos);
    const uint16_t rrclass = read16(m, pos + 2);
    const uint32_t ttl = read32(m, pos + 4);
    const uint16_t rdlength = read16(m, pos + 8);
    pos += 10;
    if (pos + rdlength > m.size()) return fail(ParseStatus::kFormErr, ParseProblem::kBadRecord);
    pos += rdlength;
    if (type != rrtype::kOpt) continue;
    // RFC 6891 §6.1.1: one OPT, in the additional section, owned by the root.
    const bool in_additional = i >= uint32_t{ancount} + nscount;
    if (q.has_edns || !in_additional || owner_length != 1) {
      return fail(ParseStatus::kFormErr, ParseProblem::kBadOpt);
    }
    q.has_edns = true;
    q.edns_udp_size = rrclass;
    q.edns_version = static_cast<uint8_t>((ttl >> 16) & 0xFF);
    q.dnssec_ok = (ttl & kEdnsDoBit) != 0;
  }
  return {ParseStatus::kOk, ParseProblem::kNone};
}

}  // namespace ferry::dns
