// Which Service keys a Pod, EndpointSlice, Endpoints or Node change is queued under.
#include "ferry/controllers/service_keys.h"

#include <gtest/gtest.h>

namespace ferry::controlplane {
namespace {

using nlohmann::json;

json service(const std::string& ns, const std::string& name, json selector) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", {{"selector", selector}}}};
}

json pod(const std::string& ns, const std::string& name, json labels) {
  return {
      {"metadata", {{"namespace", ns}, {"name", name}, {"uid", "u-" + name}, {"labels", labels}}},
      {"spec", {{"nodeName", "n1"}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", "10.0.0.1"},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

class PodMapping : public ::testing::Test {
 protected:
  json web = service("default", "web", {{"app", "web"}});
  json api = service("default", "api", {{"app", "api"}});
  json all = service("default", "all", {{"tier", "fe"}});
  json other_ns = service("other", "web", {{"app", "web"}});
  json headless_no_selector = service("default", "manual", nullptr);
  std::vector<const json*> services{&web, &api, &all, &other_ns, &headless_no_selector};
};

TEST_F(PodMapping, CreateQueuesEveryServiceSelectingItInItsNamespace) {
  json p = pod("default", "p", {{"app", "web"}, {"tier", "fe"}});
  EXPECT_EQ(serviceKeysForPodChange(nullptr, &p, services),
            (std::vector<std::string>{"default/all", "default/web"}));
}

TEST_F(PodMapping, DeleteQueuesTheServicesThatSelectedIt) {
  json p = pod("default", "p", {{"app", "api"}});
  EXPECT_EQ(serviceKeysForPodChange(&p, nullptr, services),
            (std::vector<std::string>{"default/api"}));
}

TEST_F(PodMapping, RelabelQueuesTheServiceLeftAndTheServiceJoined) {
  json before = pod("default", "p", {{"app", "web"}});
  json after = pod("default", "p", {{"app", "api"}});
  EXPECT_EQ(serviceKeysForPodChange(&before, &after, services),
            (std::vector<std::string>{"default/api", "default/web"}));
}

TEST_F(PodMapping, ReadinessFlipQueuesItsServices) {
  json before = pod("default", "p", {{"app", "web"}});
  json after = before;
  after["status"]["conditions"][0]["status"] = "False";
  EXPECT_EQ(serviceKeysForPodChange(&before, &after, services),
            (std::vector<std::string>{"default/web"}));
}

TEST_F(PodMapping, DeletionTimestampQueuesItsServices) {
  json before = pod("default", "p", {{"app", "web"}});
  json after = before;
  after["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
  EXPECT_TRUE(podChangeAffectsEndpoints(before, after));
  EXPECT_EQ(serviceKeysForPodChange(&before, &after, services).size(), 1U);
}

TEST_F(PodMapping, IrrelevantUpdateQueuesNothing) {
  json before = pod("default", "p", {{"app", "web"}});
  json after = before;
  after["metadata"]["resourceVersion"] = "99";
  after["metadata"]["annotations"] = {{"note", "x"}};
  after["status"]["startTime"] = "2026-01-01T00:00:00Z";
  EXPECT_FALSE(podChangeAffectsEndpoints(before, after));
  EXPECT_TRUE(serviceKeysForPodChange(&before, &after, services).empty());
}

TEST_F(PodMapping, EndpointRelevantFieldsEachCount) {
  json base = pod("default", "p", {{"app", "web"}});
  std::vector<std::function<void(json&)>> edits = {
      [](json& p) { p["status"]["podIP"] = "10.0.0.2"; },
      [](json& p) {
        p["status"]["podIPs"] = {{{"ip", "10.0.0.2"}}};
      },
      [](json& p) { p["status"]["phase"] = "Succeeded"; },
      [](json& p) { p["spec"]["nodeName"] = "n2"; },
      [](json& p) { p["spec"]["hostname"] = "h"; },
      [](json& p) { p["spec"]["subdomain"] = "web"; },
      [](json& p) {
        p["spec"]["containers"] = {
            {{"name", "c"}, {"ports", {{{"name", "http"}, {"containerPort", 80}}}}}};
      },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    json after = base;
    edits[i](after);
    EXPECT_TRUE(podChangeAffectsEndpoints(base, after)) << "edit " << i;
  }
}

TEST_F(PodMapping, ServicesWithoutSelectorAndOtherNamespacesAreNotQueued) {
  json p = pod("other", "p", {{"app", "api"}});
  EXPECT_TRUE(serviceKeysForPodChange(nullptr, &p, services).empty());
}

TEST(SliceMapping, ManagedSlicesMapToTheirServiceLabel) {
  json slice = {
      {"metadata",
       {{"namespace", "default"},
        {"name", "web-abcde"},
        {"labels",
         {{"kubernetes.io/service-name", "web"},
          {"endpointslice.kubernetes.io/managed-by", "endpointslice-controller.k8s.io"}}}}}};
  EXPECT_EQ(serviceKeyForEndpointSlice(slice), "default/web");
  slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"] =
      "endpointslicemirroring-controller.k8s.io";
  EXPECT_EQ(serviceKeyForEndpointSlice(slice), "default/web");
}

TEST(SliceMapping, OtherManagersAndUnlabelledSlicesAreNotOurs) {
  json slice = {{"metadata",
                 {{"namespace", "default"},
                  {"name", "x"},
                  {"labels",
                   {{"kubernetes.io/service-name", "web"},
                    {"endpointslice.kubernetes.io/managed-by", "someone-else"}}}}}};
  EXPECT_EQ(serviceKeyForEndpointSlice(slice), std::nullopt);
  slice["metadata"].erase("labels");
  EXPECT_EQ(serviceKeyForEndpointSlice(slice), std::nullopt);
  EXPECT_EQ(serviceKeyForEndpointSlice(json("not an object")), std::nullopt);
}

TEST(EndpointsMapping, SameNamespaceAndName) {
  EXPECT_EQ(serviceKeyForEndpoints({{"metadata", {{"namespace", "ns"}, {"name", "db"}}}}), "ns/db");
  EXPECT_EQ(serviceKeyForEndpoints({{"metadata", {{"name", "db"}}}}), std::nullopt);
  EXPECT_EQ(serviceKeyForEndpoints(json::array()), std::nullopt);
}

TEST(NodeMapping, AddDeleteAndZoneChangesCountHeartbeatsDoNot) {
  json a = {{"metadata", {{"name", "n1"}, {"labels", {{"topology.kubernetes.io/zone", "z1"}}}}}};
  json heartbeat = a;
  heartbeat["status"] = {{"conditions", {{{"type", "Ready"}, {"status", "True"}}}}};
  json moved = a;
  moved["metadata"]["labels"]["topology.kubernetes.io/zone"] = "z2";
  EXPECT_TRUE(nodeChangeAffectsEndpoints(nullptr, &a));
  EXPECT_TRUE(nodeChangeAffectsEndpoints(&a, nullptr));
  EXPECT_FALSE(nodeChangeAffectsEndpoints(&a, &heartbeat));
  EXPECT_TRUE(nodeChangeAffectsEndpoints(&a, &moved));
}

}  // namespace
}  // namespace ferry::controlplane
