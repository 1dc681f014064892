#include "ferry/dns/zone_builder.h"

#include <algorithm>

#include "ferry/dns/domain_name.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {

namespace {

std::string label(std::string_view text) {
  std::string out;
  appendLabel(out, text);
  return out;
}

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

class Builder {
 public:
  Builder(const ZoneConfig& config, uint32_t serial) : config_(config), serial_(serial) {
    origin_ = lowerName(nameFromText(config.origin).value_or(std::string(1, '\0')));
    addApex(origin_);
    for (const std::string& zone : config.reverse_zones) {
      if (auto wire = nameFromText(zone)) addApex(lowerName(*wire));
    }
    add(label("dns-version") + origin_, txt("1.0.1"));
    ensure(label("svc") + origin_);
    ensure(label("pod") + origin_);
  }

  void service(const ServiceObject& svc, const std::vector<const EndpointSliceObject*>& slices) {
    const std::string owner = serviceName(svc.ns, svc.name);
    switch (svc.kind) {
      case ServiceKind::kExternalName:
        add(owner, named(rrtype::kCname, svc.external_name));
        return;
      case ServiceKind::kClusterIp:
        ensure(owner);  // exists even before an IP is allocated: NODATA, not NXDOMAIN
        for (const IpAddress& ip : svc.cluster_ips) {
          add(owner, address(ip));
          add(reverseName(ip), named(rrtype::kPtr, owner));
        }
        for (const PortSpec& port : svc.ports) {
          if (!port.name.empty()) add(srvName(port, owner), srv(port.port, owner));
        }
        return;
      case ServiceKind::kHeadless:
        headless(svc, owner, slices);
        return;
    }
  }

  void pod(const PodObject& pod) {
    for (const IpAddress& ip : pod.ips) {
      add(label(ip.dashed()) + label(pod.ns) + label("pod") + origin_, address(ip));
    }
  }

  std::shared_ptr<const Zone> finish(bool synced) {
    for (auto& [name, records] : names_) {
      std::sort(records.begin(), records.end());
      records.erase(std::unique(records.begin(), records.end()), records.end());
    }
    return std::make_shared<const Zone>(config_, synced, serial_, std::move(apexes_),
                                        std::move(names_));
  }

 private:
  // Headless: the service name lists every ready address; each endpoint gets its own name
  // (its hostname, else its dashed address) and SRVs point at those names. No ready endpoint,
  // no names at all: the spec wants NXDOMAIN then.
  void headless(const ServiceObject& svc, const std::string& owner,
                const std::vector<const EndpointSliceObject*>& slices) {
    for (const EndpointSliceObject* slice : slices) {
      for (const EndpointEntry& ep : slice->endpoints) {
        if (!ep.ready && !svc.publish_not_ready) continue;
        for (const IpAddress& ip : ep.addresses) {
          const std::string endpoint =
              label(ep.hostname.empty() ? ip.dashed() : ep.hostname) + owner;
          add(owner, address(ip));
          add(endpoint, address(ip));
          add(reverseName(ip), named(rrtype::kPtr, endpoint));
          for (const PortSpec& port : slice->ports) {
            if (!port.name.empty()) add(srvName(port, owner), srv(port.port, endpoint));
          }
        }
      }
    }
  }

  std::string serviceName(const std::string& ns, const std::string& name) const {
    return label(name) + label(ns) + label("svc") + origin_;
  }

  static std::string srvName(const PortSpec& port, const std::string& service) {
    return label("_" + port.name) + label("_" + port.protocol) + service;
  }

  Record base(uint16_t type) const {
    Record r;
    r.type = type;
    r.ttl = config_.ttl;
    return r;
  }

  Record address(const IpAddress& ip) const {
    Record r = base(ip.v6 ? rrtype::kAaaa : rrtype::kA);
    r.fixed = std::string(ip.wire());
    return r;
  }

  Record named(uint16_t type, const std::string& target) const {
    Record r = base(type);
    r.target = target;
    return r;
  }

  Record srv(uint16_t port, const std::string& target) const {
    Record r = named(rrtype::kSrv, target);
    r.srv_priority = 0;
    r.srv_weight = 100;
    r.srv_port = port;
    return r;
  }

  Record txt(std::string_view text) const {
    Record r = base(rrtype::kTxt);
    r.fixed.push_back(static_cast<char>(text.size()));
    r.fixed.append(text);
    return r;
  }

  void addApex(const std::string& apex) {
    if (apex.size() <= 1) return;
    Record soa = named(rrtype::kSoa, label("ns") + label("dns") + origin_);
    soa.mailbox = label("hostmaster") + origin_;
    // RFC 2308 §3: negative answers are cached for min(SOA TTL, MINIMUM).
    soa.ttl = std::min(config_.ttl, config_.negative_ttl);
    soa.fixed = be32(serial_) + be32(kSoaRefresh) + be32(kSoaRetry) + be32(kSoaExpire) +
                be32(config_.negative_ttl);
    apexes_.push_back({apex, soa});
    names_[apex].push_back(soa);
    names_[apex].push_back(named(rrtype::kNs, soa.target));
  }

  const Zone::Apex* apexOf(std::string_view name) const {
    const Zone::Apex* best = nullptr;
    for (const Zone::Apex& apex : apexes_) {
      if (isSubdomain(name, apex.name) && (!best || apex.name.size() > best->name.size())) {
        best = &apex;
      }
    }
    return best;
  }

  // Creates the name and its ancestors up to the apex, so empty non-terminals such as
  // "<ns>.svc.<zone>" answer NODATA rather than NXDOMAIN (RFC 8020).
  bool ensure(const std::string& name) {
    const Zone::Apex* apex = apexOf(name);
    if (!apex) return false;
    bool stop = false;
    forEachLabelOffset(name, [&](size_t offset) {
      if (stop) return;
      const std::string_view suffix = std::string_view(name).substr(offset);
      if (suffix.size() <= apex->name.size()) {
        stop = true;
        return;
      }
      names_.try_emplace(std::string(suffix));
    });
    return true;
  }

  void add(const std::string& name, Record record) {
    if (ensure(name)) names_[name].push_back(std::move(record));
  }

  const ZoneConfig& config_;
  uint32_t serial_;
  std::string origin_;
  std::vector<Zone::Apex> apexes_;
  NameTable names_;
};

}  // namespace

std::string reverseName(const IpAddress& ip) {
  std::string out;
  if (!ip.v6) {
    for (int i = 3; i >= 0; --i) appendLabel(out, std::to_string(ip.bytes[i]));
    appendLabel(out, "in-addr");
  } else {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      appendLabel(out, std::string(1, kHex[ip.bytes[i] & 0xF]));
      appendLabel(out, std::string(1, kHex[ip.bytes[i] >> 4]));
    }
    appendLabel(out, "ip6");
  }
  appendLabel(out, "arpa");
  out.push_back('\0');
  return out;
}

std::shared_ptr<const Zone> buildZone(const ZoneConfig& config, const ClusterObjects& objects,
                                      bool synced, uint32_t serial) {
  Builder builder(config, serial);
  std::map<ObjectKey, std::vector<const EndpointSliceObject*>> slices_by_service;
  for (const auto& [key, slice] : objects.slices) {
    if (!slice.service.empty()) slices_by_service[{slice.ns, slice.service}].push_back(&slice);
  }
  static const std::vector<const EndpointSliceObject*> kNone;
  for (const auto& [key, svc] : objects.services) {
    const auto it = slices_by_service.find(key);
    builder.service(svc, it == slices_by_service.end() ? kNone : it->second);
  }
  if (config.pods == PodMode::kVerified) {
    for (const auto& [key, pod] : objects.pods) builder.pod(pod);
  }
  return builder.finish(synced);
}

}  // namespace ferry::dns
