#include "ferry/api/discovery.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ferry/api/resources.h"

namespace ferry::api {
namespace {

using nlohmann::json;

TEST(Discovery, VersionDocument) {
  json v = versionDocument(defaultVersionInfo());
  // version.Info: every field is a string and always present.
  for (const char* key : {"major", "minor", "gitVersion", "gitCommit", "gitTreeState", "buildDate",
                          "goVersion", "compiler", "platform"}) {
    ASSERT_TRUE(v.contains(key)) << key;
    EXPECT_TRUE(v[key].is_string()) << key;
  }
  EXPECT_EQ(v["major"], "1");
  EXPECT_EQ(v["minor"], "32");
  EXPECT_EQ(v["gitVersion"], "v1.32.0-ferry");
  EXPECT_TRUE(v["platform"].get<std::string>().starts_with("linux/"));
#if defined(__x86_64__)
  EXPECT_EQ(v["platform"], "linux/amd64");
#endif
  VersionInfo custom;
  custom.git_commit = "abc123";
  custom.build_date = "2024-05-01T00:00:00Z";
  EXPECT_EQ(versionDocument(custom)["gitCommit"], "abc123");
  EXPECT_EQ(versionDocument(custom)["buildDate"], "2024-05-01T00:00:00Z");
}

TEST(Discovery, ApiVersions) {
  json v = apiVersions();
  EXPECT_EQ(v["kind"], "APIVersions");
  EXPECT_EQ(v["versions"], json::array({"v1"}));
  EXPECT_EQ(v["serverAddressByClientCIDRs"], json::array());
  json with = apiVersions("10.0.0.1:6443");
  EXPECT_EQ(with["serverAddressByClientCIDRs"],
            json::parse(R"([{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}])"));
}

TEST(Discovery, ApiGroupList) {
  json list = apiGroupList();
  EXPECT_EQ(list["kind"], "APIGroupList");
  EXPECT_EQ(list["apiVersion"], "v1");
  ASSERT_EQ(list["groups"].size(), 2u);
  EXPECT_EQ(list["groups"][0], json::parse(R"({
      "name": "networking.k8s.io",
      "versions": [{"groupVersion": "networking.k8s.io/v1", "version": "v1"}],
      "preferredVersion": {"groupVersion": "networking.k8s.io/v1", "version": "v1"}})"));
  EXPECT_EQ(list["groups"][1]["name"], "discovery.k8s.io");

  auto group = apiGroup("discovery.k8s.io");
  ASSERT_TRUE(group.ok());
  EXPECT_EQ((*group)["kind"], "APIGroup");
  EXPECT_EQ((*group)["preferredVersion"]["groupVersion"], "discovery.k8s.io/v1");
  EXPECT_FALSE(apiGroup("").ok());
  EXPECT_FALSE(apiGroup("apps").ok());
}

TEST(Discovery, CoreResourceList) {
  auto list = apiResourceList("", "v1");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["kind"], "APIResourceList");
  EXPECT_EQ((*list)["groupVersion"], "v1");
  std::vector<std::string> names;
  for (const auto& r : (*list)["resources"]) names.push_back(r["name"]);
  EXPECT_EQ(names,
            (std::vector<std::string>{"configmaps", "endpoints", "events", "namespaces",
                                      "namespaces/status", "nodes", "nodes/status", "pods",
                                      "pods/status", "secrets", "services", "services/status"}));
  for (const auto& r : (*list)["resources"]) {
    if (r["name"] == "services") {
      EXPECT_EQ(r, json::parse(R"({
          "name": "services", "singularName": "service", "namespaced": true, "kind": "Service",
          "verbs": ["create","delete","deletecollection","get","list","patch","update","watch"],
          "shortNames": ["svc"], "categories": ["all"]})"));
    } else if (r["name"] == "services/status") {
      EXPECT_EQ(r, json::parse(R"({
          "name": "services/status", "singularName": "", "namespaced": true, "kind": "Service",
          "verbs": ["get","patch","update"]})"));
    } else if (r["name"] == "nodes") {
      EXPECT_EQ(r["namespaced"], false);
      EXPECT_EQ(r["shortNames"], json::array({"no"}));
      EXPECT_FALSE(r.contains("categories"));
    } else if (r["name"] == "secrets") {
      EXPECT_FALSE(r.contains("shortNames"));
    }
  }
}

TEST(Discovery, GroupResourceLists) {
  auto net = apiResourceList("networking.k8s.io", "v1");
  ASSERT_TRUE(net.ok());
  EXPECT_EQ((*net)["groupVersion"], "networking.k8s.io/v1");
  ASSERT_EQ((*net)["resources"].size(), 3u);
  EXPECT_EQ((*net)["resources"][0]["name"], "ingressclasses");
  EXPECT_EQ((*net)["resources"][0]["namespaced"], false);
  EXPECT_EQ((*net)["resources"][1]["name"], "ingresses");
  EXPECT_EQ((*net)["resources"][1]["shortNames"], json::array({"ing"}));
  EXPECT_EQ((*net)["resources"][2]["name"], "ingresses/status");

  auto disc = apiResourceList("discovery.k8s.io", "v1");
  ASSERT_TRUE(disc.ok());
  ASSERT_EQ((*disc)["resources"].size(), 1u);
  EXPECT_EQ((*disc)["resources"][0]["kind"], "EndpointSlice");

  EXPECT_FALSE(apiResourceList("", "v2").ok());
  EXPECT_FALSE(apiResourceList("apps", "v1").ok());
}

// client-go's aggregated discovery conversion (discovery/aggregated_discovery.go) needs, per
// resource: resource, responseKind{group,version,kind}, scope Namespaced|Cluster, verbs; and
// freshness "Current" per version, or the group-version counts as failed.
void checkAggregated(const json& doc, std::string_view api_version, bool legacy) {
  EXPECT_EQ(doc["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(doc["apiVersion"], api_version);
  std::vector<std::string> groups;
  for (const auto& item : doc["items"]) {
    std::string group = item["metadata"].value("name", "");
    groups.push_back(group);
    ASSERT_FALSE(item["versions"].empty());
    for (const auto& version : item["versions"]) {
      EXPECT_EQ(version["freshness"], "Current");
      std::string v = version["version"];
      auto want = resourcesOf(group, v);
      ASSERT_EQ(version["resources"].size(), want.size()) << group << "/" << v;
      for (size_t i = 0; i < want.size(); ++i) {
        const json& r = version["resources"][i];
        const ResourceType& t = *want[i];
        SCOPED_TRACE(std::string(t.plural));
        EXPECT_EQ(r["resource"], t.plural);
        EXPECT_EQ(r["singularResource"], t.singular);
        EXPECT_EQ(r["responseKind"],
                  (json{{"group", t.group}, {"version", t.version}, {"kind", t.kind}}));
        EXPECT_EQ(r["scope"], t.namespaced ? "Namespaced" : "Cluster");
        EXPECT_EQ(r["verbs"].size(), t.verbs.size());
        EXPECT_EQ(r.contains("shortNames"), !t.short_names.empty());
        EXPECT_EQ(r.contains("categories"), !t.categories.empty());
        EXPECT_EQ(r.contains("subresources"), !t.subresources.empty());
        for (const auto& s : r.value("subresources", json::array())) {
          EXPECT_EQ(s["subresource"], "status");
          EXPECT_EQ(s["responseKind"]["kind"], t.kind);
          EXPECT_EQ(s["verbs"], json::array({"get", "patch", "update"}));
        }
      }
    }
  }
  if (legacy) {
    EXPECT_EQ(groups, std::vector<std::string>{""});
  } else {
    EXPECT_EQ(groups, (std::vector<std::string>{"networking.k8s.io", "discovery.k8s.io"}));
  }
}

TEST(Discovery, AggregatedV2) {
  json api = aggregatedDiscovery(true, AggregatedVersion::kV2);
  checkAggregated(api, "apidiscovery.k8s.io/v2", true);
  // The core group has no name; Go omits the empty string.
  EXPECT_FALSE(api["items"][0]["metadata"].contains("name"));
  checkAggregated(aggregatedDiscovery(false, AggregatedVersion::kV2), "apidiscovery.k8s.io/v2",
                  false);
}

TEST(Discovery, AggregatedV2Beta1) {
  checkAggregated(aggregatedDiscovery(true, AggregatedVersion::kV2Beta1),
                  "apidiscovery.k8s.io/v2beta1", true);
  checkAggregated(aggregatedDiscovery(false, AggregatedVersion::kV2Beta1),
                  "apidiscovery.k8s.io/v2beta1", false);
}

TEST(Discovery, AggregatedServiceEntry) {
  json api = aggregatedDiscovery(true, AggregatedVersion::kV2);
  const json* svc = nullptr;
  for (const auto& r : api["items"][0]["versions"][0]["resources"])
    if (r["resource"] == "services") svc = &r;
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(*svc, json::parse(R"({
      "resource": "services",
      "responseKind": {"group": "", "version": "v1", "kind": "Service"},
      "scope": "Namespaced",
      "singularResource": "service",
      "verbs": ["create","delete","deletecollection","get","list","patch","update","watch"],
      "shortNames": ["svc"],
      "categories": ["all"],
      "subresources": [{"subresource": "status",
                        "responseKind": {"group": "", "version": "v1", "kind": "Service"},
                        "verbs": ["get","patch","update"]}]})"));
}

}  // namespace
}  // namespace ferry::api
