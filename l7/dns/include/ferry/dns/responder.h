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
  // A well-formed IN query for a name outside our zones, answered REFUSED in `out`; a forwarder
  // may answer it instead.
  bool not_ours = false;
};

// The largest response for this query: 65535 on TCP, else the client's EDNS0 size clamped to
// [512, max_udp_payload] (512 without EDNS0).
size_t responseLimit(const Query& q, Transport transport, const ResponderOptions& options);

// `out` must hold kMaxMessageSize bytes.
Response respond(const Zone& zone, std::span<const uint8_t> query, Transport transport,
                 std::span<uint8_t> out, const ResponderOptions& options = {});

}  // namespace ferry::dns
