// What `ferry pod` keeps on disk under its state directory (scripts/up's FERRY_STATE_DIR):
//   nodes/<node>.json      a node's namespace, cgroup and pod CIDR (written by scripts/up)
//   nodes/<node>.ipam      its pod IP allocations (IpPool)
//   pods/<ns>/<pod>.json   a running pod: where it lives and who supervises it
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::agent::pods {

struct NodeConfig {
  std::string name;
  std::string netns;       // the node's network namespace (under /run/netns)
  std::string cgroup;      // cgroup v2 directory the node's agent balances
  std::string pod_cidr;    // e.g. 10.244.1.0/24; its first address is the pods' gateway
  std::string node_ip;     // the node's own address (status.hostIP)
  std::string dns_server;  // nameserver for pods' resolv.conf ("" keeps the host's)
  std::string dns_search;  // cluster domain, e.g. cluster.local
};

struct PodRecord {
  std::string namespace_;
  std::string name;
  std::string node;
  std::string netns;
  std::string cgroup;
  std::string ip;
  std::string gateway;
  std::string host_veth;  // the veth end in the node's namespace
  std::string resolv_conf;
  pid_t supervisor = 0;  // `ferry pod run`
  pid_t pid = 0;         // the pod's command
};

class PodState {
 public:
  explicit PodState(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }

  api::Result<NodeConfig> node(const std::string& name) const;
  std::vector<std::string> nodeNames() const;
  std::string ipamPath(const std::string& node) const;

  api::Result<PodRecord> pod(const std::string& ns, const std::string& name) const;
  std::vector<PodRecord> pods() const;
  std::string savePod(const PodRecord& pod) const;  // "" or the error
  void removePod(const std::string& ns, const std::string& name) const;
  std::string resolvConfPath(const std::string& ns, const std::string& name) const;

 private:
  std::string podPath(const std::string& ns, const std::string& name) const;
  std::string dir_;
};

// The state directory: $FERRY_STATE_DIR, else /var/lib/ferry/local (scripts/up's default).
std::string defaultStateDir();

}  // namespace ferry::agent::pods
