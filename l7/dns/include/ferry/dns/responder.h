// The query path: parse a query, look it up in a zone snapshot, write the response. No locks,
// no exceptions, no allocation; malformed input produces an error response or nothing.
#pragma once

#include <cstdint>
#include <span>

#include "ferry/dns/query.h"
#include "ferry/dns/wire_types.h"
#include "ferry/dns/zone.h"

namespace ferry::dns {

enum class Transport { kUdp, kTcp };

struct ResponderOptions {
  // The largest UDP payload we send whatever the client offers, and what our OPT advertises.
  uint16_t max_udp_payload = 4096;
};

struct Response {
  size_t size = 0;  // bytes written to the output buffer; 0: send nothing
  Rcode rcode = Rcode::kNoError;
  bool truncated = false;
  uint16_t qtype = 0;
  ParseProblem problem = ParseProblem::kNone;
};

// `out` must hold kMaxMessageSize bytes.
Response respond(const Zone& zone, std::span<const uint8_t> query, Transport transport,
                 std::span<uint8_t> out, const ResponderOptions& options = {});

}  // namespace ferry::dns
