#include "ferry/api/resources.h"

#include <algorithm>

namespace ferry::api {
namespace {

constexpr std::string_view kAllVerbs[] = {"create", "delete", "deletecollection", "get",
                                          "list",   "patch",  "update",           "watch"};
// Namespaces cannot be deleted as a collection (kube-apiserver omits the verb too).
constexpr std::string_view kNamespaceVerbs[] = {"create", "delete", "get",  "list",
                                                "patch",  "update", "watch"};
constexpr std::string_view kStatusVerbs[] = {"get", "patch", "update"};
constexpr std::string_view kCategoryAll[] = {"all"};

constexpr SubresourceType kNamespaceStatus[] = {{"status", "Namespace", kStatusVerbs}};
constexpr SubresourceType kServiceStatus[] = {{"status", "Service", kStatusVerbs}};
constexpr SubresourceType kPodStatus[] = {{"status", "Pod", kStatusVerbs}};
constexpr SubresourceType kNodeStatus[] = {{"status", "Node", kStatusVerbs}};
constexpr SubresourceType kIngressStatus[] = {{"status", "Ingress", kStatusVerbs}};

constexpr std::string_view kShortNs[] = {"ns"};
constexpr std::string_view kShortSvc[] = {"svc"};
constexpr std::string_view kShortEp[] = {"ep"};
constexpr std::string_view kShortPo[] = {"po"};
constexpr std::string_view kShortNo[] = {"no"};
constexpr std::string_view kShortCm[] = {"cm"};
constexpr std::string_view kShortEv[] = {"ev"};
constexpr std::string_view kShortIng[] = {"ing"};

constexpr std::string_view kNetworking = "networking.k8s.io";
constexpr std::string_view kDiscovery = "discovery.k8s.io";

// Order matters: core first, then groups in the order kube-apiserver lists them (networking
// before discovery), resources alphabetically within a group-version like /api/v1 does.
constexpr ResourceType kResources[] = {
    {"",
     "v1",
     "ConfigMap",
     "ConfigMapList",
     "configmaps",
     "configmap",
     kShortCm,
     true,
     kAllVerbs,
     {},
     {}},
    {"",
     "v1",
     "Endpoints",
     "EndpointsList",
     "endpoints",
     "endpoints",
     kShortEp,
     true,
     kAllVerbs,
     {},
     {}},
    {"", "v1", "Event", "EventList", "events", "event", kShortEv, true, kAllVerbs, {}, {}},
    {"",
     "v1",
     "Namespace",
     "NamespaceList",
     "namespaces",
     "namespace",
     kShortNs,
     false,
     kNamespaceVerbs,
     {},
     kNamespaceStatus},
    {"", "v1", "Node", "NodeList", "nodes", "node", kShortNo, false, kAllVerbs, {}, kNodeStatus},
    {"", "v1", "Pod", "PodList", "pods", "pod", kShortPo, true, kAllVerbs, kCategoryAll,
     kPodStatus},
    {"", "v1", "Secret", "SecretList", "secrets", "secret", {}, true, kAllVerbs, {}, {}},
    {"", "v1", "Service", "ServiceList", "services", "service", kShortSvc, true, kAllVerbs,
     kCategoryAll, kServiceStatus},
    {kNetworking,
     "v1",
     "IngressClass",
     "IngressClassList",
     "ingressclasses",
     "ingressclass",
     {},
     false,
     kAllVerbs,
     {},
     {}},
    {kNetworking,
     "v1",
     "Ingress",
     "IngressList",
     "ingresses",
     "ingress",
     kShortIng,
     true,
     kAllVerbs,
     {},
     kIngressStatus},
    {kDiscovery,
     "v1",
     "EndpointSlice",
     "EndpointSliceList",
     "endpointslices",
     "endpointslice",
     {},
     true,
     kAllVerbs,
     {},
     {}},
};

bool contains(std::span<const std::string_view> list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::string ResourceType::apiVersion() const {
  return GroupVersion{group, version}.toString();
}

bool ResourceType::hasVerb(std::string_view verb) const {
  return contains(verbs, verb);
}

bool ResourceType::hasShortName(std::string_view name) const {
  return contains(short_names, name);
}

const SubresourceType* ResourceType::findSubresource(std::string_view name) const {
  for (const auto& s : subresources)
    if (s.name == name) return &s;
  return nullptr;
}

std::string GroupVersion::toString() const {
  if (group.empty()) return std::string(version);
  std::string out(group);
  out += '/';
  out += version;
  return out;
}

std::string GroupVersion::path() const {
  if (group.empty()) return "/api/" + std::string(version);
  return "/apis/" + toString();
}

std::span<const ResourceType> resourceTypes() {
  return kResources;
}

std::vector<GroupVersion> groupVersions() {
  std::vector<GroupVersion> out;
  for (const auto& r : kResources) {
    GroupVersion gv{r.group, r.version};
    if (std::find(out.begin(), out.end(), gv) == out.end()) out.push_back(gv);
  }
  return out;
}

std::vector<const ResourceType*> resourcesOf(std::string_view group, std::string_view version) {
  std::vector<const ResourceType*> out;
  for (const auto& r : kResources)
    if (r.group == group && r.version == version) out.push_back(&r);
  return out;
}

const ResourceType* findResource(std::string_view group, std::string_view version,
                                 std::string_view plural) {
  for (const auto& r : kResources)
    if (r.group == group && r.version == version && r.plural == plural) return &r;
  return nullptr;
}

const ResourceType* findResourceByKind(std::string_view group, std::string_view version,
                                       std::string_view kind) {
  for (const auto& r : kResources)
    if (r.group == group && r.version == version && r.kind == kind) return &r;
  return nullptr;
}

const ResourceType* findResourceByKind(std::string_view kind) {
  for (const auto& r : kResources)
    if (r.kind == kind) return &r;
  return nullptr;
}

const ResourceType* findResourceByShortName(std::string_view short_name) {
  for (const auto& r : kResources)
    if (r.hasShortName(short_name)) return &r;
  return nullptr;
}

const ResourceType* findResourceByAnyName(std::string_view name) {
  for (const auto& r : kResources)
    if (r.plural == name || r.singular == name || r.hasShortName(name)) return &r;
  return nullptr;
}

}  // namespace ferry::api
