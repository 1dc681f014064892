#include "ferry/ebpf/lb_projector.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "ferry/abi/lb.h"
#include "ferry/model/endpoint_selection.h"

namespace ferry::ebpf {
namespace {

template <class T>
std::string bytesOf(const T& v) {
  return std::string(reinterpret_cast<const char*>(&v), sizeof v);
}

model::MonoTime monoNow() {
  return std::chrono::duration_cast<model::MonoTime>(
      std::chrono::steady_clock::now().time_since_epoch());
}

// The views of a service that get their own svc_id and slots.
constexpr std::pair<uint8_t, model::Family> kViews[] = {
    {FERRY_SCOPE_INTERNAL, model::Family::kIpv4},
    {FERRY_SCOPE_INTERNAL, model::Family::kIpv6},
    {FERRY_SCOPE_EXTERNAL, model::Family::kIpv4},
    {FERRY_SCOPE_EXTERNAL, model::Family::kIpv6},
};

uint8_t flagsFor(const model::Service& svc, const model::Frontend& fe) {
  uint8_t f = 0;
  if (svc.affinity_timeout_s > 0) f |= FERRY_SVC_F_AFFINITY;
  if (svc.policyFor(fe.scope) == model::TrafficPolicy::kLocal) f |= FERRY_SVC_F_LOCAL_ONLY;
  if (!svc.source_ranges.empty() && fe.scope == model::Scope::kExternal)
    f |= FERRY_SVC_F_SOURCE_RANGES;
  if (fe.kind == model::FrontendKind::kNodePort) f |= FERRY_SVC_F_NODEPORT;
  if (fe.kind == model::FrontendKind::kExternalIp ||
      fe.kind == model::FrontendKind::kLoadBalancerIp)
    f |= FERRY_SVC_F_EXTERNAL_IP;
  return f;
}

}  // namespace

LbProjector::LbProjector(const LbMapFds& maps, ProjectorOptions options)
    : maps_(maps),
      options_(std::move(options)),
      svc_ids_(options_.sizes.services, options_.id_hold),
      backend_ids_(options_.sizes.backends, options_.id_hold),
      rev_nat_ids_(std::min<uint32_t>(options_.sizes.rev_nat, 0xffff), options_.id_hold) {
  frontends_.fd = maps_.services;
  slots_.fd = maps_.slots;
  backends_.fd = maps_.backends;
  rev_nat_.fd = maps_.rev_nat;
}

bool LbProjector::sync(Table& table, const std::map<Bytes, Bytes>& desired, int phase,
                       ProjectionStats& stats, std::string& error) {
  if (phase == 0) {
    for (const auto& [k, v] : desired) {
      auto it = table.written.find(k);
      if (it != table.written.end() && it->second == v) continue;
      if (bpf_map_update_elem(table.fd, k.data(), v.data(), BPF_ANY) != 0) {
        const int err = errno;
        if (err == E2BIG || err == ENOMEM || err == ENOSPC) {
          ++stats.skipped;  // full: counted and reported, the rest still goes in
          continue;
        }
        error = "map update: " + std::string(std::strerror(err));
        return false;
      }
      table.written[k] = v;
      ++stats.writes;
    }
    return true;
  }
  for (auto it = table.written.begin(); it != table.written.end();) {
    if (desired.contains(it->first)) {
      ++it;
      continue;
    }
    if (bpf_map_delete_elem(table.fd, it->first.data()) != 0 && errno != ENOENT) {
      error = "map delete: " + std::string(std::strerror(errno));
      return false;
    }
    ++stats.deletes;
    it = table.written.erase(it);
  }
  return true;
}

std::optional<ProjectionStats> LbProjector::apply(const model::ServiceSnapshot& snapshot,
                                                  std::string& error) {
  const auto now = monoNow();
  ProjectionStats stats;
  std::map<Bytes, Bytes> want_frontends, want_slots, want_backends, want_rev_nat;
  std::set<ScopedName> live_svcs;
  std::set<BackendKey> live_backends;
  std::set<FrontendKey> live_frontends;

  for (const auto& svc_ptr : snapshot.services()) {
    const model::Service& svc = *svc_ptr;
    const auto proto = static_cast<uint8_t>(svc.protocol);
    for (const auto& [scope, family] : kViews) {
      std::vector<const model::Frontend*> fes;
      for (const auto& fe : svc.frontends)
        if (static_cast<uint8_t>(fe.scope) == scope && fe.address.family() == family)
          fes.push_back(&fe);
      if (fes.empty()) continue;
      const ScopedName sname{svc.name, scope, static_cast<uint8_t>(family)};
      auto svc_id = svc_ids_.acquire(sname, now);
      if (!svc_id) {
        stats.skipped += fes.size();
        continue;
      }
      live_svcs.insert(sname);
      const auto usable =
          model::usableBackends(svc, static_cast<model::Scope>(scope), options_.node_name);
      uint16_t slot = 0;
      for (const model::Backend* b : usable.backends) {
        // A dual-stack service's frontends of one family pair only with backends of it.
        if (b->address.family() != family) continue;
        const BackendKey bk{b->address, b->port, proto};
        auto bid = backend_ids_.acquire(bk, now);
        if (!bid) {
          ++stats.skipped;
          continue;
        }
        live_backends.insert(bk);
        ferry_lb_backend be{};
        be.addr = b->address.raw();
        be.port = htons(b->port);
        be.proto = proto;
        if (!options_.node_name.empty() && b->node == options_.node_name)
          be.flags |= FERRY_BE_F_LOCAL;
        if (usable.terminating_fallback) be.flags |= FERRY_BE_F_TERMINATING;
        // A backend shared by services has one entry; its flags come from the last writer,
        // and only LOCAL (the same for all) is read by the datapath today.
        want_backends[bytesOf(*bid)] = bytesOf(be);
        ferry_lb_slot_key sk{*svc_id, ++slot};
        want_slots[bytesOf(sk)] = bytesOf(*bid);
      }
      for (const model::Frontend* fe : fes) {
        std::vector<model::IpAddress> addrs;
        if (fe->address.isUnspecified()) {
          for (const auto& a : options_.node_addresses)
            if (a.family() == fe->address.family()) addrs.push_back(a);
        } else {
          addrs.push_back(fe->address);
        }
        for (const auto& addr : addrs) {
          const FrontendKey fk{addr, fe->port, proto};
          auto rid = rev_nat_ids_.acquire(fk, now);
          if (!rid) {
            ++stats.skipped;
            continue;
          }
          live_frontends.insert(fk);
          ferry_lb_rev_nat rn{};
          rn.addr = addr.raw();
          rn.port = htons(fe->port);
          want_rev_nat[bytesOf(*rid)] = bytesOf(rn);
          ferry_lb_svc_key key{};
          key.addr = addr.raw();
          key.port = htons(fe->port);
          key.proto = proto;
          key.scope = scope;
          ferry_lb_svc_value val{};
          val.svc_id = *svc_id;
          val.backend_count = slot;
          val.rev_nat_id = static_cast<uint16_t>(*rid);
          val.algorithm = static_cast<uint8_t>(svc.balancing);
          val.flags = flagsFor(svc, *fe);
          val.affinity_timeout_s = svc.affinity_timeout_s;
          want_frontends[bytesOf(key)] = bytesOf(val);
        }
      }
    }
  }

  // Writes inside-out, deletes outside-in: a reader never follows a dangling reference.
  if (!sync(backends_, want_backends, 0, stats, error) ||
      !sync(slots_, want_slots, 0, stats, error) ||
      !sync(rev_nat_, want_rev_nat, 0, stats, error) ||
      !sync(frontends_, want_frontends, 0, stats, error) ||
      !sync(frontends_, want_frontends, 1, stats, error) ||
      !sync(rev_nat_, want_rev_nat, 1, stats, error) ||
      !sync(slots_, want_slots, 1, stats, error) ||
      !sync(backends_, want_backends, 1, stats, error))
    return std::nullopt;

  // Ids of what is gone go back (held until flows naming them have expired); a service's
  // round-robin counter goes with its id.
  for (uint32_t id :
       svc_ids_.releaseUnless([&](const ScopedName& n) { return live_svcs.contains(n); }, now))
    if (maps_.round_robin >= 0) bpf_map_delete_elem(maps_.round_robin, &id);
  backend_ids_.releaseUnless([&](const BackendKey& k) { return live_backends.contains(k); }, now);
  rev_nat_ids_.releaseUnless([&](const FrontendKey& k) { return live_frontends.contains(k); }, now);
  stats.frontends = frontends_.written.size();
  stats.slots = slots_.written.size();
  stats.backends = backends_.written.size();
  return stats;
}

}  // namespace ferry::ebpf
