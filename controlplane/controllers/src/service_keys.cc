#include "ferry/controllers/service_keys.h"

#include <algorithm>

#include "ferry/controllers/selector.h"
#include "ferry/controllers/well_known.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;

const json& member(const json& obj, const char* name) {
  static const json kNull;
  if (!obj.is_object()) return kNull;
  auto it = obj.find(name);
  return it == obj.end() ? kNull : *it;
}

std::string stringMember(const json& obj, const char* name) {
  const json& v = member(obj, name);
  return v.is_string() ? v.get<std::string>() : std::string();
}

const json& labelsOf(const json& obj) {
  return member(member(obj, "metadata"), "labels");
}

std::string labelValue(const json& obj, std::string_view label) {
  const json& labels = labelsOf(obj);
  if (!labels.is_object()) return {};
  auto it = labels.find(std::string(label));
  return it != labels.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const json& readyCondition(const json& pod) {
  static const json kNull;
  const json& conditions = member(member(pod, "status"), "conditions");
  if (!conditions.is_array()) return kNull;
  for (const json& c : conditions) {
    if (stringMember(c, "type") == "Ready") return member(c, "status");
  }
  return kNull;
}

// Container ports by container, which is all a named targetPort can resolve against.
json containerPorts(const json& pod) {
  json out = json::array();
  const json& containers = member(member(pod, "spec"), "containers");
  if (!containers.is_array()) return out;
  for (const json& c : containers) out.push_back(member(c, "ports"));
  return out;
}

}  // namespace

std::optional<std::string> objectKey(const json& obj) {
  const json& meta = member(obj, "metadata");
  std::string name = stringMember(meta, "name");
  if (name.empty()) return std::nullopt;
  std::string ns = stringMember(meta, "namespace");
  return ns.empty() ? name : ns + "/" + name;
}

bool podChangeAffectsEndpoints(const json& old_pod, const json& new_pod) {
  const json& om = member(old_pod, "metadata");
  const json& nm = member(new_pod, "metadata");
  const json& os = member(old_pod, "status");
  const json& ns = member(new_pod, "status");
  const json& osp = member(old_pod, "spec");
  const json& nsp = member(new_pod, "spec");
  return member(om, "labels") != member(nm, "labels") ||
         member(om, "deletionTimestamp") != member(nm, "deletionTimestamp") ||
         member(os, "podIP") != member(ns, "podIP") ||
         member(os, "podIPs") != member(ns, "podIPs") ||
         member(os, "phase") != member(ns, "phase") ||
         readyCondition(old_pod) != readyCondition(new_pod) ||
         member(osp, "nodeName") != member(nsp, "nodeName") ||
         member(osp, "hostname") != member(nsp, "hostname") ||
         member(osp, "subdomain") != member(nsp, "subdomain") ||
         containerPorts(old_pod) != containerPorts(new_pod) ||
         member(om, "uid") != member(nm, "uid");
}

std::vector<std::string> serviceKeysForPodChange(const json* old_pod, const json* new_pod,
                                                 const std::vector<const json*>& services) {
  std::vector<std::string> out;
  const json* any = new_pod != nullptr ? new_pod : old_pod;
  if (any == nullptr) return out;
  if (old_pod != nullptr && new_pod != nullptr && !podChangeAffectsEndpoints(*old_pod, *new_pod)) {
    return out;
  }
  const std::string ns = stringMember(member(*any, "metadata"), "namespace");
  for (const json* svc : services) {
    if (svc == nullptr || stringMember(member(*svc, "metadata"), "namespace") != ns) continue;
    const json& selector = member(member(*svc, "spec"), "selector");
    const bool selects_old = old_pod != nullptr && selectorMatches(selector, labelsOf(*old_pod));
    const bool selects_new = new_pod != nullptr && selectorMatches(selector, labelsOf(*new_pod));
    if (!selects_old && !selects_new) continue;
    if (auto key = objectKey(*svc)) out.push_back(std::move(*key));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> serviceKeyForEndpointSlice(const json& slice) {
  const std::string service = labelValue(slice, kLabelServiceName);
  const std::string manager = labelValue(slice, kLabelManagedBy);
  if (service.empty() ||
      (manager != kEndpointSliceControllerName && manager != kMirroringControllerName)) {
    return std::nullopt;
  }
  const std::string ns = stringMember(member(slice, "metadata"), "namespace");
  if (ns.empty()) return std::nullopt;
  return ns + "/" + service;
}

std::optional<std::string> serviceKeyForEndpoints(const json& endpoints) {
  const std::string ns = stringMember(member(endpoints, "metadata"), "namespace");
  if (ns.empty()) return std::nullopt;
  return objectKey(endpoints);
}

bool nodeChangeAffectsEndpoints(const json* old_node, const json* new_node) {
  if (old_node == nullptr || new_node == nullptr) return old_node != new_node;
  return labelValue(*old_node, kLabelTopologyZone) != labelValue(*new_node, kLabelTopologyZone);
}

}  // namespace ferry::controlplane
