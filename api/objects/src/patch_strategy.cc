#include "ferry/api/patch_strategy.h"

namespace ferry::api {
namespace {

// ObjectMeta (k8s.io/apimachinery/pkg/apis/meta/v1/types.go).
void addObjectMeta(PatchSchema& s) {
  s.mergeList("metadata.finalizers")  // patchStrategy:"merge": a set of strings
      .mergeList("metadata.ownerReferences", "uid")
      .atomicList("metadata.managedFields");
}

// PodSpec (k8s.io/api/core/v1/types.go) under `prefix` ("spec" for a Pod, "spec.template.spec"
// for workloads).
void addPodSpec(PatchSchema& s, const std::string& prefix) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    std::string c = prefix + "." + list;
    s.mergeList(c, "name")
        .mergeList(c + ".ports", "containerPort")
        .mergeList(c + ".env", "name")
        .mergeList(c + ".volumeMounts", "mountPath")
        .mergeList(c + ".volumeDevices", "devicePath")
        .atomicList(c + ".command")
        .atomicList(c + ".args")
        .atomicList(c + ".envFrom")
        .atomicList(c + ".resizePolicy");
  }
  s.mergeList(prefix + ".volumes", "name", /*retain_keys=*/true)
      .mergeList(prefix + ".imagePullSecrets", "name")
      .mergeList(prefix + ".hostAliases", "ip")
      .mergeList(prefix + ".topologySpreadConstraints", "topologyKey")
      .mergeList(prefix + ".schedulingGates", "name")
      .mergeList(prefix + ".resourceClaims", "name", /*retain_keys=*/true)
      .atomicList(prefix + ".tolerations");
}

PatchSchema serviceSchema() {
  PatchSchema s;
  addObjectMeta(s);
  // Real Kubernetes merges Service ports by "port" alone (the +listMapKey pair port/protocol
  // only exists for server-side apply), and kubectl computes its patches the same way.
  s.mergeList("spec.ports", "port")
      .atomicList("spec.externalIPs")
      .atomicList("spec.clusterIPs")
      .atomicList("spec.ipFamilies")
      .atomicList("spec.loadBalancerSourceRanges")
      .mergeList("status.conditions", "type")
      .atomicList("status.loadBalancer.ingress")
      .atomicList("status.loadBalancer.ingress.ports");
  return s;
}

PatchSchema podSchema() {
  PatchSchema s;
  addObjectMeta(s);
  addPodSpec(s, "spec");
  s.mergeList("status.conditions", "type")
      .mergeList("status.podIPs", "ip")
      .mergeList("status.hostIPs", "ip")
      .atomicList("status.containerStatuses")
      .atomicList("status.initContainerStatuses")
      .atomicList("status.ephemeralContainerStatuses");
  return s;
}

PatchSchema workloadSchema() {
  PatchSchema s;
  addObjectMeta(s);
  addPodSpec(s, "spec.template.spec");
  s.mergeList("status.conditions", "type");
  return s;
}

PatchSchema nodeSchema() {
  PatchSchema s;
  addObjectMeta(s);
  s.mergeList("spec.podCIDRs")
      .atomicList("spec.taints")
      .mergeList("status.conditions", "type")
      .mergeList("status.addresses", "type")
      .atomicList("status.images")
      .atomicList("status.volumesInUse")
      .atomicList("status.volumesAttached");
  return s;
}

PatchSchema namespaceSchema() {
  PatchSchema s;
  addObjectMeta(s);
  s.atomicList("spec.finalizers").mergeList("status.conditions", "type");
  return s;
}

PatchSchema endpointsSchema() {
  PatchSchema s;
  addObjectMeta(s);
  // Endpoints.subsets carries no patch strategy: a patch replaces all subsets.
  s.atomicList("subsets");
  return s;
}

PatchSchema endpointSliceSchema() {
  PatchSchema s;
  addObjectMeta(s);
  s.atomicList("endpoints").atomicList("ports").atomicList("endpoints.addresses");
  return s;
}

PatchSchema ingressSchema() {
  PatchSchema s;
  addObjectMeta(s);
  s.atomicList("spec.rules")
      .atomicList("spec.rules.http.paths")
      .atomicList("spec.tls")
      .atomicList("spec.tls.hosts")
      .atomicList("status.loadBalancer.ingress");
  return s;
}

PatchSchema metaOnlySchema() {
  PatchSchema s;
  addObjectMeta(s);
  return s;
}

}  // namespace

PatchSchema& PatchSchema::mergeList(std::string path, std::string merge_key, bool retain_keys) {
  lists_[std::move(path)] = ListPatchStrategy{true, retain_keys, std::move(merge_key)};
  return *this;
}

PatchSchema& PatchSchema::atomicList(std::string path) {
  lists_[std::move(path)] = ListPatchStrategy{};
  return *this;
}

const ListPatchStrategy* PatchSchema::find(std::string_view path) const {
  auto it = lists_.find(path);
  if (it == lists_.end() || !it->second.merge) return nullptr;
  return &it->second;
}

const PatchSchema& PatchSchema::forKind(std::string_view kind) {
  // Built once; function-local statics initialise thread-safely.
  static const auto* const kSchemas = new std::map<std::string, PatchSchema, std::less<>>{
      {"Service", serviceSchema()},
      {"Pod", podSchema()},
      {"Deployment", workloadSchema()},
      {"ReplicaSet", workloadSchema()},
      {"StatefulSet", workloadSchema()},
      {"DaemonSet", workloadSchema()},
      {"Job", workloadSchema()},
      {"Node", nodeSchema()},
      {"Namespace", namespaceSchema()},
      {"Endpoints", endpointsSchema()},
      {"EndpointSlice", endpointSliceSchema()},
      {"Ingress", ingressSchema()},
  };
  static const PatchSchema kMetaOnly = metaOnlySchema();
  auto it = kSchemas->find(kind);
  return it == kSchemas->end() ? kMetaOnly : it->second;
}

}  // namespace ferry::api
