#include "ferry/ingress/ingress_config.h"

#include <algorithm>

namespace ferry::ingress {

std::string_view toString(ResolveStatus status) {
  switch (status) {
    case ResolveStatus::kResolved:
      return "resolved";
    case ResolveStatus::kServiceUnknown:
      return "service-unknown";
    case ResolveStatus::kPortUnknown:
      return "port-unknown";
  }
  return "?";
}

const Endpoint* ResolvedBackend::maglevPick(uint64_t hash) const {
  if (!maglev || maglev->slots.empty()) return nullptr;
  const uint32_t value = maglev->slots[hash % maglev->slots.size()];
  if (value == 0 || value > endpoints.size()) return nullptr;
  return &endpoints[value - 1];
}

IngressConfig::IngressConfig(uint64_t version, RouteTable::Ptr routes,
                             std::vector<BackendPtr> backends, TlsTable::Ptr tls,
                             model::ServiceSnapshot::Ptr services,
                             std::vector<std::string> warnings)
    : version_(version),
      routes_(std::move(routes)),
      backends_(std::move(backends)),
      tls_(std::move(tls)),
      services_(std::move(services)),
      warnings_(std::move(warnings)) {}

ServiceLookup findModelService(const model::ServiceSnapshot& services, std::string_view ns,
                               const ServiceRef& ref) {
  ServiceLookup out;
  // Services are sorted by {ns, name, port}: one Kubernetes Service's ports are adjacent.
  auto all = services.services();
  auto it = std::partition_point(all.begin(), all.end(), [&](const auto& s) {
    if (s->name.ns != ns) return std::string_view(s->name.ns) < ns;
    return s->name.name < ref.name;
  });
  for (; it != all.end() && (*it)->name.ns == ns && (*it)->name.name == ref.name; ++it) {
    out.service_known = true;
    const model::Service& s = **it;
    if (s.protocol != model::Protocol::kTcp) continue;
    bool hit = false;
    if (!ref.port_name.empty()) {
      hit = s.name.port == ref.port_name;
    } else {
      hit = std::any_of(s.frontends.begin(), s.frontends.end(), [&](const model::Frontend& f) {
        return f.kind == model::FrontendKind::kClusterIp && f.port == ref.port_number;
      });
    }
    if (hit) {
      out.service = &s;
      out.shared = *it;
      return out;
    }
  }
  return out;
}

IngressConfig::BackendPtr resolveBackend(const Backend& backend,
                                         const model::ServiceSnapshot& services,
                                         const IngressConfig::BackendPtr& previous) {
  ServiceLookup found = findModelService(services, backend.ns, backend.service);
  const LoadBalance lb = backend.options.load_balance;
  if (previous && previous->load_balance == lb && found.shared &&
      previous->service == found.shared) {
    return previous;  // same model Service object: nothing about it changed
  }
  auto out = std::make_shared<ResolvedBackend>();
  out->load_balance = lb;
  if (!found.service) {
    out->status =
        found.service_known ? ResolveStatus::kPortUnknown : ResolveStatus::kServiceUnknown;
    return out;
  }
  out->status = ResolveStatus::kResolved;
  out->service = found.shared;
  // Ready endpoints; when none is ready, serving-terminating ones (KEP-1669).
  for (model::BackendState wanted :
       {model::BackendState::kReady, model::BackendState::kServingTerminating}) {
    for (const model::Backend& b : found.service->backends) {
      if (b.state == wanted) out->endpoints.push_back({b.address, b.port});
    }
    if (!out->endpoints.empty()) {
      out->terminating_fallback = wanted == model::BackendState::kServingTerminating;
      break;
    }
  }
  std::sort(out->endpoints.begin(), out->endpoints.end());
  out->endpoints.erase(std::unique(out->endpoints.begin(), out->endpoints.end()),
                       out->endpoints.end());
  if (lb == LoadBalance::kMaglev && !out->endpoints.empty()) {
    std::vector<model::MaglevBackend> mb;
    mb.reserve(out->endpoints.size());
    for (size_t i = 0; i < out->endpoints.size(); ++i) {
      const Endpoint& e = out->endpoints[i];
      mb.push_back({model::maglevIdentity(e.address, e.port), 1, static_cast<uint32_t>(i + 1)});
    }
    uint32_t size = found.service->maglev_size;
    if (size == 0 || !model::isPrime(size)) size = model::kMaglevDefaultSize;
    auto table = std::make_shared<model::MaglevTable>(model::buildMaglev(mb, size).table);
    out->maglev = std::move(table);
  }
  return out;
}

}  // namespace ferry::ingress
