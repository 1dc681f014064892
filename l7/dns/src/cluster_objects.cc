#include "ferry/dns/cluster_objects.h"

#include <arpa/inet.h>

#include <nlohmann/json.hpp>

#include "ferry/dns/domain_name.h"

namespace ferry::dns {

using nlohmann::json;

namespace {

const json* field(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string stringField(const json& object, const char* key) {
  const json* v = field(object, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

api::Result<std::pair<std::string, std::string>> namespacedName(const json& object,
                                                                const char* kind) {
  const json* meta = field(object, "metadata");
  if (!meta || !meta->is_object()) return api::Error{std::string(kind) + ": no metadata"};
  std::string ns = stringField(*meta, "namespace");
  std::string name = stringField(*meta, "name");
  if (ns.empty()) ns = "default";
  // Both become DNS labels; anything else could not be queried anyway.
  if (!isDnsLabel(name) || !isDnsLabel(ns)) {
    return api::Error{std::string(kind) + " " + ns + "/" + name + ": not a DNS label"};
  }
  return std::pair{ns, name};
}

api::Result<std::vector<PortSpec>> parsePorts(const json* ports, const char* port_key,
                                              const std::string& who) {
  std::vector<PortSpec> out;
  if (!ports) return out;
  if (!ports->is_array()) return api::Error{who + ": ports is not a list"};
  for (const json& p : *ports) {
    const json* number = field(p, port_key);
    if (!number || !number->is_number_integer() || number->get<int64_t>() < 1 ||
        number->get<int64_t>() > 65535) {
      return api::Error{who + ": port without a valid number"};
    }
    PortSpec spec;
    spec.port = static_cast<uint16_t>(number->get<int64_t>());
    spec.name = lowerName(stringField(p, "name"));
    spec.protocol = lowerName(stringField(p, "protocol"));
    if (spec.protocol.empty()) spec.protocol = "tcp";
    // A name that cannot be an SRV label ("_<name>") is kept as unnamed: no SRV, still valid.
    if (!spec.name.empty() && !isDnsLabel(spec.name)) spec.name.clear();
    out.push_back(std::move(spec));
  }
  return out;
}

api::Result<std::vector<IpAddress>> parseAddresses(const json* list, const std::string& who) {
  std::vector<IpAddress> out;
  if (!list) return out;
  if (!list->is_array()) return api::Error{who + ": addresses is not a list"};
  for (const json& a : *list) {
    if (!a.is_string()) return api::Error{who + ": address is not a string"};
    auto ip = IpAddress::parse(a.get<std::string>());
    if (!ip) return api::Error{who + ": bad address " + a.get<std::string>()};
    out.push_back(*ip);
  }
  return out;
}

}  // namespace

std::optional<IpAddress> IpAddress::parse(const std::string& text) {
  IpAddress ip;
  if (inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) return ip;
  ip.v6 = true;
  if (inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) return ip;
  return std::nullopt;
}

std::string IpAddress::dashed() const {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof(text));
  std::string out(text);
  for (char& c : out) {
    if (c == '.' || c == ':') c = '-';
  }
  return out;
}

bool isDnsLabel(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s) {
    if (!alnum(c) && c != '-') return false;
  }
  return true;
}

api::Result<ServiceObject> parseService(const json& object) {
  auto id = namespacedName(object, "Service");
  if (!id.ok()) return api::Error{id.error()};
  ServiceObject svc;
  svc.ns = id->first;
  svc.name = id->second;
  const std::string who = "Service " + svc.ns + "/" + svc.name;
  const json* spec = field(object, "spec");
  if (!spec || !spec->is_object()) return api::Error{who + ": no spec"};

  if (stringField(*spec, "type") == "ExternalName") {
    svc.kind = ServiceKind::kExternalName;
    auto target = nameFromText(stringField(*spec, "externalName"));
    if (!target || target->size() <= 1) return api::Error{who + ": bad externalName"};
    svc.external_name = std::move(*target);
    return svc;
  }

  std::vector<std::string> ips;
  if (const json* list = field(*spec, "clusterIPs"); list && list->is_array()) {
    for (const json& ip : *list) {
      if (ip.is_string()) ips.push_back(ip.get<std::string>());
    }
  }
  if (ips.empty() && !stringField(*spec, "clusterIP").empty()) {
    ips.push_back(stringField(*spec, "clusterIP"));
  }
  if (!ips.empty() && ips.front() == "None") {
    svc.kind = ServiceKind::kHeadless;
  } else {
    for (const std::string& text : ips) {
      auto ip = IpAddress::parse(text);
      if (!ip) return api::Error{std::string(who).append(": bad clusterIP ").append(text)};
      svc.cluster_ips.push_back(*ip);
    }
  }
  auto ports = parsePorts(field(*spec, "ports"), "port", who);
  if (!ports.ok()) return api::Error{ports.error()};
  svc.ports = std::move(*ports);
  if (const json* v = field(*spec, "publishNotReadyAddresses"); v && v->is_boolean()) {
    svc.publish_not_ready = v->get<bool>();
  }
  return svc;
}

api::Result<EndpointSliceObject> parseEndpointSlice(const json& object) {
  auto id = namespacedName(object, "EndpointSlice");
  if (!id.ok()) return api::Error{id.error()};
  EndpointSliceObject slice;
  slice.ns = id->first;
  slice.name = id->second;
  const std::string who = "EndpointSlice " + slice.ns + "/" + slice.name;
  if (const json* labels = field(*field(object, "metadata"), "labels")) {
    slice.service = stringField(*labels, "kubernetes.io/service-name");
  }
  // FQDN slices name hosts, not addresses: nothing to serve.
  const std::string type = stringField(object, "addressType");
  if (type != "IPv4" && type != "IPv6") return slice;

  if (const json* eps = field(object, "endpoints")) {
    if (!eps->is_array()) return api::Error{who + ": endpoints is not a list"};
    for (const json& e : *eps) {
      EndpointEntry entry;
      auto addresses = parseAddresses(field(e, "addresses"), who);
      if (!addresses.ok()) return api::Error{addresses.error()};
      entry.addresses = std::move(*addresses);
      for (const IpAddress& ip : entry.addresses) {
        if (ip.v6 != (type == "IPv6")) return api::Error{who + ": address family mismatch"};
      }
      if (const json* cond = field(e, "conditions")) {
        if (const json* ready = field(*cond, "ready"); ready && ready->is_boolean()) {
          entry.ready = ready->get<bool>();
        }
      }
      entry.hostname = stringField(e, "hostname");
      if (!entry.hostname.empty() && !isDnsLabel(entry.hostname)) entry.hostname.clear();
      slice.endpoints.push_back(std::move(entry));
    }
  }
  auto ports = parsePorts(field(object, "ports"), "port", who);
  if (!ports.ok()) return api::Error{ports.error()};
  slice.ports = std::move(*ports);
  return slice;
}

api::Result<PodObject> parsePod(const json& object) {
  auto id = namespacedName(object, "Pod");
  if (!id.ok()) return api::Error{id.error()};
  PodObject pod;
  pod.ns = id->first;
  pod.name = id->second;
  const json* status = field(object, "status");
  if (!status) return pod;
  std::vector<std::string> ips;
  if (const json* list = field(*status, "podIPs"); list && list->is_array()) {
    for (const json& entry : *list) ips.push_back(stringField(entry, "ip"));
  }
  if (ips.empty() && !stringField(*status, "podIP").empty())
    ips.push_back(stringField(*status, "podIP"));
  for (const std::string& text : ips) {
    auto ip = IpAddress::parse(text);
    if (!ip) return api::Error{"Pod " + pod.ns + "/" + pod.name + ": bad IP " + text};
    pod.ips.push_back(*ip);
  }
  return pod;
}

}  // namespace ferry::dns
