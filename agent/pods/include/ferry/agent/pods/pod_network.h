// A pod's network namespace, its veth into the node's namespace and its cgroup under the
// node's: built from the `ip` tool and cgroupfs, removed again on teardown. Names derive from
// the node's namespace and the pod's namespace/name, so they are unique per cluster and a
// leftover of a crashed run is found and replaced rather than duplicated.
#pragma once

#include <string>

#include "ferry/agent/pods/pod_state.h"

namespace ferry::agent::pods {

// "<node netns>.<namespace>.<pod>": Kubernetes namespaces hold no dots, so distinct pods never
// share a name. "" when the result would be too long for /run/netns.
std::string podNetnsName(const std::string& node_netns, const std::string& ns,
                         const std::string& pod);
// "fp<n>", n the address's offset in the pod CIDR: unique within the node's namespace, and at
// most 15 characters (IFNAMSIZ).
std::string podVethName(const std::string& pod_cidr, const std::string& ip);
// <node cgroup>/<namespace>.<pod>
std::string podCgroupPath(const std::string& node_cgroup, const std::string& ns,
                          const std::string& pod);

// Creates the namespace (replacing a leftover of the same name), the veth pair (eth0 in the
// pod, `host_veth` in the node), the pod's address as a /32 with a default route via the
// gateway, and the node's /32 route back. On failure removes what it made. "" or the error.
std::string createPodNetwork(const PodRecord& pod, const std::string& node_netns);
// Deletes the namespace (which takes the veth pair and the node's route with it). Idempotent.
std::string removePodNetwork(const PodRecord& pod, const std::string& node_netns);

bool netnsExists(const std::string& name);

// mkdir of the cgroup (fine when it exists).
std::string createCgroup(const std::string& path);
// Kills every process left in the cgroup (cgroup.kill) and removes it; idempotent.
std::string removeCgroup(const std::string& path);

}  // namespace ferry::agent::pods
