// Projects the shared model's ServiceSnapshot into the load balancer's maps (ferry/abi/lb.h):
// the one place that decides what the fast paths' frontend, slot, backend and rev-NAT entries
// are. Each apply() recomputes only the services that changed since the last one (snapshots
// share unchanged services by pointer), compares their entries with what it wrote and writes
// only the difference, in an order that never lets a packet or a connect() see a
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
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/ebpf/lb_xdp.h"
#include "ferry/ebpf/maglev_tables.h"
#include "ferry/model/id_allocator.h"
#include "ferry/model/maglev.h"
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
  ~LbProjector();

  // Makes the maps say what `snapshot` says. On a map error returns nullopt with `error`; the
  // maps then hold a mix of old and new entries, all of them consistent, and the next apply()
  // repairs the rest.
  std::optional<ProjectionStats> apply(const model::ServiceSnapshot& snapshot, std::string& error);

  // Takes over what an earlier agent left in (pinned) maps, before the first apply(): its
  // entries count as written, so that apply() rewrites what changed and deletes what is gone
  // while the datapath goes on using the old entries until then; its backend ids are kept for
  // the same backends, and its service and rev-NAT ids are not handed out again until that
  // first apply() has replaced every entry that names them. Returns the entries found.
  std::optional<size_t> adoptExisting(std::string& error);

  // The svc_ids of `name`'s views (internal/external scope, IPv4/IPv6) currently programmed.
  std::vector<uint32_t> serviceIds(const model::ServiceName& name) const;

 private:
  using Bytes = std::string;  // a map key or value, byte for byte
  // What the maps should hold, with how many services want each entry (a backend can serve
  // several), and which keys changed since they were last synced.
  struct Desired {
    struct Entry {
      Bytes value;
      int refs = 0;
    };
    std::map<Bytes, Entry> entries;
    void add(const Bytes& key, const Bytes& value, std::set<Bytes>& touched);
    void drop(const Bytes& key, std::set<Bytes>& touched);
  };
  struct Table {
    int fd = -1;
    Desired desired;
    std::set<Bytes> touched;
    std::map<Bytes, Bytes> written;  // what the map holds, as far as this projector wrote it
  };
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
  // One model service's entries and the ids they hold.
  struct Contribution {
    std::vector<std::pair<Bytes, Bytes>> frontends, slots, backends, rev_nat;
    std::vector<ScopedName> svc_names;
    std::vector<BackendKey> backend_keys;
    std::vector<FrontendKey> frontend_keys;
    // Maglev services: each view's (svc_id's) backends as the table is built from.
    std::vector<std::pair<uint32_t, std::vector<model::MaglevBackend>>> maglev;
  };
  struct Projected {
    std::shared_ptr<const model::Service> service;
    Contribution contribution;
  };

  Contribution project(const model::Service& svc, model::MonoTime now, ProjectionStats& stats);
  void add(const Contribution& c);
  void drop(const Contribution& c, model::MonoTime now);
  // Brings the touched keys of `table` to their desired state: `phase` 0 writes new and
  // changed entries, 1 deletes the unwanted ones.
  bool sync(Table& table, int phase, ProjectionStats& stats, std::string& error);

  LbMapFds maps_;
  ProjectorOptions options_;
  Table frontends_, slots_, backends_, rev_nat_;
  std::map<model::ServiceName, Projected> projected_;
  std::map<ScopedName, int> svc_refs_;
  std::map<BackendKey, int> backend_refs_;
  std::map<FrontendKey, int> frontend_refs_;
  // Maglev tables wanted per svc_id (refcounted like Desired: an update adds before it drops),
  // the svc_ids whose table must be rebuilt or removed at the next sync, and the writer.
  struct MaglevWanted {
    std::vector<model::MaglevBackend> backends;
    int refs = 0;
  };
  std::map<uint32_t, MaglevWanted> maglev_desired_;
  std::set<uint32_t> maglev_touched_;
  std::unique_ptr<MaglevTables> maglev_;  // null when the program has no ferry_maglev map
  bool syncMaglev(std::string& error);
  std::vector<uint32_t> released_svc_ids_;  // round-robin counters to delete after the sync
  std::vector<uint32_t> reserved_svc_ids_, reserved_rev_nat_ids_;  // from adoptExisting()
  model::StableIds<ScopedName> svc_ids_;
  model::StableIds<BackendKey> backend_ids_;
  model::StableIds<FrontendKey> rev_nat_ids_;
};

}  // namespace ferry::ebpf
