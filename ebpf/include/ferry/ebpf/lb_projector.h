// Projects the shared model's ServiceSnapshot into the load balancer's maps (ferry/abi/lb.h):
// the one place that decides what the fast paths' frontend, slot, backend and rev-NAT entries
// are. Each apply() computes the whole desired state, compares it with what it wrote last and
// writes only the difference, in an order that never lets a packet or a connect() see a
// frontend whose slots or backends are missing: backends, then slots, then frontends are
// written; then frontends, slots and backends that are gone are deleted.
//
// What is decided here (and so is the same for every program reading the maps):
//   - one svc_id per (model service, scope, address family): traffic policies are per scope,
//     so the internal and external views of a service may have different backend sets, and a
//     dual-stack service's IPv4 frontends pair only with its IPv4 backends (likewise IPv6);
//   - the backend set per scope is model::usableBackends(): Local policies keep this node's
//     endpoints, ready endpoints first, serving-terminating ones only when none is ready;
//   - a NodePort frontend (the unspecified address) becomes one entry per node address of its
//     family.
// Weights are not expanded into slots yet (every usable backend gets one slot).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/ebpf/lb_xdp.h"
#include "ferry/model/id_allocator.h"
#include "ferry/model/snapshot.h"

namespace ferry::ebpf {

struct ProjectorOptions {
  std::string node_name;                         // decides which endpoints are local
  std::vector<model::IpAddress> node_addresses;  // NodePort frontends answer on these
  LbMapSizes sizes;                              // id ranges (services, backends, rev_nat)
  // How long a released id is held back: flows (conntrack, sockets) may still name it.
  std::chrono::nanoseconds id_hold = std::chrono::minutes(10);
};

struct ProjectionStats {
  size_t frontends = 0, slots = 0, backends = 0;  // entries in the maps afterwards
  size_t writes = 0, deletes = 0;                 // map operations this apply made
  size_t skipped = 0;  // frontends left out because an id range or map was full
};

class LbProjector {
 public:
  LbProjector(const LbMapFds& maps, ProjectorOptions options);

  // Makes the maps say what `snapshot` says. On a map error returns nullopt with `error`; the
  // maps then hold a mix of old and new entries, all of them consistent, and the next apply()
  // repairs the rest.
  std::optional<ProjectionStats> apply(const model::ServiceSnapshot& snapshot, std::string& error);

 private:
  using Bytes = std::string;  // a map key or value, byte for byte
  struct Table {
    int fd = -1;
    std::map<Bytes, Bytes> written;
  };
  // Brings `table` to `desired`: `phase` 0 writes new and changed entries, 1 deletes the rest.
  bool sync(Table& table, const std::map<Bytes, Bytes>& desired, int phase, ProjectionStats& stats,
            std::string& error);

  LbMapFds maps_;
  ProjectorOptions options_;
  Table frontends_, slots_, backends_, rev_nat_;
  struct ScopedName {
    model::ServiceName name;
    uint8_t scope = 0;
    uint8_t family = 0;
    auto operator<=>(const ScopedName&) const = default;
  };
  struct BackendKey {
    model::IpAddress address;
    uint16_t port = 0;
    uint8_t proto = 0;
    auto operator<=>(const BackendKey&) const = default;
  };
  struct FrontendKey {
    model::IpAddress address;
    uint16_t port = 0;
    uint8_t proto = 0;
    auto operator<=>(const FrontendKey&) const = default;
  };
  model::StableIds<ScopedName> svc_ids_;
  model::StableIds<BackendKey> backend_ids_;
  model::StableIds<FrontendKey> rev_nat_ids_;
};

}  // namespace ferry::ebpf
