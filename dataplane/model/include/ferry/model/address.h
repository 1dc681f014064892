// IP addresses and prefixes as the model stores them: always 16 bytes, IPv4 mapped
// (::ffff:a.b.c.d), identical to the fast paths' struct ferry_addr.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/abi/tuple.h"

namespace ferry::model {

enum class Family : uint8_t { kIpv4 = FERRY_AF_INET, kIpv6 = FERRY_AF_INET6 };

class IpAddress {
 public:
  IpAddress() = default;  // :: (the unspecified IPv6 address)
  explicit IpAddress(const ferry_addr& raw);

  // Parses dotted-quad IPv4 or RFC 4291 text IPv6. nullopt on anything else.
  static std::optional<IpAddress> parse(std::string_view text);
  static IpAddress v4(uint32_t host_order);

  Family family() const;
  bool isUnspecified() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  ferry_addr raw() const;
  // The IPv4 address in host order; only meaningful when family() == kIpv4.
  uint32_t v4HostOrder() const;

  std::string toString() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

// An address prefix such as 10.96.0.0/12 or fd00::/108.
class Cidr {
 public:
  Cidr() = default;
  Cidr(IpAddress base, int prefix_len);

  static std::optional<Cidr> parse(std::string_view text);

  const IpAddress& base() const { return base_; }
  // Prefix length in the address's own family (0-32 for IPv4, 0-128 for IPv6).
  int prefixLength() const;
  bool contains(const IpAddress& addr) const;
  std::string toString() const;

  auto operator<=>(const Cidr&) const = default;

 private:
  IpAddress base_;
  int mapped_len_ = 0;  // length over the 128-bit mapped form
};

}  // namespace ferry::model
