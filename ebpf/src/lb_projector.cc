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
  if (maps_.maglev >= 0) maglev_ = std::make_unique<MaglevTables>(maps_.maglev);
}

LbProjector::~LbProjector() = default;

// --- desired state, per service ---

void LbProjector::Desired::add(const Bytes& key, const Bytes& value, std::set<Bytes>& touched) {
  auto& e = entries[key];
  e.value = value;  // a key two services claim (bad input) goes to the last one projected
  ++e.refs;
  touched.insert(key);
}

void LbProjector::Desired::drop(const Bytes& key, std::set<Bytes>& touched) {
  auto it = entries.find(key);
  if (it == entries.end()) return;
  if (--it->second.refs == 0) entries.erase(it);
  touched.insert(key);
}

LbProjector::Contribution LbProjector::project(const model::Service& svc, model::MonoTime now,
                                               ProjectionStats& stats) {
  Contribution c;
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
    c.svc_names.push_back(sname);
    const auto usable =
        model::usableBackends(svc, static_cast<model::Scope>(scope), options_.node_name);
    uint16_t slot = 0;
    std::vector<model::MaglevBackend> maglev;
    for (const model::Backend* b : usable.backends) {
      // A dual-stack service's frontends of one family pair only with backends of it.
      if (b->address.family() != family) continue;
      const BackendKey bk{b->address, b->port, proto};
      auto bid = backend_ids_.acquire(bk, now);
      if (!bid) {
        ++stats.skipped;
        continue;
      }
      c.backend_keys.push_back(bk);
      ferry_lb_backend be{};
      be.addr = b->address.raw();
      be.port = htons(b->port);
      be.proto = proto;
      if (!options_.node_name.empty() && b->node == options_.node_name)
        be.flags |= FERRY_BE_F_LOCAL;
      if (usable.terminating_fallback) be.flags |= FERRY_BE_F_TERMINATING;
      // A backend shared by services has one entry; its flags come from the last writer,
      // and only LOCAL (the same for all) is read by the datapath today.
      c.backends.emplace_back(bytesOf(*bid), bytesOf(be));
      ferry_lb_slot_key sk{*svc_id, ++slot};
      c.slots.emplace_back(bytesOf(sk), bytesOf(*bid));
      if (svc.balancing == model::Balancing::kMaglev)
        maglev.push_back({model::maglevIdentity(b->address, b->port), b->weight, *bid});
    }
    if (svc.balancing == model::Balancing::kMaglev)
      c.maglev.emplace_back(*svc_id, std::move(maglev));
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
        c.frontend_keys.push_back(fk);
        ferry_lb_rev_nat rn{};
        rn.addr = addr.raw();
        rn.port = htons(fe->port);
        c.rev_nat.emplace_back(bytesOf(*rid), bytesOf(rn));
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
        c.frontends.emplace_back(bytesOf(key), bytesOf(val));
      }
    }
  }
  return c;
}

void LbProjector::add(const Contribution& c) {
  for (const auto& [k, v] : c.frontends) frontends_.desired.add(k, v, frontends_.touched);
  for (const auto& [k, v] : c.slots) slots_.desired.add(k, v, slots_.touched);
  for (const auto& [k, v] : c.backends) backends_.desired.add(k, v, backends_.touched);
  for (const auto& [k, v] : c.rev_nat) rev_nat_.desired.add(k, v, rev_nat_.touched);
  for (const auto& n : c.svc_names) ++svc_refs_[n];
  for (const auto& k : c.backend_keys) ++backend_refs_[k];
  for (const auto& k : c.frontend_keys) ++frontend_refs_[k];
  for (const auto& [id, backends] : c.maglev) {
    MaglevWanted& w = maglev_desired_[id];
    w.backends = backends;
    ++w.refs;
    maglev_touched_.insert(id);
  }
}

void LbProjector::drop(const Contribution& c, model::MonoTime now) {
  for (const auto& [k, v] : c.frontends) frontends_.desired.drop(k, frontends_.touched);
  for (const auto& [k, v] : c.slots) slots_.desired.drop(k, slots_.touched);
  for (const auto& [k, v] : c.backends) backends_.desired.drop(k, backends_.touched);
  for (const auto& [k, v] : c.rev_nat) rev_nat_.desired.drop(k, rev_nat_.touched);
  // Ids nobody refers to any more go back (held until flows naming them have expired); a
  // service's round-robin counter goes with its id.
  for (const auto& [id, backends] : c.maglev) {
    auto it = maglev_desired_.find(id);
    if (it != maglev_desired_.end() && --it->second.refs == 0) maglev_desired_.erase(it);
    maglev_touched_.insert(id);
  }
  for (const auto& n : c.svc_names)
    if (--svc_refs_[n] == 0) {
      svc_refs_.erase(n);
      if (auto id = svc_ids_.find(n); id && maps_.round_robin >= 0)
        released_svc_ids_.push_back(*id);
      svc_ids_.release(n, now);
    }
  for (const auto& k : c.backend_keys)
    if (--backend_refs_[k] == 0) {
      backend_refs_.erase(k);
      backend_ids_.release(k, now);
    }
  for (const auto& k : c.frontend_keys)
    if (--frontend_refs_[k] == 0) {
      frontend_refs_.erase(k);
      rev_nat_ids_.release(k, now);
    }
}

bool LbProjector::sync(Table& table, int phase, ProjectionStats& stats, std::string& error) {
  for (auto t = table.touched.begin(); t != table.touched.end();) {
    const Bytes& k = *t;
    auto want = table.desired.entries.find(k);
    auto have = table.written.find(k);
    if (phase == 0 && want != table.desired.entries.end()) {
      if (have == table.written.end() || have->second != want->second.value) {
        if (bpf_map_update_elem(table.fd, k.data(), want->second.value.data(), BPF_ANY) != 0) {
          const int err = errno;
          if (err != E2BIG && err != ENOMEM && err != ENOSPC) {
            error = "map update: " + std::string(std::strerror(err));
            return false;
          }
          ++stats.skipped;  // full: counted and reported, the rest still goes in
        } else {
          table.written[k] = want->second.value;
          ++stats.writes;
        }
      }
    } else if (phase == 1 && want == table.desired.entries.end() && have != table.written.end()) {
      if (bpf_map_delete_elem(table.fd, k.data()) != 0 && errno != ENOENT) {
        error = "map delete: " + std::string(std::strerror(errno));
        return false;
      }
      ++stats.deletes;
      table.written.erase(have);
    }
    // After the delete phase the key is settled; a failed write stays touched for next time.
    if (phase == 1 && (want == table.desired.entries.end() || table.written.contains(k)))
      t = table.touched.erase(t);
    else
      ++t;
  }
  return true;
}

namespace {

// Every key and value of a map, by iteration (bpf_map_get_next_key).
std::vector<std::pair<std::string, std::string>> dumpMap(int fd, size_t key_size,
                                                         size_t value_size) {
  std::vector<std::pair<std::string, std::string>> out;
  std::string key(key_size, '\0'), next(key_size, '\0'), value(value_size, '\0');
  const void* prev = nullptr;
  while (bpf_map_get_next_key(fd, prev, next.data()) == 0) {
    if (bpf_map_lookup_elem(fd, next.data(), value.data()) == 0) out.emplace_back(next, value);
    key = next;
    prev = key.data();
  }
  return out;
}

}  // namespace

std::vector<uint32_t> LbProjector::serviceIds(const model::ServiceName& name) const {
  std::vector<uint32_t> ids;
  auto it = projected_.find(name);
  if (it == projected_.end()) return ids;
  for (const auto& sname : it->second.contribution.svc_names)
    if (auto id = svc_ids_.find(sname)) ids.push_back(*id);
  return ids;
}

std::optional<size_t> LbProjector::adoptExisting(std::string& error) {
  size_t found = 0;
  for (auto& [k, v] : dumpMap(backends_.fd, sizeof(uint32_t), sizeof(ferry_lb_backend))) {
    uint32_t id;
    ferry_lb_backend be;
    std::memcpy(&id, k.data(), sizeof id);
    std::memcpy(&be, v.data(), sizeof be);
    // Same backend, same id: flows that remember it stay valid across the restart.
    if (!backend_ids_.adopt(BackendKey{model::IpAddress(be.addr), ntohs(be.port), be.proto}, id)) {
      error = "backend id " + std::to_string(id) + " found twice or out of range";
      return std::nullopt;
    }
    backends_.written[k] = v;
    backends_.touched.insert(k);
    ++found;
  }
  for (auto& [k, v] :
       dumpMap(frontends_.fd, sizeof(ferry_lb_svc_key), sizeof(ferry_lb_svc_value))) {
    ferry_lb_svc_value val;
    std::memcpy(&val, v.data(), sizeof val);
    if (svc_ids_.reserve(val.svc_id)) reserved_svc_ids_.push_back(val.svc_id);
    frontends_.written[k] = v;
    frontends_.touched.insert(k);
    ++found;
  }
  for (auto& [k, v] : dumpMap(rev_nat_.fd, sizeof(uint32_t), sizeof(ferry_lb_rev_nat))) {
    uint32_t id;
    std::memcpy(&id, k.data(), sizeof id);
    if (rev_nat_ids_.reserve(id)) reserved_rev_nat_ids_.push_back(id);
    rev_nat_.written[k] = v;
    rev_nat_.touched.insert(k);
    ++found;
  }
  // An earlier agent's Maglev tables: rebuilt (or removed) by the first apply().
  if (maps_.maglev >= 0) {
    for (auto& [k, v] : dumpMap(maps_.maglev, sizeof(uint32_t), sizeof(uint32_t))) {
      uint32_t id;
      std::memcpy(&id, k.data(), sizeof id);
      maglev_touched_.insert(id);
    }
  }
  for (auto& [k, v] : dumpMap(slots_.fd, sizeof(ferry_lb_slot_key), sizeof(uint32_t))) {
    ferry_lb_slot_key sk;
    std::memcpy(&sk, k.data(), sizeof sk);
    if (svc_ids_.reserve(sk.svc_id)) reserved_svc_ids_.push_back(sk.svc_id);
    slots_.written[k] = v;
    slots_.touched.insert(k);
    ++found;
  }
  return found;
}

// Tables are written after the backends they name and before the frontends that select them;
// a service that stopped being Maglev (or went away) loses its table.
bool LbProjector::syncMaglev(std::string& error) {
  if (!maglev_) {
    maglev_touched_.clear();
    return true;
  }
  for (auto it = maglev_touched_.begin(); it != maglev_touched_.end();) {
    const uint32_t id = *it;
    auto want = maglev_desired_.find(id);
    if (want == maglev_desired_.end()) {
      maglev_->remove(id);
    } else {
      const auto built = model::buildMaglev(want->second.backends, FERRY_MAGLEV_SIZE);
      if (!maglev_->set(id, built.table, error)) return false;
    }
    it = maglev_touched_.erase(it);
  }
  return true;
}

std::optional<ProjectionStats> LbProjector::apply(const model::ServiceSnapshot& snapshot,
                                                  std::string& error) {
  const auto now = monoNow();
  ProjectionStats stats;
  // Only services that are not the very object projected last time are recomputed: snapshots
  // share unchanged services by pointer, so a one-service change costs one service.
  std::set<model::ServiceName> seen;
  for (const auto& svc_ptr : snapshot.services()) {
    seen.insert(svc_ptr->name);
    auto it = projected_.find(svc_ptr->name);
    if (it != projected_.end() && it->second.service == svc_ptr) continue;
    Contribution next = project(*svc_ptr, now, stats);
    add(next);  // before dropping the old one, so ids both use are never released
    if (it != projected_.end()) {
      drop(it->second.contribution, now);
      it->second = {svc_ptr, std::move(next)};
    } else {
      projected_.emplace(svc_ptr->name, Projected{svc_ptr, std::move(next)});
    }
  }
  for (auto it = projected_.begin(); it != projected_.end();) {
    if (seen.contains(it->first)) {
      ++it;
      continue;
    }
    drop(it->second.contribution, now);
    it = projected_.erase(it);
  }

  // Writes inside-out, deletes outside-in: a reader never follows a dangling reference.
  if (!sync(backends_, 0, stats, error) || !sync(slots_, 0, stats, error) || !syncMaglev(error) ||
      !sync(rev_nat_, 0, stats, error) || !sync(frontends_, 0, stats, error) ||
      !sync(frontends_, 1, stats, error) || !sync(rev_nat_, 1, stats, error) ||
      !sync(slots_, 1, stats, error) || !sync(backends_, 1, stats, error))
    return std::nullopt;
  for (uint32_t id : released_svc_ids_) bpf_map_delete_elem(maps_.round_robin, &id);
  released_svc_ids_.clear();
  // Entries an earlier agent wrote are all replaced or deleted now: their ids may go back.
  for (uint32_t id : reserved_svc_ids_) {
    svc_ids_.releaseReserved(id, now);
    if (maps_.round_robin >= 0) bpf_map_delete_elem(maps_.round_robin, &id);
  }
  for (uint32_t id : reserved_rev_nat_ids_) rev_nat_ids_.releaseReserved(id, now);
  reserved_svc_ids_.clear();
  reserved_rev_nat_ids_.clear();
  stats.frontends = frontends_.written.size();
  stats.slots = slots_.written.size();
  stats.backends = backends_.written.size();
  return stats;
}

}  // namespace ferry::ebpf
