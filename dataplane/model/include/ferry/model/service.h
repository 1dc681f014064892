// The one model of a service that every projection (eBPF maps, DPDK tables, L7 routes, DNS)
// is derived from. A `Service` here is one service *port* — what a packet's destination
// address:port:protocol selects — as in Cilium's and kube-proxy's internal models: a
// Kubernetes Service with ports http and https is two model Services.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

#include "ferry/abi/lb.h"
#include "ferry/model/address.h"

namespace ferry::model {

enum class Protocol : uint8_t { kTcp = 6, kUdp = 17, kSctp = 132 };

enum class FrontendKind : uint8_t {
  kClusterIp,       // spec.clusterIP(s)
  kNodePort,        // every node address (an unspecified address), or one node address
  kExternalIp,      // spec.externalIPs
  kLoadBalancerIp,  // status.loadBalancer.ingress[].ip
};

// Which traffic policy governs a frontend: internal (internalTrafficPolicy) for traffic from
// inside the cluster, external (externalTrafficPolicy) for traffic from outside.
enum class Scope : uint8_t {
  kExternal = FERRY_SCOPE_EXTERNAL,
  kInternal = FERRY_SCOPE_INTERNAL,
};

struct Frontend {
  IpAddress address;  // unspecified (::) for a NodePort on every node address
  uint16_t port = 0;
  FrontendKind kind = FrontendKind::kClusterIp;
  Scope scope = Scope::kInternal;

  auto operator<=>(const Frontend&) const = default;
};

// An endpoint's condition as EndpointSlices report it (ready/serving/terminating).
enum class BackendState : uint8_t {
  kReady,               // ready: receives new connections
  kServingTerminating,  // serving && terminating: used only when nothing is ready (KEP-1669)
  kTerminating,         // terminating and not serving: existing flows only
  kNotReady,            // not ready, not terminating: no traffic
};

struct Backend {
  IpAddress address;
  uint16_t port = 0;  // the resolved targetPort
  BackendState state = BackendState::kReady;
  std::string node;  // nodeName, empty when unknown
  std::string zone;
  uint32_t weight = 1;

  auto operator<=>(const Backend&) const = default;
};

enum class Balancing : uint8_t {
  kRoundRobin = FERRY_LB_ROUND_ROBIN,
  kRandom = FERRY_LB_RANDOM,
  kMaglev = FERRY_LB_MAGLEV,
};

enum class TrafficPolicy : uint8_t { kCluster, kLocal };

// Namespace, Service name and the service port's name ("" for a single unnamed port).
struct ServiceName {
  std::string ns;
  std::string name;
  std::string port;

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const ServiceName&) const = default;
  std::string toString() const;  // "ns/name:port"
};

struct Service {
  ServiceName name;
  Protocol protocol = Protocol::kTcp;
  std::vector<Frontend> frontends;
  std::vector<Backend> backends;
  Balancing balancing = Balancing::kRoundRobin;
  uint32_t affinity_timeout_s = 0;  // sessionAffinity ClientIP when > 0
  TrafficPolicy external_policy = TrafficPolicy::kCluster;
  TrafficPolicy internal_policy = TrafficPolicy::kCluster;
  std::vector<Cidr> source_ranges;  // loadBalancerSourceRanges; empty = everyone
  uint16_t health_check_node_port = 0;
  uint32_t maglev_size = 0;  // 0 = kMaglevDefaultSize

  bool operator==(const Service&) const = default;

  TrafficPolicy policyFor(Scope scope) const {
    return scope == Scope::kInternal ? internal_policy : external_policy;
  }
};

}  // namespace ferry::model
