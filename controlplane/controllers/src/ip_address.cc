#include "ip_address.h"

#include <algorithm>
#include <cstdio>

namespace ferry::controlplane::detail {
namespace {

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Dotted quad into out[0..3]. Leading zeros are decimal (ParseIPSloppy).
bool parseIPv4(std::string_view s, uint8_t* out) {
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.empty() || s.front() != '.') {
        return false;
      }
      s.remove_prefix(1);
    }
    size_t n = 0;
    unsigned value = 0;
    while (n < s.size() && isDigit(s[n])) {
      value = value * 10 + static_cast<unsigned>(s[n] - '0');
      if (value > 255) {
        return false;
      }
      ++n;
    }
    if (n == 0) {
      return false;
    }
    out[part] = static_cast<uint8_t>(value);
    s.remove_prefix(n);
  }
  return s.empty();
}

// Go's parseIPv6: hex groups, at most one "::" standing for at least one zero group, and an
// optional IPv4 tail in the last 32 bits.
bool parseIPv6(std::string_view s, std::array<uint8_t, 16>& out) {
  out.fill(0);
  int i = 0;
  int ellipsis = -1;
  if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
    ellipsis = 0;
    s.remove_prefix(2);
    if (s.empty()) {
      return true;
    }
  }
  while (!s.empty()) {
    size_t n = 0;
    unsigned group = 0;
    while (n < s.size() && hexValue(s[n]) >= 0) {
      if (n == 4) {
        return false;
      }
      group = group * 16 + static_cast<unsigned>(hexValue(s[n]));
      ++n;
    }
    if (n < s.size() && s[n] == '.') {
      if ((ellipsis < 0 && i != 12) || i + 4 > 16) {
        return false;
      }
      if (!parseIPv4(s, out.data() + i)) {
        return false;
      }
      i += 4;
      break;
    }
    if (n == 0 || i + 2 > 16) {
      return false;
    }
    out[i] = static_cast<uint8_t>(group >> 8);
    out[i + 1] = static_cast<uint8_t>(group & 0xff);
    i += 2;
    s.remove_prefix(n);
    if (s.empty()) {
      break;
    }
    if (s.front() != ':' || s.size() == 1) {
      return false;
    }
    s.remove_prefix(1);
    if (s.front() == ':') {
      if (ellipsis >= 0) {
        return false;
      }
      ellipsis = i;
      s.remove_prefix(1);
      if (s.empty()) {
        break;
      }
    }
    if (i == 16) {
      return false;
    }
  }
  if (i < 16) {
    if (ellipsis < 0) {
      return false;
    }
    int n = 16 - i;
    for (int j = i - 1; j >= ellipsis; --j) {
      out[j + n] = out[j];
    }
    for (int j = ellipsis + n - 1; j >= ellipsis; --j) {
      out[j] = 0;
    }
  } else if (ellipsis >= 0) {
    return false;
  }
  return true;
}

bool isV4Mapped(const std::array<uint8_t, 16>& b) {
  return std::all_of(b.begin(), b.begin() + 10, [](uint8_t x) { return x == 0; }) &&
         b[10] == 0xff && b[11] == 0xff;
}

}  // namespace

std::string IpAddress::toString() const {
  char buf[64];
  if (family == IpFamily::kIPv4) {
    std::snprintf(buf, sizeof(buf), "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return buf;
  }
  std::array<unsigned, 8> groups{};
  for (size_t g = 0; g < groups.size(); ++g) {
    groups[g] = (static_cast<unsigned>(bytes[2 * g]) << 8) | bytes[2 * g + 1];
  }
  int best_start = -1;
  int best_len = 0;
  for (int g = 0; g < 8;) {
    if (groups[g] != 0) {
      ++g;
      continue;
    }
    int start = g;
    while (g < 8 && groups[g] == 0) {
      ++g;
    }
    if (g - start > best_len) {
      best_start = start;
      best_len = g - start;
    }
  }
  if (best_len < 2) {
    best_start = -1;
  }
  std::string out;
  for (int g = 0; g < 8; ++g) {
    if (g == best_start) {
      out += "::";
      g += best_len - 1;
      continue;
    }
    if (g > 0 && g != best_start + best_len) {
      out += ':';
    }
    std::snprintf(buf, sizeof(buf), "%x", groups[g]);
    out += buf;
  }
  return out;
}

bool operator<(const IpAddress& a, const IpAddress& b) {
  if (a.family != b.family) {
    return a.family == IpFamily::kIPv4;
  }
  return a.bytes < b.bytes;
}

std::optional<IpAddress> parseIpSloppy(std::string_view text) {
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    if (!parseIPv4(text, ip.bytes.data())) {
      return std::nullopt;
    }
    ip.family = IpFamily::kIPv4;
    return ip;
  }
  std::array<uint8_t, 16> b{};
  if (!parseIPv6(text, b)) {
    return std::nullopt;
  }
  if (isV4Mapped(b)) {
    ip.family = IpFamily::kIPv4;
    std::copy(b.begin() + 12, b.end(), ip.bytes.begin());
    return ip;
  }
  ip.family = IpFamily::kIPv6;
  ip.bytes = b;
  return ip;
}

std::string_view addressTypeName(IpFamily family) {
  return family == IpFamily::kIPv4 ? "IPv4" : "IPv6";
}

std::optional<IpFamily> familyFromName(std::string_view name) {
  if (name == "IPv4") {
    return IpFamily::kIPv4;
  }
  if (name == "IPv6") {
    return IpFamily::kIPv6;
  }
  return std::nullopt;
}

bool addressLess(std::string_view a, std::string_view b) {
  auto pa = parseIpSloppy(a);
  auto pb = parseIpSloppy(b);
  if (pa && pb) {
    if (*pa == *pb) {
      return a < b;
    }
    return *pa < *pb;
  }
  if (pa.has_value() != pb.has_value()) {
    return pa.has_value();
  }
  return a < b;
}

}  // namespace ferry::controlplane::detail
