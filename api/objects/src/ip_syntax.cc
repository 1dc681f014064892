#include "ferry/api/ip_syntax.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>

namespace ferry::api {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// Dotted quad with decimal fields; leading zeros allowed (ParseIPSloppy reads "010" as 10).
std::optional<std::array<uint8_t, 4>> parseV4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (pos >= s.size() || s[pos] != '.') return std::nullopt;
      ++pos;
    }
    size_t start = pos;
    unsigned value = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      value = value * 10 + static_cast<unsigned>(s[pos] - '0');
      if (value > 255) return std::nullopt;
      ++pos;
    }
    if (pos == start) return std::nullopt;
    out[static_cast<size_t>(i)] = static_cast<uint8_t>(value);
  }
  if (pos != s.size()) return std::nullopt;
  return out;
}

}  // namespace

bool ParsedIp::isUnspecified() const {
  if (is_v4) return bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0 && bytes[15] == 0;
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

bool ParsedIp::isLoopback() const {
  if (is_v4) return bytes[12] == 127;
  for (size_t i = 0; i < 15; ++i) {
    if (bytes[i] != 0) return false;
  }
  return bytes[15] == 1;
}

bool ParsedIp::isLinkLocalUnicast() const {
  if (is_v4) return bytes[12] == 169 && bytes[13] == 254;
  return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

bool ParsedIp::isLinkLocalMulticast() const {
  if (is_v4) return bytes[12] == 224 && bytes[13] == 0 && bytes[14] == 0;
  return bytes[0] == 0xff && (bytes[1] & 0x0f) == 0x02;
}

std::optional<ParsedIp> parseIp(std::string_view text) {
  ParsedIp ip;
  if (auto v4 = parseV4(text)) {
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), ip.bytes.begin());
    std::copy(v4->begin(), v4->end(), ip.bytes.begin() + 12);
    ip.is_v4 = true;
    return ip;
  }
  if (text.find(':') == std::string_view::npos || text.size() > 45) return std::nullopt;
  std::string buf(text);
  if (inet_pton(AF_INET6, buf.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  ip.is_v4 = std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), ip.bytes.begin());
  return ip;
}

bool isValidIp(std::string_view text) {
  return parseIp(text).has_value();
}

bool isIpv4(std::string_view text) {
  auto ip = parseIp(text);
  return ip && ip->is_v4;
}

bool isIpv6(std::string_view text) {
  auto ip = parseIp(text);
  return ip && !ip->is_v4;
}

bool isValidCidr(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  std::string_view addr = text.substr(0, slash);
  std::string_view len = text.substr(slash + 1);
  // Go's dtoi: decimal, leading zeros allowed.
  if (len.empty() || len.size() > 8) return false;
  int bits = 0;
  for (char c : len) {
    if (c < '0' || c > '9') return false;
    bits = bits * 10 + (c - '0');
  }
  // The family is the text's, not Go's mapped view: "::ffff:1.2.3.4/120" is an IPv6 CIDR.
  if (parseV4(addr)) return bits <= 32;
  return parseIp(addr).has_value() && bits <= 128;
}

}  // namespace ferry::api
