// Textual IP addresses and CIDRs as kube-apiserver accepts them (k8s.io/utils/net
// ParseIPSloppy/ParseCIDRSloppy: IPv4 octets may carry leading zeros, read as decimal). The API
// layer keeps its own small parser: module api may not reach ferry::model.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ferry::api {

struct ParsedIp {
  // Go's view: an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 address.
  bool is_v4 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 in the last 4 bytes, mapped (::ffff:a.b.c.d)

  bool isUnspecified() const;
  bool isLoopback() const;
  bool isLinkLocalUnicast() const;    // 169.254.0.0/16, fe80::/10
  bool isLinkLocalMulticast() const;  // 224.0.0.0/24, ff02::/16 (any flags nibble)
};

std::optional<ParsedIp> parseIp(std::string_view text);
bool isValidIp(std::string_view text);
bool isIpv4(std::string_view text);  // valid and IPv4 (mapped counts, as in Go)
bool isIpv6(std::string_view text);  // valid and not IPv4
// "<ip>/<prefix>", prefix within the family's width; host bits may be set (as ParseCIDR).
bool isValidCidr(std::string_view text);

}  // namespace ferry::api
