#include "ferry/dns/zone.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include "ferry/dns/domain_name.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {

Zone::Zone(ZoneConfig config, bool synced, uint32_t serial, std::vector<Apex> apexes,
           NameTable names)
    : config_(std::move(config)),
      synced_(synced),
      serial_(serial),
      apexes_(std::move(apexes)),
      names_(std::move(names)) {
  if (!apexes_.empty()) pod_suffix_ = std::string("\3pod", 4) + apexes_.front().name;
}

const Zone::Apex* Zone::enclosingApex(std::string_view lower) const {
  const Apex* best = nullptr;
  for (const Apex& apex : apexes_) {
    if (isSubdomain(lower, apex.name) && (!best || apex.name.size() > best->name.size())) {
      best = &apex;
    }
  }
  return best;
}

std::span<const Record> Zone::recordsAt(std::string_view lower) const {
  const auto it = names_.find(lower);
  if (it == names_.end()) return {};
  return it->second;
}

bool Zone::synthesizePod(std::string_view lower, std::string_view apex, Record& scratch) const {
  if (pod_suffix_.empty() || apex != apexes_.front().name) return false;
  if (lower.size() <= pod_suffix_.size() || !lower.ends_with(pod_suffix_)) return false;
  // Exactly two labels before "pod": the dashed address and the namespace.
  const std::string_view head = lower.substr(0, lower.size() - pod_suffix_.size());
  const auto first = static_cast<uint8_t>(head[0]);
  if (1u + first >= head.size()) return false;
  const auto second = static_cast<uint8_t>(head[1 + first]);
  if (2u + first + second != head.size() || second == 0) return false;

  // Dashes stand for dots (IPv4) or colons (IPv6), as in CoreDNS.
  std::array<char, 64> text{};
  if (first >= text.size()) return false;
  const std::string_view label = head.substr(1, first);
  const bool v4 = label.find_first_not_of("0123456789-") == std::string_view::npos;
  for (size_t i = 0; i < label.size(); ++i) text[i] = label[i] == '-' ? (v4 ? '.' : ':') : label[i];
  std::array<uint8_t, 16> bytes{};
  if (inet_pton(v4 ? AF_INET : AF_INET6, text.data(), bytes.data()) != 1) return false;
  scratch.type = v4 ? rrtype::kA : rrtype::kAaaa;
  scratch.ttl = config_.ttl;
  scratch.fixed.assign(reinterpret_cast<const char*>(bytes.data()), v4 ? 4 : 16);
  return true;
}

Lookup Zone::lookup(std::string_view lower, uint16_t qtype, Record& scratch) const {
  Lookup out;
  const Apex* apex = enclosingApex(lower);
  if (!apex) return out;
  out.soa = &apex->soa;
  out.apex = apex->name;

  const auto it = names_.find(lower);
  if (it != names_.end()) {
    out.records = it->second;
  } else if (config_.pods == PodMode::kInsecure && synthesizePod(lower, apex->name, scratch)) {
    out.records = std::span<const Record>(&scratch, 1);
  } else {
    out.kind = LookupKind::kNxDomain;
    return out;
  }

  const auto has = [&](uint16_t type) {
    return std::any_of(out.records.begin(), out.records.end(),
                       [type](const Record& r) { return r.type == type; });
  };
  if (qtype == rrtype::kAny) {
    out.kind = out.records.empty() ? LookupKind::kNoData : LookupKind::kAnswer;
  } else if (has(qtype)) {
    out.kind = LookupKind::kAnswer;
  } else if (has(rrtype::kCname)) {
    out.kind = LookupKind::kCname;
  } else {
    out.kind = LookupKind::kNoData;
  }
  return out;
}

}  // namespace ferry::dns
