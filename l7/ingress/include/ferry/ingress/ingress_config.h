// The immutable snapshot ferry-ingress serves from: routes, each route backend's endpoints and
// the certificates. Built off the request path by IngressConfigBuilder and published as
// IngressConfig::Ptr; workers load the current pointer per request or per connection and never
// see a half-updated state (swap the shared_ptr atomically, e.g. std::atomic<shared_ptr>).
//
// Backend resolution, through the shared model (one model::Service per Service port, compiled
// by agent::ServiceCompiler from Services and EndpointSlices):
//  - port.name: the model Service {ns, name, port name}.
//  - port.number: the model Service of that ns/name whose ClusterIP frontend has that port.
//  - endpoints: the Service's ready endpoints (address + resolved targetPort), both families;
//    when none is ready, the serving-terminating ones (KEP-1669), as the L4 paths do. Traffic
//    policies do not apply: the proxy connects to endpoints directly, not through the VIP.
//  - Outcomes: kServiceUnknown (no such Service in the model — also headless, ExternalName and
//    unallocated Services, which the compiler does not model), kPortUnknown (Service known,
//    port not), kResolved with endpoints possibly EMPTY (-> 503 "no ready endpoints").
//  - Maglev (annotation ferry.io/load-balance: maglev): a table over the endpoints, slot value
//    = endpoint index + 1 (0 = empty), size Service::maglev_size or kMaglevDefaultSize. The
//    permutation depends only on each endpoint's address and port, so every replica of
//    ferry-ingress builds the same table.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ferry/ingress/route_table.h"
#include "ferry/ingress/tls_table.h"
#include "ferry/model/address.h"
#include "ferry/model/maglev.h"
#include "ferry/model/snapshot.h"

namespace ferry::ingress {

struct Endpoint {
  model::IpAddress address;
  uint16_t port = 0;  // the target port

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const Endpoint&) const = default;
};

enum class ResolveStatus : uint8_t { kResolved, kServiceUnknown, kPortUnknown };

std::string_view toString(ResolveStatus status);

struct ResolvedBackend {
  ResolveStatus status = ResolveStatus::kServiceUnknown;
  std::vector<Endpoint> endpoints;    // sorted; empty with kResolved = no ready endpoint (503)
  bool terminating_fallback = false;  // endpoints are serving-terminating ones (KEP-1669)
  LoadBalance load_balance = LoadBalance::kRoundRobin;
  std::shared_ptr<const model::MaglevTable> maglev;  // only for kMaglev with endpoints
  // The model Service it came from (null unless kResolved): same pointer = unchanged.
  std::shared_ptr<const model::Service> service;

  bool routable() const { return status == ResolveStatus::kResolved && !endpoints.empty(); }
  // Maglev pick: the endpoint for a flow hash, or null when there is no table or endpoint.
  const Endpoint* maglevPick(uint64_t hash) const;
};

class IngressConfig {
 public:
  using Ptr = std::shared_ptr<const IngressConfig>;
  using BackendPtr = std::shared_ptr<const ResolvedBackend>;

  IngressConfig(uint64_t version, RouteTable::Ptr routes, std::vector<BackendPtr> backends,
                TlsTable::Ptr tls, model::ServiceSnapshot::Ptr services,
                std::vector<std::string> warnings);

  uint64_t version() const { return version_; }
  const RouteTable& routes() const { return *routes_; }
  const RouteTable::Ptr& routesPtr() const { return routes_; }
  const TlsTable& tls() const { return *tls_; }
  const TlsTable::Ptr& tlsPtr() const { return tls_; }
  const model::ServiceSnapshot::Ptr& services() const { return services_; }

  // The resolution of routes().backends()[id]; shared with the previous config when neither
  // the Backend nor its model Service changed (pointer equality = keep the upstream pool).
  const ResolvedBackend& backend(const Backend& b) const { return *backends_[b.id]; }
  const BackendPtr& backendPtr(uint32_t id) const { return backends_[id]; }
  std::span<const BackendPtr> backends() const { return backends_; }

  // Route conflicts, missing Secrets, ignored annotations, rejected objects: for the log.
  std::span<const std::string> warnings() const { return warnings_; }

 private:
  uint64_t version_;
  RouteTable::Ptr routes_;
  std::vector<BackendPtr> backends_;
  TlsTable::Ptr tls_;
  model::ServiceSnapshot::Ptr services_;
  std::vector<std::string> warnings_;
};

// Resolves one Backend against the model. `previous` (may be null) is reused when it came from
// the same model Service with the same balancing.
IngressConfig::BackendPtr resolveBackend(const Backend& backend,
                                         const model::ServiceSnapshot& services,
                                         const IngressConfig::BackendPtr& previous = nullptr);

// The model Service a ServiceRef names in `ns`, with whether the Service exists at all.
struct ServiceLookup {
  const model::Service* service = nullptr;
  std::shared_ptr<const model::Service> shared;
  bool service_known = false;
};
ServiceLookup findModelService(const model::ServiceSnapshot& services, std::string_view ns,
                               const ServiceRef& ref);

}  // namespace ferry::ingress
