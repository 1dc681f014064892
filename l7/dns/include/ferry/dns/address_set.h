// Client addresses and CIDR sets for the recursion ACL and response-rate limiting. IPv4 is held
// as IPv4-mapped IPv6 (RFC 4291 §2.5.5.2) so one 16-byte form and one matcher serve both.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::dns {

struct ClientAddress {
  std::array<uint8_t, 16> bytes{};

  static ClientAddress v4(const std::array<uint8_t, 4>& a);
  static ClientAddress v6(const std::array<uint8_t, 16>& a) { return {a}; }
  bool isV4() const;
  // "10.1.2.3", "fd00::1"; nullopt if neither.
  static std::optional<ClientAddress> parse(std::string_view text);
};

struct Cidr {
  ClientAddress address;
  uint8_t prefix = 0;  // in the 128-bit space (IPv4 /24 is 120)

  bool contains(const ClientAddress& a) const;
};

// "10.0.0.0/8", "fd00::/8", "192.0.2.1" (a host). Error names the text.
api::Result<Cidr> parseCidr(std::string_view text);

class AddressSet {
 public:
  AddressSet() = default;
  explicit AddressSet(std::vector<Cidr> ranges) : ranges_(std::move(ranges)) {}
  // Every entry must parse; "none" alone yields the empty set.
  static api::Result<AddressSet> parse(const std::vector<std::string>& texts);

  // Linear: these lists hold a handful of ranges.
  bool contains(const ClientAddress& a) const;
  bool empty() const { return ranges_.empty(); }

 private:
  std::vector<Cidr> ranges_;
};

// Loopback, RFC 1918 and ULA (RFC 4193): where a node's pods and hosts live.
std::vector<std::string> defaultRecursionRanges();

}  // namespace ferry::dns
