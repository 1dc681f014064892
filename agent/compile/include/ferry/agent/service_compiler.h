// The agent's compiler: Kubernetes Services, EndpointSlices and Nodes (JSON as the REST API
// serves it, which is what the feed carries) into the shared model's ServiceSnapshot, following
// kube-proxy's rules (pkg/proxy: servicechangetracker, endpointslicecache):
//
//  - One model::Service per Service *port*, named {namespace, name, port name}.
//  - Frontends: every spec.clusterIPs entry (scope internal); spec.ports[].nodePort for types
//    NodePort and LoadBalancer as the unspecified address of each of spec.ipFamilies (every node
//    address, scope external); spec.externalIPs and status.loadBalancer.ingress[].ip (scope
//    external; ingress entries with ipMode "Proxy" are skipped, KEP-1860). Addresses of a
//    family the Service does not have are dropped, as kube-proxy's per-family proxiers do.
//  - Headless (clusterIP "None"), unallocated (clusterIP "") and ExternalName Services produce
//    nothing (kube-proxy's ShouldSkipService), nor do slices whose Service is unknown.
//  - Backends: the endpoints of every EndpointSlice labelled kubernetes.io/service-name=<name>
//    in the Service's namespace whose ports[] has an entry with the service port's name ("" for
//    an unnamed port) and protocol; the entry's port is the resolved targetPort. Slices of an
//    address type the Service does not have (and FQDN slices) are ignored. An address:port in
//    several slices appears once, with its best state (ready wins, as in kube-proxy).
//  - States (discovery/v1 EndpointConditions): ready nil = true, serving nil = ready,
//    terminating nil = false.
//  - Annotation `ferry.io/lb-algorithm`: round-robin (default) | random | maglev.
//  - sessionAffinity ClientIP: timeout from sessionAffinityConfig.clientIP.timeoutSeconds,
//    default 10800 s. Traffic policies, loadBalancerSourceRanges, healthCheckNodePort as given.
//
// Which layer applies what: the compiler only *describes* — it marks each backend with its node
// and state and each frontend with its scope. Local-only traffic policies and the KEP-1669
// terminating fallback are applied per node and per new flow by model::usableBackends
// (ferry/model/endpoint_selection.h), which every fast path uses; the compiler never filters by
// node. A dual-stack model::Service holds frontends and backends of both families; a fast path
// pairs a frontend only with backends of its own family.
//
// Malformed objects and fields (wrong JSON types, unparsable addresses, out-of-range ports) are
// skipped — the element, or the whole object when nothing sensible is left — and counted in
// malformedCount(); the compiler never throws on input.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/model/service.h"
#include "ferry/model/snapshot.h"

namespace ferry::agent {

// The annotation that picks a Service's balancing algorithm.
inline constexpr std::string_view kLbAlgorithmAnnotation = "ferry.io/lb-algorithm";
// The label tying an EndpointSlice to its Service (discovery/v1).
inline constexpr std::string_view kServiceNameLabel = "kubernetes.io/service-name";
// The well-known Node label whose value fills in an endpoint's zone when its slice omits it.
inline constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";
// sessionAffinityConfig.clientIP.timeoutSeconds when unset (core/v1 default) and its maximum.
inline constexpr uint32_t kDefaultAffinityTimeoutS = 10800;
inline constexpr uint32_t kMaxAffinityTimeoutS = 86400;

struct CompilerOptions {
  // The node this agent runs on. The compiler does not filter by it (see the file comment); it
  // is here so the agent has one place that says which node "local" means, and is passed to
  // model::usableBackends by whoever programs a fast path.
  std::string node_name;
  // Balancing for Services without (or with an unknown) ferry.io/lb-algorithm annotation.
  model::Balancing default_balancing = model::Balancing::kRoundRobin;
  // Told about every malformed input that is skipped (for the agent's log); may be empty.
  std::function<void(std::string_view)> on_warning;
};

// A namespaced object name.
struct ObjectName {
  std::string ns;
  std::string name;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
  auto operator<=>(const ObjectName&) const = default;
};

class ServiceCompiler {
 public:
  explicit ServiceCompiler(CompilerOptions options = {});

  // Incremental inputs; `obj` null means deleted. Nothing is compiled until build(). An object
  // equal to the one already held changes nothing.
  void applyService(std::string_view ns, std::string_view name, const nlohmann::json* obj);
  void applyEndpointSlice(std::string_view ns, std::string_view name, const nlohmann::json* obj);
  void applyNode(std::string_view name, const nlohmann::json* obj);

  // One feed object by kind from its JSON text (null = deleted): for the feed's deltas. Kinds
  // other than Service, EndpointSlice and Node are ignored; text that is not JSON counts as
  // malformed and the object as deleted.
  void applyObject(std::string_view kind, std::string_view ns, std::string_view name,
                   const std::string* json_text);

  // A full resync: what the feed's snapshots mean. Objects applied between beginResync() and
  // endResync() are kept; every Service, EndpointSlice and Node not applied in between is
  // deleted by endResync().
  void beginResync();
  void endResync();

  // Full resync from a map keyed by {kind, ns, name} whose values hold the object's JSON text in
  // `.json` — feed::ObjectMap (ferry/feed/feed_state.h) fits, without this header depending on
  // the feed's gRPC types. Kinds other than Service, EndpointSlice and Node are ignored; text
  // that is not JSON counts as malformed and the object as absent.
  template <class ObjectMapT>
  void applyAll(const ObjectMapT& objects);

  // Compiles the Services whose Service object, slices or nodes changed since the last build and
  // returns the next snapshot; unchanged model::Services are the previous snapshot's objects
  // (shared by pointer). Returns the previous snapshot itself when nothing changed.
  model::ServiceSnapshot::Ptr build();

  // Malformed inputs skipped so far (objects, fields or list elements). Counted each time the
  // object holding them is compiled, i.e. once per change, not once per build().
  uint64_t malformedCount() const { return malformed_; }
  // Services compiled by build() so far: the cost incrementality keeps low.
  uint64_t compiledServiceCount() const { return compiled_; }
  const CompilerOptions& options() const { return options_; }

 private:
  struct SliceEntry {
    nlohmann::json obj;
    std::string service;  // kubernetes.io/service-name, empty when unlabelled or unreadable
  };

  void warn(const std::string& message);
  void markDirty(const ObjectName& service);
  void compileOne(const ObjectName& key, model::SnapshotBuilder& builder);

  CompilerOptions options_;
  std::map<ObjectName, nlohmann::json> services_;
  std::map<ObjectName, SliceEntry> slices_;
  std::map<ObjectName, std::set<std::string>> slices_by_service_;  // service -> slice names
  std::map<std::string, std::string, std::less<>> node_zones_;     // node -> zone label
  std::set<ObjectName> dirty_;
  // The model services each Service produced at the last build, to remove vanished ports.
  std::map<ObjectName, std::vector<model::ServiceName>> published_;
  model::ServiceSnapshot::Ptr previous_;
  uint64_t version_ = 0;
  uint64_t malformed_ = 0;
  uint64_t compiled_ = 0;

  // Resync bookkeeping: what was applied since beginResync().
  bool resyncing_ = false;
  std::set<ObjectName> seen_services_;
  std::set<ObjectName> seen_slices_;
  std::set<std::string, std::less<>> seen_nodes_;
};

template <class ObjectMapT>
void ServiceCompiler::applyAll(const ObjectMapT& objects) {
  beginResync();
  for (const auto& [key, stored] : objects) applyObject(key.kind, key.ns, key.name, &stored.json);
  endResync();
}

}  // namespace ferry::agent
