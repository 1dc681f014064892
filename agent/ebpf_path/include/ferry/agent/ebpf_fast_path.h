// The eBPF fast path: the socket-level load balancer attached to the node's workload cgroup
// (ClusterIP, externalIPs and LoadBalancer IPs dialled from pods and from the node itself),
// programmed through the LbProjector. The per-packet programs (NodePort from other nodes, tc
// and XDP) join here, sharing the same maps.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ferry/agent/fast_path.h"
#include "ferry/ebpf/lb_projector.h"
#include "ferry/ebpf/sock_lb.h"
#include "ferry/runtime/metrics.h"

namespace ferry::agent {

struct EbpfFastPathOptions {
  std::string cgroup_path = "/sys/fs/cgroup/unified";  // where the socket hooks attach
  std::string node_name;
  std::vector<model::IpAddress> node_addresses;
  ebpf::LbMapSizes sizes;
  // bpffs directory for the maps and links ("" = none): with it, a restarted agent takes over
  // the running datapath instead of rebuilding it, and nothing stops while it is away.
  std::string pin_dir;
};

class EbpfFastPath final : public FastPath {
 public:
  // Loads and attaches; nullptr with `error` when the kernel refuses.
  static std::unique_ptr<EbpfFastPath> create(const EbpfFastPathOptions& options,
                                              std::string& error);

  const char* name() const override { return "ebpf"; }
  bool program(const model::ServiceSnapshot& snapshot, std::string& error) override;

  ebpf::ProjectionStats lastStats() const;
  // Datapath counters into `metrics`: connections balanced per service of `snapshot`, drops
  // by reason, entries that did not fit the maps. For the scrape; safe beside program().
  void exportMetrics(const model::ServiceSnapshot& snapshot, runtime::Registry& metrics) const;
  // Entries taken over from a previous agent's pinned maps at start (0 on a fresh start).
  size_t adoptedEntries() const { return adopted_; }
  // Removes the pins, so the hooks go away with this process (an uninstall, not a restart).
  void unpin() { sock_lb_->unpin(); }

 private:
  EbpfFastPath(std::unique_ptr<ebpf::SockLb> sock_lb, ebpf::ProjectorOptions projector);

  std::unique_ptr<ebpf::SockLb> sock_lb_;
  ebpf::LbProjector projector_;
  mutable std::mutex mu_;  // the projector is programmed by the sync loop, read by scrapes
  ebpf::ProjectionStats stats_;
  size_t adopted_ = 0;
};

}  // namespace ferry::agent
