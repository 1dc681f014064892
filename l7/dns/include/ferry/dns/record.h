// One resource record as the zone stores it. Names inside RDATA are kept apart from the fixed
// bytes so the message writer can compress them (RFC 1035 §4.1.4).
#pragma once

#include <cstdint>
#include <string>

namespace ferry::dns {

struct Record {
  uint16_t type = 0;
  uint32_t ttl = 0;
  // Written verbatim: A/AAAA address bytes, TXT character-strings, SOA's five 32-bit fields.
  std::string fixed;
  // Wire-form names: CNAME/PTR/NS/SRV target, SOA MNAME.
  std::string target;
  // SOA RNAME (wire form).
  std::string mailbox;
  uint16_t srv_priority = 0;
  uint16_t srv_weight = 0;
  uint16_t srv_port = 0;

  friend bool operator==(const Record&, const Record&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy misreads the defaulted <=> (its bug)
  friend auto operator<=>(const Record&, const Record&) = default;
};

}  // namespace ferry::dns
