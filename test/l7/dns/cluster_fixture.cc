#include "cluster_fixture.h"

#include <string>

namespace ferry::dns::testing {

using nlohmann::json;

namespace {

json meta(const std::string& ns, const std::string& name, json labels = json::object()) {
  return {{"namespace", ns}, {"name", name}, {"labels", std::move(labels)}};
}

json slice(const std::string& ns, const std::string& name, const std::string& service,
           const std::string& family, json endpoints, json ports) {
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata", meta(ns, name, {{"kubernetes.io/service-name", service}})},
          {"addressType", family},
          {"endpoints", std::move(endpoints)},
          {"ports", std::move(ports)}};
}

json headless(const std::string& ns, const std::string& name, json ports) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", meta(ns, name)},
          {"spec", {{"clusterIP", "None"}, {"clusterIPs", {"None"}}, {"ports", std::move(ports)}}}};
}

}  // namespace

json clusterObjects() {
  json items = json::array();
  items.push_back({{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", meta("default", "web")},
                   {"spec",
                    {{"type", "ClusterIP"},
                     {"clusterIP", "10.96.0.10"},
                     {"clusterIPs", {"10.96.0.10", "fd00::10"}},
                     {"ports",
                      {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
                       {{"port", 8080}, {"protocol", "TCP"}},
                       {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}}}}}}});
  // Endpoints of a ClusterIP service get no names of their own, hostname or not.
  items.push_back(slice("default", "web-abc", "web", "IPv4",
                        {{{"addresses", {"10.244.0.9"}},
                          {"hostname", "web-host"},
                          {"conditions", {{"ready", true}}}}},
                        {{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}}));

  items.push_back(headless("apps", "db", {{{"name", "pg"}, {"port", 5432}}}));
  items.push_back(slice(
      "apps", "db-v4", "db", "IPv4",
      {{{"addresses", {"10.244.1.5"}}, {"hostname", "db-0"}, {"conditions", {{"ready", true}}}},
       {{"addresses", {"10.244.1.6"}}, {"conditions", json::object()}},  // unknown = ready
       {{"addresses", {"10.244.1.7"}}, {"hostname", "db-2"}, {"conditions", {{"ready", false}}}}},
      {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}));
  items.push_back(slice(
      "apps", "db-v6", "db", "IPv6",
      {{{"addresses", {"fd00::1:5"}}, {"hostname", "db-0"}, {"conditions", {{"ready", true}}}}},
      {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}));

  items.push_back(headless("apps", "empty", json::array()));
  items.push_back(slice("apps", "empty-1", "empty", "IPv4",
                        {{{"addresses", {"10.244.3.1"}}, {"conditions", {{"ready", false}}}}},
                        json::array()));
  items.push_back(headless("apps", "noslices", json::array()));

  json big = json::array();
  for (int i = 1; i <= kBigEndpoints; ++i) {
    big.push_back({{"addresses", {"10.244.2." + std::to_string(i)}}});
  }
  items.push_back(headless("apps", "big", json::array()));
  items.push_back(slice("apps", "big-1", "big", "IPv4", std::move(big), json::array()));

  items.push_back({{"apiVersion", "v1"},
                   {"kind", "Service"},
                   {"metadata", meta("default", "ext")},
                   {"spec", {{"type", "ExternalName"}, {"externalName", "example.com"}}}});

  items.push_back({{"apiVersion", "v1"},
                   {"kind", "Pod"},
                   {"metadata", meta("default", "web-1")},
                   {"status", {{"podIP", "10.244.0.9"}, {"podIPs", {{{"ip", "10.244.0.9"}}}}}}});
  return {{"apiVersion", "v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

}  // namespace ferry::dns::testing
