#include "ferry/api/discovery.h"

#include <algorithm>
#include <vector>

#include "ferry/api/resources.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json stringList(std::span<const std::string_view> values) {
  json out = json::array();
  for (auto v : values) out.push_back(v);
  return out;
}

// metav1.GroupVersionForDiscovery.
json groupVersionForDiscovery(const GroupVersion& gv) {
  return {{"groupVersion", gv.toString()}, {"version", gv.version}};
}

// Versions of `group` in discovery (preference) order.
std::vector<GroupVersion> versionsOf(std::string_view group) {
  std::vector<GroupVersion> out;
  for (const auto& gv : groupVersions())
    if (gv.group == group) out.push_back(gv);
  return out;
}

json apiGroupJson(std::string_view group) {
  auto versions = versionsOf(group);
  json list = json::array();
  for (const auto& gv : versions) list.push_back(groupVersionForDiscovery(gv));
  return {{"name", group},
          {"versions", std::move(list)},
          {"preferredVersion", groupVersionForDiscovery(versions.front())}};
}

// Groups other than core, in discovery order.
std::vector<std::string_view> namedGroups() {
  std::vector<std::string_view> out;
  for (const auto& gv : groupVersions()) {
    if (!gv.group.empty() && std::find(out.begin(), out.end(), gv.group) == out.end())
      out.push_back(gv.group);
  }
  return out;
}

json responseKind(const ResourceType& r, std::string_view kind) {
  return {{"group", r.group}, {"version", r.version}, {"kind", kind}};
}

// apidiscovery.k8s.io APIResourceDiscovery (same shape in v2 and v2beta1).
json resourceDiscovery(const ResourceType& r) {
  json out = {{"resource", r.plural},
              {"responseKind", responseKind(r, r.kind)},
              {"scope", r.namespaced ? "Namespaced" : "Cluster"},
              {"singularResource", r.singular},
              {"verbs", stringList(r.verbs)}};
  if (!r.short_names.empty()) out["shortNames"] = stringList(r.short_names);
  if (!r.categories.empty()) out["categories"] = stringList(r.categories);
  if (!r.subresources.empty()) {
    json subs = json::array();
    for (const auto& s : r.subresources) {
      subs.push_back({{"subresource", s.name},
                      {"responseKind", responseKind(r, s.kind)},
                      {"verbs", stringList(s.verbs)}});
    }
    out["subresources"] = std::move(subs);
  }
  return out;
}

json groupDiscovery(std::string_view group) {
  json versions = json::array();
  for (const auto& gv : versionsOf(group)) {
    json resources = json::array();
    for (const auto* r : resourcesOf(gv.group, gv.version))
      resources.push_back(resourceDiscovery(*r));
    versions.push_back(
        {{"version", gv.version}, {"resources", std::move(resources)}, {"freshness", "Current"}});
  }
  // The core group's APIGroupDiscovery has an empty name, which Go omits.
  json metadata = json::object();
  if (!group.empty()) metadata["name"] = group;
  metadata["creationTimestamp"] = nullptr;
  return {{"metadata", std::move(metadata)}, {"versions", std::move(versions)}};
}

std::string platform() {
#if defined(__x86_64__)
  constexpr const char* kArch = "amd64";
#elif defined(__aarch64__)
  constexpr const char* kArch = "arm64";
#else
  constexpr const char* kArch = "unknown";
#endif
  return std::string("linux/") + kArch;
}

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "c++";
#endif
}

}  // namespace

VersionInfo defaultVersionInfo() {
  VersionInfo info;
  info.compiler = compiler();
  info.platform = platform();
  return info;
}

json versionDocument(const VersionInfo& info) {
  return {{"major", info.major},
          {"minor", info.minor},
          {"gitVersion", info.git_version},
          {"gitCommit", info.git_commit},
          {"gitTreeState", info.git_tree_state},
          {"buildDate", info.build_date},
          {"goVersion", info.go_version},
          {"compiler", info.compiler},
          {"platform", info.platform}};
}

json apiVersions(std::string_view server_address) {
  json versions = json::array();
  for (const auto& gv : versionsOf("")) versions.push_back(gv.version);
  json out = {{"kind", "APIVersions"}, {"versions", std::move(versions)}};
  json cidrs = json::array();
  if (!server_address.empty())
    cidrs.push_back({{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}});
  out["serverAddressByClientCIDRs"] = std::move(cidrs);
  return out;
}

json apiGroupList() {
  json groups = json::array();
  for (auto g : namedGroups()) groups.push_back(apiGroupJson(g));
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", std::move(groups)}};
}

Result<json> apiGroup(std::string_view group) {
  if (group.empty() || versionsOf(group).empty()) {
    return Error{"the server could not find the requested resource (group \"" + std::string(group) +
                 "\")"};
  }
  json out = apiGroupJson(group);
  out["kind"] = "APIGroup";
  out["apiVersion"] = "v1";
  return out;
}

Result<json> apiResourceList(std::string_view group, std::string_view version) {
  auto types = resourcesOf(group, version);
  if (types.empty()) {
    return Error{"the server could not find the requested resource (group-version \"" +
                 GroupVersion{group, version}.toString() + "\")"};
  }
  json resources = json::array();
  for (const auto* r : types) {
    json entry = {{"name", r->plural},
                  {"singularName", r->singular},
                  {"namespaced", r->namespaced},
                  {"kind", r->kind},
                  {"verbs", stringList(r->verbs)}};
    if (!r->short_names.empty()) entry["shortNames"] = stringList(r->short_names);
    if (!r->categories.empty()) entry["categories"] = stringList(r->categories);
    resources.push_back(std::move(entry));
    // Subresources follow their resource, named "<resource>/<subresource>" with an empty
    // singularName, as kube-apiserver lists them.
    for (const auto& s : r->subresources) {
      resources.push_back({{"name", std::string(r->plural) + "/" + std::string(s.name)},
                           {"singularName", ""},
                           {"namespaced", r->namespaced},
                           {"kind", s.kind},
                           {"verbs", stringList(s.verbs)}});
    }
  }
  return json{{"kind", "APIResourceList"},
              {"apiVersion", "v1"},
              {"groupVersion", GroupVersion{group, version}.toString()},
              {"resources", std::move(resources)}};
}

json aggregatedDiscovery(bool legacy, AggregatedVersion version) {
  json items = json::array();
  if (legacy) {
    items.push_back(groupDiscovery(""));
  } else {
    for (auto g : namedGroups()) items.push_back(groupDiscovery(g));
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", version == AggregatedVersion::kV2 ? "apidiscovery.k8s.io/v2"
                                                           : "apidiscovery.k8s.io/v2beta1"},
          {"metadata", json::object()},
          {"items", std::move(items)}};
}

}  // namespace ferry::api
