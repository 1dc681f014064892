// Test-side DNS messages: queries built byte by byte and responses decoded into text, written
// independently of the message writer so tests do not check the codec against itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::dns::testing {

struct QueryOptions {
  uint16_t id = 0x1234;
  uint16_t qclass = 1;
  std::optional<uint16_t> edns_udp_size;  // adds an OPT record
  uint8_t edns_version = 0;
  bool rd = true;
};

inline QueryOptions edns(uint16_t udp_size, uint8_t version = 0) {
  QueryOptions o;
  o.edns_udp_size = udp_size;
  o.edns_version = version;
  return o;
}
inline QueryOptions withId(uint16_t id) {
  QueryOptions o;
  o.id = id;
  return o;
}
inline QueryOptions withClass(uint16_t qclass) {
  QueryOptions o;
  o.qclass = qclass;
  return o;
}

std::vector<uint8_t> makeQuery(const std::string& name, uint16_t qtype,
                               const QueryOptions& options = {});

struct DecodedRecord {
  std::string name;  // as in the message, with trailing dot
  uint16_t type = 0;
  uint32_t ttl = 0;
  std::string data;  // "10.0.0.1", "0 100 80 web.ns.svc.cluster.local.", "\"1.0.1\"", ...
};

struct DecodedResponse {
  uint16_t id = 0;
  uint16_t flags = 0;
  int rcode = 0;  // with the extended bits from OPT
  bool tc() const { return flags & 0x0200; }
  bool aa() const { return flags & 0x0400; }
  std::string qname;
  uint16_t qtype = 0;
  std::vector<DecodedRecord> answers, authority, additional;
  bool has_opt = false;
  uint16_t opt_udp_size = 0;
  size_t size = 0;

  std::vector<std::string> answerData(uint16_t type) const;
};

// nullopt if the message does not decode (the test then fails on it).
std::optional<DecodedResponse> decodeResponse(const std::vector<uint8_t>& message);

}  // namespace ferry::dns::testing
