#include "slice_model.h"

#include <algorithm>
#include <limits>

#include "ip_address.h"

namespace ferry::controlplane::detail {
namespace {

// Length-prefixed concatenation: unambiguous whatever the strings hold.
void appendField(std::string& key, std::string_view field) {
  key += std::to_string(field.size());
  key += ':';
  key += field;
}

std::optional<std::string> optionalString(const Json& obj, std::string_view key) {
  return stringAt(obj, key);
}

}  // namespace

Json toJson(const SlicePort& port) {
  Json j = Json::object();
  j["name"] = port.name;
  if (port.port) {
    j["port"] = *port.port;
  }
  j["protocol"] = port.protocol;
  if (port.app_protocol) {
    j["appProtocol"] = *port.app_protocol;
  }
  return j;
}

std::optional<SlicePort> slicePortFromJson(const Json& j, std::string* warning) {
  if (!j.is_object()) {
    *warning = "a ports entry is not an object";
    return std::nullopt;
  }
  SlicePort p;
  p.name = stringOr(j, "name");
  p.protocol = stringOr(j, "protocol", "TCP");
  p.app_protocol = optionalString(j, "appProtocol");
  const Json* port = member(j, "port");
  if (port != nullptr && !port->is_null()) {
    auto v = intAt(j, "port");
    if (!v || *v < 0 || *v > std::numeric_limits<uint16_t>::max()) {
      *warning = "a ports entry has an invalid port";
      return std::nullopt;
    }
    p.port = static_cast<int32_t>(*v);
  }
  return p;
}

std::string portMapKey(const std::vector<SlicePort>& ports) {
  std::vector<std::string> parts;
  parts.reserve(ports.size());
  for (const SlicePort& p : ports) {
    std::string part;
    appendField(part, p.name);
    appendField(part, p.port ? std::to_string(*p.port) : "*");
    appendField(part, p.protocol);
    appendField(part, p.app_protocol ? "=" + *p.app_protocol : "-");
    parts.push_back(std::move(part));
  }
  std::sort(parts.begin(), parts.end());
  std::string key = "ports";
  for (const std::string& part : parts) {
    appendField(key, part);
  }
  return key;
}

Json toJson(const SliceEndpoint& endpoint) {
  Json j = Json::object();
  j["addresses"] = endpoint.addresses;
  Json conditions = Json::object();
  if (endpoint.ready) {
    conditions["ready"] = *endpoint.ready;
  }
  if (endpoint.serving) {
    conditions["serving"] = *endpoint.serving;
  }
  if (endpoint.terminating) {
    conditions["terminating"] = *endpoint.terminating;
  }
  j["conditions"] = std::move(conditions);
  if (endpoint.hostname) {
    j["hostname"] = *endpoint.hostname;
  }
  if (endpoint.node_name) {
    j["nodeName"] = *endpoint.node_name;
  }
  if (endpoint.zone) {
    j["zone"] = *endpoint.zone;
  }
  if (endpoint.target_ref.is_object()) {
    j["targetRef"] = endpoint.target_ref;
  }
  return j;
}

std::optional<SliceEndpoint> sliceEndpointFromJson(const Json& j, std::string* warning) {
  if (!j.is_object()) {
    *warning = "an endpoints entry is not an object";
    return std::nullopt;
  }
  SliceEndpoint e;
  for (const Json& a : arrayAt(j, "addresses")) {
    if (a.is_string()) {
      e.addresses.push_back(a.get<std::string>());
    }
  }
  if (e.addresses.empty()) {
    *warning = "an endpoints entry has no addresses";
    return std::nullopt;
  }
  const Json& conditions = objectAt(j, "conditions");
  e.ready = boolAt(conditions, "ready");
  e.serving = boolAt(conditions, "serving");
  e.terminating = boolAt(conditions, "terminating");
  e.hostname = optionalString(j, "hostname");
  e.node_name = optionalString(j, "nodeName");
  e.zone = optionalString(j, "zone");
  const Json* ref = member(j, "targetRef");
  if (ref != nullptr && ref->is_object()) {
    e.target_ref = *ref;
  }
  return e;
}

std::string endpointKey(const SliceEndpoint& endpoint) {
  std::vector<std::string> addresses = endpoint.addresses;
  std::sort(addresses.begin(), addresses.end());
  std::string key;
  appendField(key, std::to_string(addresses.size()));
  for (const std::string& a : addresses) {
    appendField(key, a);
  }
  appendField(key, endpoint.hostname.value_or(""));
  appendField(key, stringOr(endpoint.target_ref, "namespace"));
  appendField(key, stringOr(endpoint.target_ref, "name"));
  return key;
}

Json targetRefForCompare(const Json& ref) {
  if (!ref.is_object()) {
    return nullptr;
  }
  Json copy = ref;
  copy.erase("resourceVersion");
  return copy;
}

bool equalBeyondKey(const SliceEndpoint& a, const SliceEndpoint& b) {
  return a.node_name == b.node_name && a.zone == b.zone && a.ready == b.ready &&
         a.serving == b.serving && a.terminating == b.terminating &&
         targetRefForCompare(a.target_ref) == targetRefForCompare(b.target_ref);
}

bool endpointLess(const SliceEndpoint& a, const SliceEndpoint& b) {
  size_t n = std::min(a.addresses.size(), b.addresses.size());
  for (size_t i = 0; i < n; ++i) {
    if (a.addresses[i] != b.addresses[i]) {
      return addressLess(a.addresses[i], b.addresses[i]);
    }
  }
  if (a.addresses.size() != b.addresses.size()) {
    return a.addresses.size() < b.addresses.size();
  }
  return endpointKey(a) < endpointKey(b);
}

}  // namespace ferry::controlplane::detail
