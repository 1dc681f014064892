// IP parsing and printing as Kubernetes does it (k8s.io/utils/net ParseIPSloppy, Go's
// net.IP.String), so addresses written to slices and Endpoints are canonical and compare equal
// to kube's.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ferry::controlplane::detail {

enum class IpFamily { kIPv4, kIPv6 };

struct IpAddress {
  IpFamily family = IpFamily::kIPv4;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes

  // Go's String(): dotted quad; IPv6 per RFC 5952 (lower case, the longest run of two or more
  // zero groups compressed, the first one on a tie, no embedded IPv4).
  std::string toString() const;
  friend bool operator<(const IpAddress& a, const IpAddress& b);
  friend bool operator==(const IpAddress& a, const IpAddress& b) = default;
};

// ParseIPSloppy: IPv4 dotted decimal where leading zeros are decimal ("010.0.0.1" is 10.0.0.1,
// as Go before 1.17 and kube still accept), or IPv6 (with an optional embedded IPv4 tail). An
// IPv4-mapped IPv6 address (::ffff:a.b.c.d) is IPv4, as Go's To4() says. No zones, no CIDRs.
std::optional<IpAddress> parseIpSloppy(std::string_view text);

// The address-type name used by EndpointSlices for a family: "IPv4" / "IPv6".
std::string_view addressTypeName(IpFamily family);
std::optional<IpFamily> familyFromName(std::string_view name);

// Orders address strings numerically (IPv4 before IPv6), unparsable ones last by text.
bool addressLess(std::string_view a, std::string_view b);

}  // namespace ferry::controlplane::detail
