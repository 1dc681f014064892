// Builders for the objects ferry-ingress reads, shaped as the REST API serves them, and a
// harness around IngressConfigBuilder with the real ServiceCompiler behind it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "ferry/agent/service_compiler.h"
#include "ferry/ingress/config_builder.h"
#include "ferry/ingress/ingress_objects.h"
#include "ferry/ingress/route_table.h"
#include "ferry/ingress/service_model.h"

namespace ferry::ingress::testing {

using Json = nlohmann::json;

inline constexpr const char* kOurController = "ferry.io/ingress-controller";
inline constexpr const char* kT0 = "2024-01-01T00:00:00Z";

inline Json backendPort(const std::string& service, int number) {
  return {{"service", {{"name", service}, {"port", {{"number", number}}}}}};
}
inline Json backendNamed(const std::string& service, const std::string& port) {
  return {{"service", {{"name", service}, {"port", {{"name", port}}}}}};
}
inline Json httpPath(const std::string& path, const std::string& type, Json backend) {
  return {{"path", path}, {"pathType", type}, {"backend", std::move(backend)}};
}
// One rule; host "" = no host field.
inline Json rule(const std::string& host, Json paths) {
  Json r = {{"http", {{"paths", std::move(paths)}}}};
  if (!host.empty()) r["host"] = host;
  return r;
}

// An Ingress of class "ferry" (ingressClassName) unless `spec` says otherwise.
inline Json ingressObject(const std::string& ns, const std::string& name, Json spec,
                          const std::string& created = kT0, Json annotations = Json::object()) {
  if (!spec.contains("ingressClassName")) spec["ingressClassName"] = "ferry";
  if (spec["ingressClassName"].is_null()) spec.erase("ingressClassName");
  Json meta = {{"namespace", ns}, {"name", name}};
  if (!created.empty()) meta["creationTimestamp"] = created;
  if (!annotations.empty()) meta["annotations"] = std::move(annotations);
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", std::move(meta)},
          {"spec", std::move(spec)}};
}

inline Json ingressClass(const std::string& name, const std::string& controller,
                         bool is_default = false) {
  Json meta = {{"name", name}};
  if (is_default) meta["annotations"] = {{"ingressclass.kubernetes.io/is-default-class", "true"}};
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "IngressClass"},
          {"metadata", std::move(meta)},
          {"spec", {{"controller", controller}}}};
}

Json secretObject(const std::string& ns, const std::string& name, const std::string& type,
                  const std::string& cert, const std::string& key);

inline Json serviceObject(const std::string& ns, const std::string& name, const std::string& ip,
                          Json ports, const std::string& cluster_ip_field = "") {
  const std::string cip = cluster_ip_field.empty() ? ip : cluster_ip_field;
  Json spec = {{"type", "ClusterIP"},
               {"clusterIP", cip},
               {"ipFamilies", {"IPv4"}},
               {"ports", std::move(ports)}};
  if (cip != "None") spec["clusterIPs"] = {cip};
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", std::move(spec)}};
}
inline Json servicePort(const std::string& name, int port, int target) {
  Json p = {{"port", port}, {"protocol", "TCP"}, {"targetPort", target}};
  if (!name.empty()) p["name"] = name;
  return p;
}
inline Json endpoint(const std::string& ip, bool ready = true, bool serving = true,
                     bool terminating = false) {
  return {{"addresses", {ip}},
          {"conditions", {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}}};
}
inline Json slicePort(const std::string& name, int port) {
  Json p = {{"port", port}, {"protocol", "TCP"}};
  if (!name.empty()) p["name"] = name;
  return p;
}
inline Json sliceObject(const std::string& ns, const std::string& name, const std::string& service,
                        Json ports, Json endpoints) {
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"namespace", ns}, {"name", name}, {"labels", {{"kubernetes.io/service-name", service}}}}},
      {"addressType", "IPv4"},
      {"ports", std::move(ports)},
      {"endpoints", std::move(endpoints)}};
}

// Parses Ingress JSON that must be valid.
inline IngressObject parsed(const Json& object) {
  auto result = parseIngress(object);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error());
  return result.ok() ? std::move(*result) : IngressObject{};
}

// The route table of some Ingresses (all taken as selected).
inline RouteTable::Ptr tableOf(const std::vector<Json>& objects,
                               std::vector<RouteConflict>* conflicts = nullptr) {
  std::vector<IngressObject> held;
  held.reserve(objects.size());
  for (const Json& o : objects) held.push_back(parsed(o));
  std::vector<const IngressObject*> ptrs;
  for (const IngressObject& i : held) ptrs.push_back(&i);
  return RouteTable::build(ptrs, conflicts);
}

// Which service a request reaches: "svc" for a rule, "default:svc" for the default backend,
// "" for no route.
inline std::string routeOf(const RouteTable& table, std::string_view host, std::string_view path) {
  RouteMatch m = table.match(host, path);
  if (!m) return "";
  if (m.host == HostMatch::kDefaultBackend) return "default:" + m.backend->service.name;
  return m.backend->service.name;
}

// A canonical text of everything a table decides, for comparing tables built differently.
std::string dumpTable(const RouteTable& table);

// IngressConfigBuilder over a real agent::ServiceCompiler, with IngressClass "ferry" of ours.
class Harness {
 public:
  explicit Harness(BuilderOptions options = {}, bool add_class = true)
      : model_(compiler_), builder_(std::move(options), model_) {
    if (add_class) {
      EXPECT_TRUE(apply("IngressClass", ingressClass("ferry", kOurController)).ok());
    }
  }
  api::Result<bool> apply(std::string_view kind, const Json& object) {
    return builder_.apply(kind, object);
  }
  IngressConfigBuilder& builder() { return builder_; }
  IngressConfig::Ptr build() { return builder_.build(); }

 private:
  agent::ServiceCompiler compiler_;
  ServiceCompilerModel<agent::ServiceCompiler> model_;
  IngressConfigBuilder builder_;
};

}  // namespace ferry::ingress::testing
