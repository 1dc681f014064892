#include "ferry/api/defaulting.h"

#include <string>

#include "ferry/api/base64.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// obj[key] as an object: created when absent or null (`create`), nullptr when obj is not an
// object or the member holds something else.
json* objectAt(json& obj, const char* key, bool create) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (!create) return nullptr;
    json& slot = obj[key];
    slot = json::object();
    return &slot;
  }
  return it->is_object() ? &*it : nullptr;
}

json* arrayAt(json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? &*it : nullptr;
}

// Absent, null and "" are all Go's zero value for a string field.
bool unsetString(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ||
         (it->is_string() && it->get_ref<const std::string&>().empty());
}

bool unset(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null();
}

std::string stringOf(const json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void setIfUnsetString(json& obj, const char* key, const json& value) {
  if (obj.is_object() && unsetString(obj, key)) obj[key] = value;
}

void setIfUnset(json& obj, const char* key, const json& value) {
  if (obj.is_object() && unset(obj, key)) obj[key] = value;
}

// Every object element of obj[key].
template <class F>
void forEachObject(json& obj, const char* key, F&& f) {
  if (json* list = arrayAt(obj, key)) {
    for (auto& e : *list) {
      if (e.is_object()) f(e);
    }
  }
}

// The v1 conversions' rule for podIP/podIPs, hostIP/hostIPs: a singular value that disagrees
// with the plural's first entry wins, and the singular mirrors plural[0].
void syncIps(json& status, const char* single, const char* plural) {
  std::string one = stringOf(status, single);
  json* many = arrayAt(status, plural);
  std::string first;
  if (many != nullptr && !many->empty()) first = stringOf((*many)[0], "ip");
  if (!one.empty() && (many == nullptr || many->empty() || first != one)) {
    if (many == nullptr && !unset(status, plural)) return;  // wrong type: validation reports it
    status[plural] = json::array({json{{"ip", one}}});
    return;
  }
  if (one.empty() && !first.empty()) status[single] = first;
}

// ParseImageName's tag: "latest" when the image names neither a tag nor a digest.
std::string imageTag(const std::string& image) {
  size_t at = image.find('@');
  std::string name = image.substr(0, at);
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    return name.substr(colon + 1);
  }
  return at == std::string::npos ? "latest" : "";
}

void defaultContainer(json& c, bool host_network) {
  if (unsetString(c, "imagePullPolicy")) {
    c["imagePullPolicy"] = imageTag(stringOf(c, "image")) == "latest" ? "Always" : "IfNotPresent";
  }
  setIfUnsetString(c, "terminationMessagePath", "/dev/termination-log");
  setIfUnsetString(c, "terminationMessagePolicy", "File");
  forEachObject(c, "ports", [&](json& p) {
    setIfUnsetString(p, "protocol", "TCP");
    auto cp = p.find("containerPort");
    // With the host's network a container port is a host port (defaultHostNetworkPorts).
    if (host_network && cp != p.end() && cp->is_number_integer() &&
        (unset(p, "hostPort") || p["hostPort"] == 0)) {
      p["hostPort"] = *cp;
    }
  });
}

bool isExternallyAccessible(const json& spec) {
  std::string type = stringOf(spec, "type");
  auto ips = spec.find("externalIPs");
  bool has_external_ips = ips != spec.end() && ips->is_array() && !ips->empty();
  return type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && has_external_ips);
}

size_t listSize(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? it->size() : 0;
}

}  // namespace

void defaultService(json& svc) {
  json* spec = objectAt(svc, "spec", true);
  if (spec == nullptr) return;
  setIfUnsetString(*spec, "sessionAffinity", "None");
  std::string affinity = stringOf(*spec, "sessionAffinity");
  if (affinity == "None") spec->erase("sessionAffinityConfig");
  if (affinity == "ClientIP") {
    const json* timeout = nullptr;
    if (json* config = objectAt(*spec, "sessionAffinityConfig", false)) {
      if (json* client = objectAt(*config, "clientIP", false)) {
        auto it = client->find("timeoutSeconds");
        if (it != client->end() && !it->is_null()) timeout = &*it;
      }
    }
    if (timeout == nullptr) {
      (*spec)["sessionAffinityConfig"] = {{"clientIP", {{"timeoutSeconds", 10800}}}};
    }
  }
  setIfUnsetString(*spec, "type", "ClusterIP");
  std::string type = stringOf(*spec, "type");

  forEachObject(*spec, "ports", [](json& p) {
    setIfUnsetString(p, "protocol", "TCP");
    auto tp = p.find("targetPort");
    bool zero = tp == p.end() || tp->is_null() || (tp->is_number_integer() && *tp == 0) ||
                (tp->is_string() && tp->get_ref<const std::string&>().empty());
    auto port = p.find("port");
    if (zero && port != p.end() && port->is_number_integer()) p["targetPort"] = *port;
  });

  if (isExternallyAccessible(*spec)) setIfUnsetString(*spec, "externalTrafficPolicy", "Cluster");
  if (type == "ClusterIP" || type == "NodePort" || type == "LoadBalancer") {
    setIfUnset(*spec, "internalTrafficPolicy", "Cluster");
  }
  if (type == "LoadBalancer") {
    setIfUnset(*spec, "allocateLoadBalancerNodePorts", true);
    if (json* status = objectAt(svc, "status", false)) {
      if (json* lb = objectAt(*status, "loadBalancer", false)) {
        forEachObject(*lb, "ingress", [](json& ing) {
          if (!unsetString(ing, "ip")) setIfUnset(ing, "ipMode", "VIP");
        });
      }
    }
  }
  if (type != "ExternalName" && unset(*spec, "ipFamilyPolicy")) {
    auto ips = spec->find("clusterIPs");
    bool headless =
        ips != spec->end() && ips->is_array() && ips->size() == 1 && (*ips)[0] == "None";
    bool two =
        (!headless && listSize(*spec, "clusterIPs") > 1) || listSize(*spec, "ipFamilies") > 1;
    (*spec)["ipFamilyPolicy"] = two ? "RequireDualStack" : "SingleStack";
  }
}

void defaultPod(json& pod) {
  json* spec = objectAt(pod, "spec", true);
  if (spec != nullptr) {
    setIfUnsetString(*spec, "restartPolicy", "Always");
    setIfUnsetString(*spec, "dnsPolicy", "ClusterFirst");
    setIfUnset(*spec, "terminationGracePeriodSeconds", 30);
    setIfUnsetString(*spec, "schedulerName", "default-scheduler");
    setIfUnset(*spec, "securityContext", json::object());
    setIfUnset(*spec, "enableServiceLinks", true);
    auto hn = spec->find("hostNetwork");
    bool host_network = hn != spec->end() && hn->is_boolean() && hn->get<bool>();
    for (const char* list : {"containers", "initContainers"}) {
      forEachObject(*spec, list, [&](json& c) { defaultContainer(c, host_network); });
    }
  }
  if (json* status = objectAt(pod, "status", false)) {
    syncIps(*status, "podIP", "podIPs");
    syncIps(*status, "hostIP", "hostIPs");
  }
}

void defaultEndpoints(json& ep) {
  forEachObject(ep, "subsets", [](json& subset) {
    forEachObject(subset, "ports", [](json& p) { setIfUnsetString(p, "protocol", "TCP"); });
  });
}

void defaultEndpointSlice(json& slice) {
  forEachObject(slice, "ports", [](json& p) {
    setIfUnset(p, "name", "");
    setIfUnset(p, "protocol", "TCP");
  });
}

void defaultSecret(json& secret) {
  if (!secret.is_object()) return;
  setIfUnsetString(secret, "type", "Opaque");
  // stringData is write-only: merged over data, base64-encoded, then dropped (v1 conversion).
  auto sd = secret.find("stringData");
  if (sd == secret.end()) return;
  if (sd->is_object()) {
    json* data = objectAt(secret, "data", true);
    if (data == nullptr) return;  // data of the wrong type: leave both for validation
    for (const auto& [k, v] : sd->items()) {
      if (v.is_string()) (*data)[k] = base64Encode(v.get_ref<const std::string&>());
    }
  } else if (!sd->is_null()) {
    return;
  }
  secret.erase("stringData");
}

void defaultNamespace(json& ns) {
  json* meta = objectAt(ns, "metadata", false);
  std::string name = meta != nullptr ? stringOf(*meta, "name") : std::string();
  if (!name.empty()) {
    if (json* labels = objectAt(*meta, "labels", true)) {
      (*labels)["kubernetes.io/metadata.name"] = name;
    }
  }
  if (json* status = objectAt(ns, "status", true)) setIfUnsetString(*status, "phase", "Active");
}

void defaultNode(json& node) {
  if (json* spec = objectAt(node, "spec", false)) {
    std::string cidr = stringOf(*spec, "podCIDR");
    if (!cidr.empty() && unset(*spec, "podCIDRs")) (*spec)["podCIDRs"] = json::array({cidr});
    json* cidrs = arrayAt(*spec, "podCIDRs");
    if (cidrs != nullptr && !cidrs->empty() && (*cidrs)[0].is_string()) {
      (*spec)["podCIDR"] = (*cidrs)[0];
    }
  }
  if (json* status = objectAt(node, "status", false)) {
    auto capacity = status->find("capacity");
    if (capacity != status->end() && capacity->is_object() && unset(*status, "allocatable")) {
      (*status)["allocatable"] = *capacity;
    }
  }
}

void defaultIngressClass(json& ic) {
  if (json* spec = objectAt(ic, "spec", false)) {
    if (json* params = objectAt(*spec, "parameters", false))
      setIfUnset(*params, "scope", "Cluster");
  }
}

void applyDefaults(std::string_view kind, json& obj) {
  if (!obj.is_object()) return;
  if (kind == "Service") {
    defaultService(obj);
  } else if (kind == "Pod") {
    defaultPod(obj);
  } else if (kind == "Endpoints") {
    defaultEndpoints(obj);
  } else if (kind == "EndpointSlice") {
    defaultEndpointSlice(obj);
  } else if (kind == "Secret") {
    defaultSecret(obj);
  } else if (kind == "Namespace") {
    defaultNamespace(obj);
  } else if (kind == "Node") {
    defaultNode(obj);
  } else if (kind == "IngressClass") {
    defaultIngressClass(obj);
  }
}

}  // namespace ferry::api
