#include "ferry/dns/address_set.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace ferry::dns {

ClientAddress ClientAddress::v4(const std::array<uint8_t, 4>& a) {
  ClientAddress out;
  out.bytes[10] = 0xFF;
  out.bytes[11] = 0xFF;
  std::memcpy(out.bytes.data() + 12, a.data(), 4);
  return out;
}

bool ClientAddress::isV4() const {
  static constexpr std::array<uint8_t, 12> kMapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return std::memcmp(bytes.data(), kMapped.data(), kMapped.size()) == 0;
}

std::optional<ClientAddress> ClientAddress::parse(std::string_view text) {
  const std::string s(text);
  std::array<uint8_t, 4> v4bytes{};
  if (inet_pton(AF_INET, s.c_str(), v4bytes.data()) == 1) return v4(v4bytes);
  ClientAddress out;
  if (inet_pton(AF_INET6, s.c_str(), out.bytes.data()) == 1) return out;
  return std::nullopt;
}

bool Cidr::contains(const ClientAddress& a) const {
  const size_t full = prefix / 8;
  if (std::memcmp(a.bytes.data(), address.bytes.data(), full) != 0) return false;
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a.bytes[full] & mask) == (address.bytes[full] & mask);
}

api::Result<Cidr> parseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  const auto address = ClientAddress::parse(text.substr(0, slash));
  if (!address) return api::Error{"not an address range: " + std::string(text)};
  Cidr out{*address, 128};
  const unsigned offset = address->isV4() ? 96 : 0;
  if (slash != std::string_view::npos) {
    unsigned bits = 0;
    const auto digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() ||
        bits > 128 - offset) {
      return api::Error{"bad prefix length in " + std::string(text)};
    }
    out.prefix = static_cast<uint8_t>(bits + offset);
  }
  return out;
}

api::Result<AddressSet> AddressSet::parse(const std::vector<std::string>& texts) {
  std::vector<Cidr> ranges;
  if (texts.size() == 1 && texts[0] == "none") return AddressSet{};
  for (const auto& t : texts) {
    auto cidr = parseCidr(t);
    if (!cidr.ok()) return api::Error{cidr.error()};
    ranges.push_back(*cidr);
  }
  return AddressSet(std::move(ranges));
}

bool AddressSet::contains(const ClientAddress& a) const {
  for (const Cidr& c : ranges_) {
    if (c.contains(a)) return true;
  }
  return false;
}

std::vector<std::string> defaultRecursionRanges() {
  return {"127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7"};
}

}  // namespace ferry::dns
