// What the endpoint controllers need to know about a Service and its pods, read once and
// defensively. The rules are kube's (k8s.io/endpointslice util/controller_utils.go,
// utils.go FindPort, pkg/controller/endpoint).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ip_address.h"
#include "json_access.h"
#include "slice_model.h"

namespace ferry::controlplane::detail {

struct ServicePortSpec {
  std::string name;
  int32_t port = 0;
  std::string protocol = "TCP";
  std::optional<std::string> app_protocol;
  // targetPort: a number, or a container port name resolved per pod.
  std::optional<int32_t> target_number;
  std::string target_name;
};

struct ServiceFacts {
  std::string name;
  std::string ns;
  std::string uid;
  StringMap labels;
  bool has_selector = false;
  bool external_name = false;
  bool ip_set = false;  // clusterIP set and not "None" (isServiceIPSet)
  bool publish_not_ready = false;
  bool deleting = false;  // metadata.deletionTimestamp set
  std::string cluster_ip;
  std::vector<IpFamily> ip_families;  // spec.ipFamilies, in order
  std::vector<ServicePortSpec> ports;
};

// nullopt (with a warning) when `service` is not an object with a name.
std::optional<ServiceFacts> readService(const Json& service, std::vector<std::string>& warnings);

// Why the endpoints controllers leave a Service alone (syncService: unreadable, ExternalName,
// no selector — kubernetes/kubernetes#105986), or "" when they manage it.
std::string selectorControllerSkipReason(const std::optional<ServiceFacts>& service);

struct PodFacts {
  const Json* pod = nullptr;
  std::string name;
  std::string ns;
  std::string uid;
  std::string node_name;
  bool terminal = false;     // phase Succeeded or Failed
  bool has_ip = false;       // status.podIP or status.podIPs non-empty (before parsing)
  bool terminating = false;  // metadata.deletionTimestamp set
  bool ready = false;        // the Ready condition is True
  bool hostname_set = false;
  std::string hostname;        // spec.hostname, when spec.subdomain names the Service
  std::vector<IpAddress> ips;  // status.podIPs (status.podIP if that is empty), parsed
};

// nullopt (with a warning) when the pod has no name or sits in another namespace.
std::optional<PodFacts> readPod(const Json& pod, const ServiceFacts& service,
                                std::vector<std::string>& warnings);

// ShouldPodBeInEndpoints: not terminal, has an IP, and not terminating unless that is allowed.
bool shouldPodBeInEndpoints(const PodFacts& pod, bool include_terminating);

// FindPort: a numeric targetPort as is; a named one from the pod's containers' ports (and
// restartable init containers', i.e. sidecars) with the same name and protocol.
std::optional<int32_t> findPort(const Json& pod, const ServicePortSpec& port);

// The ports a pod offers for the Service, in Service order; unresolvable ones left out.
std::vector<SlicePort> podPorts(const PodFacts& pod, const ServiceFacts& service);

// getAddressTypesForService: spec.ipFamilies; without them the clusterIP's family, or both for
// a headless Service (an API server that has not defaulted ipFamilies yet).
std::vector<IpFamily> sliceAddressTypes(const ServiceFacts& service);

// podToEndpointAddressForService's family: ipFamilies[0]; without it the clusterIP's family, or
// for a headless Service the family of the pod's primary IP.
IpFamily endpointsFamily(const ServiceFacts& service, const PodFacts& pod);

// {kind: Pod, namespace, name, uid}.
Json podTargetRef(const PodFacts& pod);

}  // namespace ferry::controlplane::detail
