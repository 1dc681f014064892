#include "ferry/agent/ebpf_fast_path.h"

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
  auto stats = projector_.apply(snapshot, error);
  if (!stats) return false;
  stats_ = *stats;
  if (stats->skipped > 0) {
    error = std::to_string(stats->skipped) + " entries did not fit the maps";
    return false;  // counted by the caller; everything that fitted is programmed
  }
  return true;
}

}  // namespace ferry::agent
