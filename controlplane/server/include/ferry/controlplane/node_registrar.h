// Node registration for agents (the kubelet's job in a Kubernetes cluster, ferry's agent's
// here): a heartbeat creates the Node object on first sight and then refreshes its addresses,
// pod CIDRs and Ready condition. The EndpointSlice controller needs Node objects (zones, and
// it leaves out pods on unknown nodes), and `kubectl get nodes` shows the agents.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane {

struct NodeHeartbeatInfo {
  std::string name;
  std::vector<std::pair<std::string, std::string>> addresses;  // (type, address)
  std::vector<std::string> pod_cidrs;
  std::map<std::string, std::string> labels;
  std::string agent_version;
};

class NodeRegistrar {
 public:
  NodeRegistrar(ObjectStorage& storage, const Admission& admission)
      : storage_(storage), admission_(admission) {}

  // The Node's resourceVersion after the heartbeat, or the API error (invalid name, ...).
  ApiResult<std::string> heartbeat(const NodeHeartbeatInfo& info);

 private:
  ObjectStorage& storage_;
  const Admission& admission_;
};

}  // namespace ferry::controlplane
