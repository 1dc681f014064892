// A parsed DNS query: header, the single question and the client's EDNS0 parameters. Fixed-size
// storage, so parsing a packet allocates nothing.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "ferry/dns/wire_types.h"

namespace ferry::dns {

struct Query {
  uint16_t id = 0;
  uint16_t flags = 0;  // as received: opcode, RD and CD are echoed
  uint8_t opcode = 0;

  // The question name as asked (case preserved, for the echo RFC 4343 §4 expects) and a
  // lower-cased copy for lookups. Both uncompressed wire form including the root byte.
  std::array<uint8_t, kMaxNameLength> name{};
  std::array<uint8_t, kMaxNameLength> lower{};
  uint8_t name_length = 0;
  uint16_t qtype = 0;
  uint16_t qclass = 0;

  bool has_edns = false;
  uint16_t edns_udp_size = 0;
  uint8_t edns_version = 0;
  bool dnssec_ok = false;

  std::string_view nameWire() const {
    return {reinterpret_cast<const char*>(name.data()), name_length};
  }
  std::string_view lowerWire() const {
    return {reinterpret_cast<const char*>(lower.data()), name_length};
  }
};

enum class ParseStatus {
  kOk,
  kDrop,     // shorter than a header, or a response (QR set): answering could start a loop
  kFormErr,  // a header we can answer, but the rest does not parse (RFC 1035 §4.1.1)
  kNotImp,   // an opcode other than QUERY
};

// What went wrong, for the malformed-packet counters.
enum class ParseProblem {
  kNone,
  kShortHeader,
  kResponseBit,
  kOpcode,
  kQuestionCount,
  kBadName,
  kTruncatedQuestion,
  kBadRecord,
  kBadOpt,
};

const char* parseProblemName(ParseProblem problem);

struct ParseOutcome {
  ParseStatus status = ParseStatus::kDrop;
  ParseProblem problem = ParseProblem::kNone;
};

// Bounds-checked parse of a query message. Fills `out` as far as it got (the header fields are
// valid whenever the status is not kDrop).
ParseOutcome parseQuery(std::span<const uint8_t> message, Query& out);

}  // namespace ferry::dns
