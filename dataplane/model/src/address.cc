#include "ferry/model/address.h"

#include <arpa/inet.h>

#include <cstring>

namespace ferry::model {
namespace {

constexpr int kV4MappedPrefix = 96;

}  // namespace

IpAddress::IpAddress(const ferry_addr& raw) {
  std::memcpy(bytes_.data(), raw.b, 16);
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(text);  // inet_pton wants a terminated string
  IpAddress out;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out.bytes_[10] = 0xff;
    out.bytes_[11] = 0xff;
    std::memcpy(out.bytes_.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.bytes_.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

IpAddress IpAddress::v4(uint32_t host_order) {
  IpAddress out;
  out.bytes_[10] = 0xff;
  out.bytes_[11] = 0xff;
  out.bytes_[12] = static_cast<uint8_t>(host_order >> 24);
  out.bytes_[13] = static_cast<uint8_t>(host_order >> 16);
  out.bytes_[14] = static_cast<uint8_t>(host_order >> 8);
  out.bytes_[15] = static_cast<uint8_t>(host_order);
  return out;
}

Family IpAddress::family() const {
  ferry_addr r = raw();
  return ferry_addr_is_v4(&r) ? Family::kIpv4 : Family::kIpv6;
}

bool IpAddress::isUnspecified() const {
  if (family() == Family::kIpv4) return v4HostOrder() == 0;
  for (uint8_t b : bytes_)
    if (b != 0) return false;
  return true;
}

ferry_addr IpAddress::raw() const {
  ferry_addr r{};
  std::memcpy(r.b, bytes_.data(), 16);
  return r;
}

uint32_t IpAddress::v4HostOrder() const {
  return static_cast<uint32_t>(bytes_[12]) << 24 | static_cast<uint32_t>(bytes_[13]) << 16 |
         static_cast<uint32_t>(bytes_[14]) << 8 | bytes_[15];
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == Family::kIpv4) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  }
  return buf;
}

Cidr::Cidr(IpAddress base, int prefix_len) {
  mapped_len_ = base.family() == Family::kIpv4 ? prefix_len + kV4MappedPrefix : prefix_len;
  // Clear host bits so equal prefixes compare equal whatever base address was given.
  std::array<uint8_t, 16> b = base.bytes();
  for (int i = 0; i < 16; ++i) {
    int keep = mapped_len_ - i * 8;
    if (keep >= 8) continue;
    b[i] = keep <= 0 ? 0 : static_cast<uint8_t>(b[i] & (0xff << (8 - keep)));
  }
  ferry_addr raw{};
  std::memcpy(raw.b, b.data(), 16);
  base_ = IpAddress(raw);
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  std::string_view len_text = text.substr(slash + 1);
  if (len_text.empty() || len_text.size() > 3) return std::nullopt;
  int len = 0;
  for (char c : len_text) {
    if (c < '0' || c > '9') return std::nullopt;
    len = len * 10 + (c - '0');
  }
  int max = addr->family() == Family::kIpv4 ? 32 : 128;
  if (len > max) return std::nullopt;
  return Cidr(*addr, len);
}

int Cidr::prefixLength() const {
  return base_.family() == Family::kIpv4 ? mapped_len_ - kV4MappedPrefix : mapped_len_;
}

bool Cidr::contains(const IpAddress& addr) const {
  if (addr.family() != base_.family()) return false;
  const auto& a = addr.bytes();
  const auto& b = base_.bytes();
  for (int i = 0; i < 16; ++i) {
    int keep = mapped_len_ - i * 8;
    if (keep <= 0) break;
    uint8_t mask = keep >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - keep));
    if ((a[i] & mask) != (b[i] & mask)) return false;
  }
  return true;
}

std::string Cidr::toString() const {
  return base_.toString() + "/" + std::to_string(prefixLength());
}

}  // namespace ferry::model
