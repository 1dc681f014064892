#include "ferry/api/prepare.h"

#include <map>
#include <set>
#include <string>

namespace ferry::api {
namespace {

using nlohmann::json;

json* objectAt(json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

const json* objectAt(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

// A member, or null when absent (null and absent are the same Go zero value here).
json get(const json* obj, const char* key) {
  if (obj == nullptr) return nullptr;
  auto it = obj->find(key);
  return it == obj->end() ? json() : *it;
}

std::string str(const json* obj, const char* key) {
  json v = get(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// Copies old[key] into obj (removing it when old lacks it).
void copyFrom(json& obj, const json* old, const char* key) {
  if (!obj.is_object()) return;
  json v = get(old, key);
  if (v.is_null()) {
    obj.erase(key);
  } else {
    obj[key] = std::move(v);
  }
}

bool hasStatusSubresource(std::string_view kind) {
  return kind == "Service" || kind == "Pod" || kind == "Node" || kind == "Namespace" ||
         kind == "Ingress";
}

// Kinds whose strategy counts spec changes in metadata.generation.
bool tracksGeneration(std::string_view kind) {
  return kind == "Ingress" || kind == "IngressClass";
}

// --- Service (pkg/registry/core/service) ---

bool needsClusterIP(const json* spec) {
  return str(spec, "type") != "ExternalName";
}

bool needsNodePort(const json* spec) {
  std::string type = str(spec, "type");
  if (type == "NodePort") return true;
  if (type != "LoadBalancer") return false;
  json allocate = get(spec, "allocateLoadBalancerNodePorts");
  return !allocate.is_boolean() || allocate.get<bool>();
}

bool externallyAccessible(const json* spec) {
  std::string type = str(spec, "type");
  json ips = get(spec, "externalIPs");
  return type == "LoadBalancer" || type == "NodePort" ||
         (type == "ClusterIP" && ips.is_array() && !ips.empty());
}

bool needsHealthCheckPort(const json* spec) {
  return str(spec, "type") == "LoadBalancer" && externallyAccessible(spec) &&
         str(spec, "externalTrafficPolicy") == "Local";
}

std::set<int64_t> nodePorts(const json* spec) {
  std::set<int64_t> out;
  json ports = get(spec, "ports");
  if (!ports.is_array()) return out;
  for (const auto& p : ports) {
    json np = p.is_object() ? get(&p, "nodePort") : json();
    if (np.is_number_integer() && np != 0) out.insert(np.get<int64_t>());
  }
  return out;
}

// Equal as Go values: absent, null and an empty list are all nil.
bool same(const json& a, const json& b) {
  auto zero = [](const json& v) {
    return v.is_null() || (v.is_array() && v.empty()) ||
           (v.is_string() && v.get_ref<const std::string&>().empty());
  };
  return (zero(a) && zero(b)) || a == b;
}

void setOrErase(json& spec, const char* key, json value) {
  if (value.is_null()) {
    spec.erase(key);
  } else {
    spec[key] = std::move(value);
  }
}

// dropTypeDependentFields: wipe what the new type does not use, when the user left it as the
// old object had it (so it was likely allocated or defaulted, not asked for).
void dropTypeDependentFields(json& spec, const json* old) {
  if (needsClusterIP(old) && !needsClusterIP(&spec)) {
    if (same(get(&spec, "clusterIPs"), get(old, "clusterIPs"))) {
      spec.erase("clusterIP");
      spec.erase("clusterIPs");
    }
    if (same(get(&spec, "ipFamilies"), get(old, "ipFamilies"))) spec.erase("ipFamilies");
    if (same(get(&spec, "ipFamilyPolicy"), get(old, "ipFamilyPolicy"))) {
      spec.erase("ipFamilyPolicy");
    }
  }
  if (needsNodePort(old) && !needsNodePort(&spec)) {
    std::set<int64_t> before = nodePorts(old);
    bool no_new = true;
    for (int64_t p : nodePorts(&spec)) no_new = no_new && before.count(p) == 1;
    auto ports = spec.find("ports");
    if (no_new && ports != spec.end() && ports->is_array()) {
      for (auto& p : *ports) {
        if (p.is_object()) p.erase("nodePort");
      }
    }
  }
  if (needsHealthCheckPort(old) && !needsHealthCheckPort(&spec) &&
      same(get(&spec, "healthCheckNodePort"), get(old, "healthCheckNodePort"))) {
    spec.erase("healthCheckNodePort");
  }
  bool leaving_lb = str(old, "type") == "LoadBalancer" && str(&spec, "type") != "LoadBalancer";
  if (leaving_lb) {
    json now = get(&spec, "allocateLoadBalancerNodePorts");
    if (!now.is_null() && now == get(old, "allocateLoadBalancerNodePorts")) {
      spec.erase("allocateLoadBalancerNodePorts");
    }
    if (same(get(&spec, "loadBalancerClass"), get(old, "loadBalancerClass"))) {
      spec.erase("loadBalancerClass");
    }
  }
  if (externallyAccessible(old) && !externallyAccessible(&spec) &&
      same(get(&spec, "externalTrafficPolicy"), get(old, "externalTrafficPolicy"))) {
    spec.erase("externalTrafficPolicy");
  }
}

// patchAllocatedValues: a resubmitted body without the allocated values gets them back.
void patchAllocatedValues(json& spec, const json* old) {
  if (needsClusterIP(old) && needsClusterIP(&spec)) {
    if (str(&spec, "clusterIP").empty()) setOrErase(spec, "clusterIP", get(old, "clusterIP"));
    json ips = get(&spec, "clusterIPs");
    json old_ips = get(old, "clusterIPs");
    if ((!ips.is_array() || ips.empty()) && old_ips.is_array() && !old_ips.empty()) {
      spec["clusterIPs"] = old_ips;
    }
  }
  if (needsNodePort(old) && needsNodePort(&spec)) {
    std::set<int64_t> used;
    std::set<int64_t> now = nodePorts(&spec);
    for (int64_t p : nodePorts(old)) {
      if (now.count(p) == 1) used.insert(p);
    }
    // Old node ports by port name: the user may have changed anything else about the port.
    std::map<std::string, json> by_name;
    json old_ports = get(old, "ports");
    if (old_ports.is_array()) {
      for (const auto& p : old_ports) {
        if (p.is_object()) by_name[str(&p, "name")] = get(&p, "nodePort");
      }
    }
    auto ports = spec.find("ports");
    if (ports != spec.end() && ports->is_array()) {
      for (auto& p : *ports) {
        if (!p.is_object()) continue;
        json np = get(&p, "nodePort");
        if (!np.is_null() && np != 0) continue;
        auto it = by_name.find(str(&p, "name"));
        if (it == by_name.end() || !it->second.is_number_integer() || it->second == 0) continue;
        if (used.count(it->second.get<int64_t>()) == 0) p["nodePort"] = it->second;
      }
    }
  }
  if (needsHealthCheckPort(old) && needsHealthCheckPort(&spec)) {
    json hc = get(&spec, "healthCheckNodePort");
    if (hc.is_null() || hc == 0)
      setOrErase(spec, "healthCheckNodePort", get(old, "healthCheckNodePort"));
  }
}

// NormalizeClusterIPs (registry/core/service/strategy.go).
void normalizeClusterIPs(json& spec, const json* old) {
  std::string ip = str(&spec, "clusterIP");
  json ips = get(&spec, "clusterIPs");
  bool ips_empty = !ips.is_array() || ips.empty();
  if (old == nullptr) {
    // An old client names only the singular; a new one names both (or neither: allocation).
    if (!ip.empty() && ips_empty) spec["clusterIPs"] = json::array({ip});
    return;
  }
  std::string old_ip = str(old, "clusterIP");
  json old_ips = get(old, "clusterIPs");
  bool old_ips_set = old_ips.is_array() && !old_ips.empty();
  if (old_ips_set && ips_empty && old_ip == ip) {
    // An old client patching something else dropped the plural.
    spec["clusterIPs"] = old_ips;
    ips = old_ips;
  }
  if (old_ip != ip) {
    if (!old_ip.empty() && ip.empty()) {
      if (same(old_ips, ips)) spec.erase("clusterIPs");
    } else if (same(old_ips, ips)) {
      spec["clusterIPs"] = json::array({ip});
    }
  }
}

void prepareServiceUpdate(json& svc, const json& old) {
  json* spec = objectAt(svc, "spec");
  const json* old_spec = objectAt(old, "spec");
  if (spec == nullptr) return;
  static const json kEmpty = json::object();
  if (old_spec == nullptr) old_spec = &kEmpty;
  dropTypeDependentFields(*spec, old_spec);
  if (str(old_spec, "type") == "LoadBalancer" && str(spec, "type") != "LoadBalancer") {
    svc["status"] = {{"loadBalancer", json::object()}};
  }
  patchAllocatedValues(*spec, old_spec);
  normalizeClusterIPs(*spec, old_spec);
}

void keepSystemMetadata(json& obj, const json& old) {
  json* meta = objectAt(obj, "metadata");
  const json* old_meta = objectAt(old, "metadata");
  if (meta == nullptr || old_meta == nullptr) return;
  // rest.BeforeUpdate: clients cannot set these through an update.
  copyFrom(*meta, old_meta, "generation");
  if (str(meta, "uid").empty()) copyFrom(*meta, old_meta, "uid");
  if (!get(old_meta, "creationTimestamp").is_null()) copyFrom(*meta, old_meta, "creationTimestamp");
  if (!get(old_meta, "deletionTimestamp").is_null()) copyFrom(*meta, old_meta, "deletionTimestamp");
  if (!get(old_meta, "deletionGracePeriodSeconds").is_null() &&
      get(meta, "deletionGracePeriodSeconds").is_null()) {
    copyFrom(*meta, old_meta, "deletionGracePeriodSeconds");
  }
}

}  // namespace

void prepareForCreate(std::string_view kind, json& obj) {
  if (!obj.is_object()) return;
  if (json* meta = objectAt(obj, "metadata")) {
    meta->erase("deletionTimestamp");
    meta->erase("deletionGracePeriodSeconds");
    if (tracksGeneration(kind)) (*meta)["generation"] = 1;
  }
  if (kind == "Service") {
    if (json* spec = objectAt(obj, "spec")) normalizeClusterIPs(*spec, nullptr);
    obj["status"] = {{"loadBalancer", json::object()}};
  } else if (kind == "Namespace") {
    json* spec = objectAt(obj, "spec");
    if (spec == nullptr && get(&obj, "spec").is_null()) {
      obj["spec"] = json::object();
      spec = objectAt(obj, "spec");
    }
    if (spec != nullptr) {
      json finalizers = get(spec, "finalizers");
      if (finalizers.is_null()) finalizers = json::array();
      if (finalizers.is_array()) {
        bool has = false;
        for (const auto& f : finalizers) has = has || f == "kubernetes";
        if (!has) finalizers.push_back("kubernetes");
        (*spec)["finalizers"] = finalizers;
      }
    }
    obj["status"] = {{"phase", "Active"}};
  } else if (kind == "Pod") {
    json* status = objectAt(obj, "status");
    if (status == nullptr && get(&obj, "status").is_null()) {
      obj["status"] = json::object();
      status = objectAt(obj, "status");
    }
    if (status != nullptr && str(status, "phase").empty()) (*status)["phase"] = "Pending";
  }
}

void prepareForUpdate(std::string_view kind, json& obj, const json& old) {
  if (!obj.is_object() || !old.is_object()) return;
  keepSystemMetadata(obj, old);
  if (hasStatusSubresource(kind)) copyFrom(obj, &old, "status");
  if (kind == "Namespace") {
    // Finalizers of a Namespace change only through its /finalize subresource.
    if (json* spec = objectAt(obj, "spec")) copyFrom(*spec, objectAt(old, "spec"), "finalizers");
  }
  if (tracksGeneration(kind) && get(&obj, "spec") != get(&old, "spec")) {
    if (json* meta = objectAt(obj, "metadata")) {
      json gen = get(meta, "generation");
      (*meta)["generation"] = (gen.is_number_integer() ? gen.get<int64_t>() : 0) + 1;
    }
  }
  if (kind == "Service") prepareServiceUpdate(obj, old);
}

void prepareForStatusUpdate(std::string_view kind, json& obj, const json& old) {
  if (!obj.is_object() || !old.is_object()) return;
  keepSystemMetadata(obj, old);
  json* meta = objectAt(obj, "metadata");
  const json* old_meta = objectAt(old, "metadata");
  copyFrom(obj, &old, "spec");
  if (meta == nullptr || old_meta == nullptr) return;
  if (kind == "Pod") {
    // Old kubelets corrupted owner references through pods/status.
    copyFrom(*meta, old_meta, "ownerReferences");
    copyFrom(*meta, old_meta, "deletionTimestamp");
    return;
  }
  // ResetObjectMetaForStatus.
  for (const char* key : {"deletionTimestamp", "generation", "selfLink", "labels", "annotations",
                          "finalizers", "ownerReferences"}) {
    copyFrom(*meta, old_meta, key);
  }
}

}  // namespace ferry::api
