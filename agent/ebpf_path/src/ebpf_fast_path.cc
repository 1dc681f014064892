#include "ferry/agent/ebpf_fast_path.h"

#include "ferry/model/drop_reason.h"

namespace ferry::agent {

std::unique_ptr<EbpfFastPath> EbpfFastPath::create(const EbpfFastPathOptions& options,
                                                   std::string& error) {
  ebpf::SockLbOptions so;
  so.sizes = options.sizes;
  so.pin_dir = options.pin_dir;
  auto sock_lb = ebpf::SockLb::load(so, error);
  if (!sock_lb) return nullptr;
  if (!sock_lb->attach(options.cgroup_path, error)) return nullptr;
  ebpf::ProjectorOptions po;
  po.node_name = options.node_name;
  po.node_addresses = options.node_addresses;
  po.sizes = options.sizes;
  const bool reused = sock_lb->reusedPinnedMaps();
  std::unique_ptr<EbpfFastPath> fp(new EbpfFastPath(std::move(sock_lb), std::move(po)));
  if (reused) {
    auto adopted = fp->projector_.adoptExisting(error);
    if (!adopted) return nullptr;
    fp->adopted_ = *adopted;
  }
  return fp;
}

EbpfFastPath::EbpfFastPath(std::unique_ptr<ebpf::SockLb> sock_lb, ebpf::ProjectorOptions projector)
    : sock_lb_(std::move(sock_lb)), projector_(sock_lb_->maps(), std::move(projector)) {}

bool EbpfFastPath::program(const model::ServiceSnapshot& snapshot, std::string& error) {
  std::lock_guard lock(mu_);
  auto stats = projector_.apply(snapshot, error);
  if (!stats) return false;
  stats_ = *stats;
  if (stats->skipped > 0) {
    error = std::to_string(stats->skipped) + " entries did not fit the maps";
    return false;  // counted by the caller; everything that fitted is programmed
  }
  return true;
}

ebpf::ProjectionStats EbpfFastPath::lastStats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

void EbpfFastPath::exportMetrics(const model::ServiceSnapshot& snapshot,
                                 runtime::Registry& metrics) const {
  std::lock_guard lock(mu_);
  std::string error;
  for (const auto& svc : snapshot.services()) {
    uint64_t total = 0;
    for (uint32_t id : projector_.serviceIds(svc->name))
      if (auto n = sock_lb_->serviceConnections(id, error)) total += *n;
    metrics
        .gauge("ferry_agent_service_connections",
               "Connections and datagram destinations balanced per service port since the datapath "
               "was loaded.",
               {{"service", svc->name.toString()}})
        .set(static_cast<double>(total));
  }
  if (auto drops = ebpf::readDropCounters(sock_lb_->maps().drops, error)) {
    for (size_t reason = 1; reason < drops->size(); ++reason)
      metrics
          .gauge("ferry_agent_datapath_drops",
                 "Datapath refusals by reason since the datapath was loaded.",
                 {{"reason", std::string(model::dropReasonName(static_cast<int>(reason)))}})
          .set(static_cast<double>((*drops)[reason]));
  }
  metrics
      .gauge("ferry_agent_map_entries_skipped",
             "Entries the last programming could not fit in the maps.")
      .set(static_cast<double>(stats_.skipped));
}

}  // namespace ferry::agent
