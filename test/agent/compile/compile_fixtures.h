// Builders for the Kubernetes objects the compiler reads, shaped as the REST API serves them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ferry/agent/service_compiler.h"
#include "ferry/model/snapshot.h"

namespace ferry::agent::testing {

using Json = nlohmann::json;

// A Service with the given spec (metadata filled in).
inline Json serviceObject(const std::string& ns, const std::string& name, Json spec,
                          Json status = Json::object(), Json annotations = Json::object()) {
  Json obj = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"namespace", ns}, {"name", name}}},
              {"spec", std::move(spec)}};
  if (!annotations.empty()) obj["metadata"]["annotations"] = std::move(annotations);
  if (!status.empty()) obj["status"] = std::move(status);
  return obj;
}

// A ClusterIP Service on 10.96.0.<n>, one unnamed TCP port 80.
inline Json simpleService(const std::string& ns, const std::string& name, const std::string& ip) {
  return serviceObject(ns, name,
                       {{"type", "ClusterIP"},
                        {"clusterIP", ip},
                        {"clusterIPs", {ip}},
                        {"ipFamilies", {"IPv4"}},
                        {"ports", {{{"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}}}});
}

inline Json endpoint(const std::string& ip, Json conditions = Json::object(),
                     const std::string& node = "", const std::string& zone = "") {
  Json ep = {{"addresses", {ip}}, {"conditions", std::move(conditions)}};
  if (!node.empty()) ep["nodeName"] = node;
  if (!zone.empty()) ep["zone"] = zone;
  return ep;
}

inline Json slicePort(const std::string& name, int port, const std::string& protocol = "TCP") {
  Json p = {{"port", port}, {"protocol", protocol}};
  if (!name.empty()) p["name"] = name;
  return p;
}

inline Json sliceObject(const std::string& ns, const std::string& name, const std::string& service,
                        const std::string& address_type, Json ports, Json endpoints) {
  Json obj = {{"apiVersion", "discovery.k8s.io/v1"},
              {"kind", "EndpointSlice"},
              {"metadata", {{"namespace", ns}, {"name", name}}},
              {"addressType", address_type},
              {"ports", std::move(ports)},
              {"endpoints", std::move(endpoints)}};
  if (!service.empty()) obj["metadata"]["labels"] = {{"kubernetes.io/service-name", service}};
  return obj;
}

inline model::IpAddress ip(const std::string& text) {
  return *model::IpAddress::parse(text);
}

// The backend addresses of a model Service as "ip:port" strings, in the Service's order.
inline std::vector<std::string> backendStrings(const model::Service& svc) {
  std::vector<std::string> out;
  for (const auto& b : svc.backends)
    out.push_back(b.address.toString() + ":" + std::to_string(b.port));
  return out;
}

}  // namespace ferry::agent::testing
