#include "ferry/controllers/endpointslice_reconciler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "test_objects.h"

namespace ferry::controlplane {
namespace {

using testing::allAddresses;
using testing::bulkIp;
using testing::bulkPods;
using testing::endpointFor;
using testing::FakeApiServer;
using testing::Json;
using testing::PodBuilder;
using testing::ServiceBuilder;
using testing::sliceHolding;

const NodeZones& zones() {
  static const NodeZones kZones = {{"node-a", "zone-a"}, {"node-b", "zone-b"}, {"node-bare", ""}};
  return kZones;
}

Json httpService() {
  return ServiceBuilder("web").port("http", 80, 8080);
}

SliceChanges reconcile(const Json& svc, const std::vector<Json>& pods,
                       const std::vector<Json>& existing = {},
                       const EndpointSliceOptions& options = {}) {
  return reconcileEndpointSlices(svc, pods, zones(), existing, options);
}

// Reconciles and applies until nothing changes; fails if that takes more than one round.
std::vector<Json> converge(const Json& svc, const std::vector<Json>& pods,
                           const EndpointSliceOptions& options = {}) {
  FakeApiServer api;
  api.apply(reconcile(svc, pods, {}, options));
  SliceChanges again = reconcile(svc, pods, api.objects(), options);
  EXPECT_TRUE(again.empty()) << "second reconcile not a no-op: creates " << again.to_create.size()
                             << " updates " << again.to_update.size() << " deletes "
                             << again.to_delete.size();
  return api.objects();
}

TEST(EndpointSliceReconciler, NewServiceGetsOneSliceWithKubeShape) {
  std::vector<Json> pods = {PodBuilder("b").ip("10.0.0.2").node("node-b"),
                            PodBuilder("a").ip("10.0.0.1")};
  SliceChanges c = reconcile(httpService(), pods);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_TRUE(c.to_update.empty());
  EXPECT_TRUE(c.to_delete.empty());
  EXPECT_TRUE(c.warnings.empty());
  const Json& s = c.to_create[0];
  EXPECT_EQ(s["apiVersion"], "discovery.k8s.io/v1");
  EXPECT_EQ(s["kind"], "EndpointSlice");
  EXPECT_EQ(s["metadata"]["generateName"], "web-");
  EXPECT_FALSE(s["metadata"].contains("name"));
  EXPECT_EQ(s["metadata"]["namespace"], "default");
  EXPECT_EQ(s["addressType"], "IPv4");
  EXPECT_EQ(s["ports"], Json::parse(R"([{"name":"http","port":8080,"protocol":"TCP"}])"));
  Json expected_endpoints = Json::parse(R"([
    {"addresses":["10.0.0.1"],"conditions":{"ready":true,"serving":true,"terminating":false},
     "nodeName":"node-a","zone":"zone-a",
     "targetRef":{"kind":"Pod","namespace":"default","name":"a","uid":"uid-a"}},
    {"addresses":["10.0.0.2"],"conditions":{"ready":true,"serving":true,"terminating":false},
     "nodeName":"node-b","zone":"zone-b",
     "targetRef":{"kind":"Pod","namespace":"default","name":"b","uid":"uid-b"}}])");
  EXPECT_EQ(s["endpoints"], expected_endpoints);
}

TEST(EndpointSliceReconciler, LabelsAndOwnerReference) {
  Json svc = ServiceBuilder("web")
                 .port("http", 80, 8080)
                 .label("team", "blue")
                 .label("kubernetes.io/service-name", "spoofed")
                 .label("endpointslice.kubernetes.io/managed-by", "spoofed");
  SliceChanges c = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")});
  ASSERT_EQ(c.to_create.size(), 1u);
  const Json& meta = c.to_create[0]["metadata"];
  EXPECT_EQ(meta["labels"], Json::parse(R"({"team":"blue",
      "kubernetes.io/service-name":"web",
      "endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"})"));
  EXPECT_EQ(meta["ownerReferences"], Json::parse(R"([{"apiVersion":"v1","kind":"Service",
      "name":"web","uid":"svc-uid-1","controller":true,"blockOwnerDeletion":true}])"));
}

TEST(EndpointSliceReconciler, HeadlessServiceSlicesCarryHeadlessLabel) {
  Json svc = ServiceBuilder("web").clusterIP("None").port("http", 80, 8080);
  SliceChanges c = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["metadata"]["labels"]["service.kubernetes.io/headless"], "");
}

struct ConditionCase {
  const char* name;
  bool ready;
  bool terminating;
  bool publish_not_ready;
  bool want_ready;
  bool want_serving;
  bool want_terminating;
};

TEST(EndpointSliceReconciler, ConditionsFollowKep1672) {
  const ConditionCase cases[] = {
      {"ready", true, false, false, true, true, false},
      {"unready", false, false, false, false, false, false},
      {"terminating serving", true, true, false, false, true, true},
      {"terminating not serving", false, true, false, false, false, true},
      {"unready, publishNotReady", false, false, true, true, false, false},
      {"terminating, publishNotReady", true, true, true, true, true, true},
  };
  for (const ConditionCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    ServiceBuilder svc = ServiceBuilder("web").port("http", 80, 8080);
    if (tc.publish_not_ready) {
      svc.publishNotReady();
    }
    PodBuilder pod = PodBuilder("a").ip("10.0.0.1").ready(tc.ready);
    if (tc.terminating) {
      pod.terminating();
    }
    SliceChanges c = reconcile(svc, {pod});
    ASSERT_EQ(c.to_create.size(), 1u);
    const Json& cond = c.to_create[0]["endpoints"][0]["conditions"];
    EXPECT_EQ(cond["ready"], tc.want_ready);
    EXPECT_EQ(cond["serving"], tc.want_serving);
    EXPECT_EQ(cond["terminating"], tc.want_terminating);
  }
}

TEST(EndpointSliceReconciler, PodsThatAreNotEndpoints) {
  const std::pair<const char*, Json> cases[] = {
      {"succeeded", PodBuilder("x").ip("10.0.0.9").phase("Succeeded")},
      {"failed", PodBuilder("x").ip("10.0.0.9").phase("Failed")},
      {"no IP", PodBuilder("x")},
  };
  for (const auto& [name, pod] : cases) {
    SCOPED_TRACE(name);
    SliceChanges c = reconcile(httpService(), {PodBuilder("a").ip("10.0.0.1"), pod});
    ASSERT_EQ(c.to_create.size(), 1u);
    EXPECT_EQ(allAddresses(c.to_create), std::vector<std::string>{"10.0.0.1"});
    EXPECT_TRUE(c.warnings.empty());
  }
}

TEST(EndpointSliceReconciler, PodIpWithoutPodIpsStillCounts) {
  Json pod = PodBuilder("a");
  pod["status"]["podIP"] = "10.0.0.7";
  SliceChanges c = reconcile(httpService(), {pod});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(allAddresses(c.to_create), std::vector<std::string>{"10.0.0.7"});
}

TEST(EndpointSliceReconciler, NamedPortResolvingDifferentlySplitsSlices) {
  Json svc = ServiceBuilder("web").port("http", 80, "web-port");
  std::vector<Json> pods = {
      PodBuilder("a").ip("10.0.0.1").containerPort("web-port", 8080),
      PodBuilder("b").ip("10.0.0.2").containerPort("web-port", 8080),
      PodBuilder("c").ip("10.0.0.3").containerPort("web-port", 9090),
  };
  std::vector<Json> slices = converge(svc, pods);
  ASSERT_EQ(slices.size(), 2u);
  const Json* s8080 = sliceHolding(slices, "10.0.0.1");
  const Json* s9090 = sliceHolding(slices, "10.0.0.3");
  ASSERT_NE(s8080, nullptr);
  ASSERT_NE(s9090, nullptr);
  EXPECT_EQ(s8080, sliceHolding(slices, "10.0.0.2"));
  EXPECT_EQ((*s8080)["ports"][0]["port"], 8080);
  EXPECT_EQ((*s8080)["ports"][0]["name"], "http");
  EXPECT_EQ((*s9090)["ports"][0]["port"], 9090);
  EXPECT_EQ((*s9090)["endpoints"].size(), 1u);
}

TEST(EndpointSliceReconciler, PodLackingNamedPortIsLeftOutOfThatPort) {
  Json svc = ServiceBuilder("web").port("http", 80, "web-port").port("metrics", 9100, 9100);
  std::vector<Json> pods = {
      PodBuilder("a").ip("10.0.0.1").containerPort("web-port", 8080),
      PodBuilder("b").ip("10.0.0.2"),  // no web-port
  };
  std::vector<Json> slices = converge(svc, pods);
  ASSERT_EQ(slices.size(), 2u);
  const Json* both = sliceHolding(slices, "10.0.0.1");
  const Json* metrics_only = sliceHolding(slices, "10.0.0.2");
  ASSERT_NE(both, nullptr);
  ASSERT_NE(metrics_only, nullptr);
  ASSERT_NE(both, metrics_only);
  EXPECT_EQ((*both)["ports"].size(), 2u);
  EXPECT_EQ((*metrics_only)["ports"],
            Json::parse(R"([{"name":"metrics","port":9100,"protocol":"TCP"}])"));
}

TEST(EndpointSliceReconciler, NamedPortMustMatchProtocol) {
  Json svc = ServiceBuilder("web").port("dns", 53, "dns", "UDP");
  std::vector<Json> pods = {
      PodBuilder("tcp-only").ip("10.0.0.1").containerPort("dns", 5353, "TCP"),
      PodBuilder("udp").ip("10.0.0.2").containerPort("dns", 5353, "UDP"),
  };
  std::vector<Json> slices = converge(svc, pods);
  const Json* tcp = sliceHolding(slices, "10.0.0.1");
  const Json* udp = sliceHolding(slices, "10.0.0.2");
  ASSERT_NE(tcp, nullptr);
  ASSERT_NE(udp, nullptr);
  EXPECT_TRUE((*tcp)["ports"].empty());
  EXPECT_EQ((*udp)["ports"], Json::parse(R"([{"name":"dns","port":5353,"protocol":"UDP"}])"));
}

TEST(EndpointSliceReconciler, SidecarPortsResolveNamedTargetPorts) {
  Json svc = ServiceBuilder("web").port("http", 80, "proxy");
  Json pod = PodBuilder("a").ip("10.0.0.1");
  pod["spec"]["initContainers"] = Json::parse(
      R"([{"name":"init","ports":[{"name":"proxy","containerPort":1111}]},
          {"name":"envoy","restartPolicy":"Always","ports":[{"name":"proxy","containerPort":15001}]}])");
  SliceChanges c = reconcile(svc, {pod});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["ports"][0]["port"], 15001);
}

TEST(EndpointSliceReconciler, TargetPortDefaultsToPort) {
  Json svc = ServiceBuilder("web").port("http", 80);
  SliceChanges c = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["ports"][0]["port"], 80);
}

TEST(EndpointSliceReconciler, DualStackGetsOneSliceSetPerFamily) {
  Json svc = ServiceBuilder("web").families({"IPv4", "IPv6"}).port("http", 80, 8080);
  std::vector<Json> pods = {
      PodBuilder("a").ip("10.0.0.1").ip("fd00::1"),
      PodBuilder("b").ip("10.0.0.2").ip("FD00:0:0:0:0:0:0:2"),  // printed canonically
      PodBuilder("v4only").ip("10.0.0.3"),
  };
  std::vector<Json> slices = converge(svc, pods);
  ASSERT_EQ(slices.size(), 2u);
  const Json* v4 = sliceHolding(slices, "10.0.0.1");
  const Json* v6 = sliceHolding(slices, "fd00::1");
  ASSERT_NE(v4, nullptr);
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ((*v4)["addressType"], "IPv4");
  EXPECT_EQ((*v6)["addressType"], "IPv6");
  EXPECT_EQ((*v4)["endpoints"].size(), 3u);
  ASSERT_EQ((*v6)["endpoints"].size(), 2u);
  EXPECT_EQ((*v6)["endpoints"][1]["addresses"][0], "fd00::2");
  EXPECT_EQ((*v6)["endpoints"][1]["targetRef"]["name"], "b");
}

TEST(EndpointSliceReconciler, SingleStackIPv6ServiceIgnoresIPv4Addresses) {
  Json svc = ServiceBuilder("web").families({"IPv6"}).clusterIP("fd00:10::a").port("http", 80);
  std::vector<Json> slices = converge(svc, {PodBuilder("a").ip("10.0.0.1").ip("fd00::1")});
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(slices[0]["addressType"], "IPv6");
  EXPECT_EQ(allAddresses(slices), std::vector<std::string>{"fd00::1"});
}

TEST(EndpointSliceReconciler, MissingIpFamiliesFallBackLikeKube) {
  Json v6 = ServiceBuilder("web").clusterIP("fd00:10::a").port("http", 80);
  v6["spec"].erase("ipFamilies");
  EXPECT_EQ(converge(v6, {PodBuilder("a").ip("fd00::1")})[0]["addressType"], "IPv6");

  Json headless = ServiceBuilder("web").clusterIP("None").port("http", 80);
  headless["spec"].erase("ipFamilies");
  std::vector<Json> slices = converge(headless, {PodBuilder("a").ip("10.0.0.1")});
  std::multiset<std::string> types;
  for (const Json& s : slices) {
    types.insert(s["addressType"].get<std::string>());
  }
  EXPECT_EQ(types, (std::multiset<std::string>{"IPv4", "IPv6"}));  // IPv6 one is a placeholder
}

TEST(EndpointSliceReconciler, DualStackFamilyWithoutEndpointsGetsPlaceholder) {
  Json svc = ServiceBuilder("web").families({"IPv4", "IPv6"}).port("http", 80, 8080);
  std::vector<Json> slices = converge(svc, {PodBuilder("a").ip("10.0.0.1")});
  ASSERT_EQ(slices.size(), 2u);
  auto v6 = std::find_if(slices.begin(), slices.end(),
                         [](const Json& s) { return s["addressType"] == "IPv6"; });
  ASSERT_NE(v6, slices.end());
  EXPECT_EQ((*v6)["endpoints"], Json::array());
  EXPECT_EQ((*v6)["ports"], Json::array());
}

TEST(EndpointSliceReconciler, SplitsAtMaxEndpointsPerSlice) {
  std::vector<Json> slices = converge(httpService(), bulkPods(250));
  ASSERT_EQ(slices.size(), 3u);
  std::multiset<size_t> sizes;
  for (const Json& s : slices) {
    sizes.insert(s["endpoints"].size());
  }
  EXPECT_EQ(sizes, (std::multiset<size_t>{50, 100, 100}));
  std::vector<std::string> all = allAddresses(slices);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 250u);
}

TEST(EndpointSliceReconciler, MaxEndpointsPerSliceIsAParameter) {
  EndpointSliceOptions options;
  options.max_endpoints_per_slice = 2;
  std::vector<Json> slices = converge(httpService(), bulkPods(5), options);
  ASSERT_EQ(slices.size(), 3u);
  for (const Json& s : slices) {
    EXPECT_LE(s["endpoints"].size(), 2u);
  }
}

TEST(EndpointSliceReconciler, EndpointsAreSortedByAddress) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.10"), PodBuilder("b").ip("10.0.0.9"),
                            PodBuilder("c").ip("10.0.0.100")};
  SliceChanges c = reconcile(httpService(), pods);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(allAddresses(c.to_create),
            (std::vector<std::string>{"10.0.0.9", "10.0.0.10", "10.0.0.100"}));
}

TEST(EndpointSliceReconciler, ReadinessFlipRewritesExactlyOneSlice) {
  Json svc = httpService();
  std::vector<Json> pods = bulkPods(250);
  FakeApiServer api(converge(svc, pods));
  const Json* before = sliceHolding(api.objects(), bulkIp(137));
  ASSERT_NE(before, nullptr);
  std::string holder = (*before)["metadata"]["name"];

  pods[137] = PodBuilder("pod-137").ip(bulkIp(137)).ready(false);
  SliceChanges c = reconcile(svc, pods, api.objects());
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_TRUE(c.to_delete.empty());
  ASSERT_EQ(c.to_update.size(), 1u);
  EXPECT_EQ(c.to_update[0]["metadata"]["name"], holder);
  EXPECT_EQ(c.to_update[0]["metadata"]["resourceVersion"],
            (*before)["metadata"]["resourceVersion"]);
  const Json* ep = endpointFor(c.to_update[0], bulkIp(137));
  ASSERT_NE(ep, nullptr);
  EXPECT_EQ((*ep)["conditions"]["ready"], false);
  EXPECT_EQ(c.to_update[0]["endpoints"].size(), (*before)["endpoints"].size());

  api.apply(c);
  EXPECT_TRUE(reconcile(svc, pods, api.objects()).empty());
}

TEST(EndpointSliceReconciler, NoOpReconcileProposesNothing) {
  Json svc = ServiceBuilder("web").families({"IPv4", "IPv6"}).port("http", 80, "web");
  std::vector<Json> pods;
  pods.reserve(30);
  for (int i = 0; i < 30; ++i) {
    pods.push_back(PodBuilder(testing::numbered("p", i))
                       .ip(bulkIp(i))
                       .ip(testing::numbered("fd00::", i + 1))
                       .containerPort("web", i % 2 == 0 ? 8080 : 8081)
                       .ready(i % 3 != 0));
  }
  std::vector<Json> slices = converge(svc, pods);
  // Pods reporting a new resourceVersion (a status write) change nothing either.
  for (Json& p : pods) {
    p["metadata"]["resourceVersion"] = "999";
  }
  SliceChanges c = reconcile(svc, pods, slices);
  EXPECT_TRUE(c.empty());
  EXPECT_TRUE(c.warnings.empty());
}

TEST(EndpointSliceReconciler, ExistingTargetRefResourceVersionIsIgnored) {
  Json svc = httpService();
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1")};
  std::vector<Json> slices = converge(svc, pods);
  slices[0]["endpoints"][0]["targetRef"]["resourceVersion"] = "12345";
  EXPECT_TRUE(reconcile(svc, pods, slices).empty());
}

TEST(EndpointSliceReconciler, NewEndpointFillsTheSliceClosestToFull) {
  Json svc = httpService();
  std::vector<Json> pods = bulkPods(250);
  FakeApiServer api(converge(svc, pods));
  pods.push_back(PodBuilder("new").ip("10.9.9.9"));
  SliceChanges c = reconcile(svc, pods, api.objects());
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_TRUE(c.to_delete.empty());
  ASSERT_EQ(c.to_update.size(), 1u);
  EXPECT_EQ(c.to_update[0]["endpoints"].size(), 51u);
}

TEST(EndpointSliceReconciler, NewEndpointsGoFirstToSlicesRewrittenAnyway) {
  Json svc = httpService();
  std::vector<Json> pods = bulkPods(250);
  FakeApiServer api(converge(svc, pods));
  const Json* full = sliceHolding(api.objects(), bulkIp(0));
  ASSERT_NE(full, nullptr);
  ASSERT_EQ((*full)["endpoints"].size(), 100u);
  std::string full_name = (*full)["metadata"]["name"];
  // One pod of a full slice goes, one new pod comes: the new one takes the freed seat.
  pods.erase(pods.begin());
  pods.push_back(PodBuilder("new").ip("10.9.9.9"));
  SliceChanges c = reconcile(svc, pods, api.objects());
  ASSERT_EQ(c.to_update.size(), 1u);
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_EQ(c.to_update[0]["metadata"]["name"], full_name);
  EXPECT_NE(endpointFor(c.to_update[0], "10.9.9.9"), nullptr);
  EXPECT_EQ(endpointFor(c.to_update[0], bulkIp(0)), nullptr);
}

TEST(EndpointSliceReconciler, RemovingAllPodsLeavesOnePlaceholder) {
  Json svc = httpService();
  FakeApiServer api(converge(svc, bulkPods(250)));
  SliceChanges c = reconcile(svc, {}, api.objects());
  // One doomed slice is recycled into the placeholder, the other two go.
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_EQ(c.to_update.size(), 1u);
  EXPECT_EQ(c.to_delete.size(), 2u);
  api.apply(c);
  ASSERT_EQ(api.objects().size(), 1u);
  const Json& placeholder = api.objects()[0];
  EXPECT_EQ(placeholder["endpoints"], Json::array());
  EXPECT_EQ(placeholder["ports"], Json::array());
  EXPECT_EQ(placeholder["addressType"], "IPv4");
  EXPECT_EQ(placeholder["metadata"]["labels"]["kubernetes.io/service-name"], "web");
  EXPECT_TRUE(reconcile(svc, {}, api.objects()).empty());

  // Pods coming back reuse the placeholder rather than creating next to it.
  SliceChanges back = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")}, api.objects());
  EXPECT_TRUE(back.to_create.empty());
  EXPECT_TRUE(back.to_delete.empty());
  ASSERT_EQ(back.to_update.size(), 1u);
  EXPECT_EQ(back.to_update[0]["metadata"]["name"], placeholder["metadata"]["name"]);
  EXPECT_EQ(back.to_update[0]["endpoints"].size(), 1u);
}

TEST(EndpointSliceReconciler, ServiceWithoutPodsGetsPlaceholderOnce) {
  std::vector<Json> slices = converge(httpService(), {});
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_TRUE(slices[0]["endpoints"].empty());
}

TEST(EndpointSliceReconciler, HostnameOnlyWhenSubdomainIsTheService) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").hostname("web-0", "web"),
                            PodBuilder("b").ip("10.0.0.2").hostname("other-0", "other")};
  SliceChanges c = reconcile(httpService(), pods);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ((*endpointFor(c.to_create[0], "10.0.0.1"))["hostname"], "web-0");
  EXPECT_FALSE(endpointFor(c.to_create[0], "10.0.0.2")->contains("hostname"));
}

TEST(EndpointSliceReconciler, ZonesComeFromNodes) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").node("node-a"),
                            PodBuilder("b").ip("10.0.0.2").node("node-bare")};
  SliceChanges c = reconcile(httpService(), pods);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ((*endpointFor(c.to_create[0], "10.0.0.1"))["zone"], "zone-a");
  const Json* bare = endpointFor(c.to_create[0], "10.0.0.2");
  EXPECT_FALSE(bare->contains("zone"));
  EXPECT_EQ((*bare)["nodeName"], "node-bare");
}

TEST(EndpointSliceReconciler, PodOnUnknownNodeIsLeftOutAndRetried) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"),
                            PodBuilder("ghost").ip("10.0.0.2").node("node-gone")};
  SliceChanges c = reconcile(httpService(), pods);
  EXPECT_TRUE(c.retry_later);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("node-gone"), std::string::npos);
  EXPECT_EQ(allAddresses(c.to_create), std::vector<std::string>{"10.0.0.1"});

  // publishNotReadyAddresses publishes it anyway (without a zone), as kube does.
  Json publish = ServiceBuilder("web").port("http", 80, 8080).publishNotReady();
  SliceChanges p = reconcile(publish, pods);
  EXPECT_FALSE(p.retry_later);
  EXPECT_EQ(allAddresses(p.to_create).size(), 2u);
  EXPECT_FALSE(endpointFor(p.to_create[0], "10.0.0.2")->contains("zone"));

  EndpointSliceOptions lax;
  lax.skip_pods_on_unknown_nodes = false;
  SliceChanges l = reconcile(httpService(), pods, {}, lax);
  EXPECT_FALSE(l.retry_later);
  EXPECT_EQ(allAddresses(l.to_create).size(), 2u);
}

TEST(EndpointSliceReconciler, ServiceLabelChangeRelabelsSlicesOnly) {
  Json svc = httpService();
  std::vector<Json> pods = bulkPods(150);
  FakeApiServer api(converge(svc, pods));
  svc["metadata"]["labels"]["tier"] = "frontend";
  SliceChanges c = reconcile(svc, pods, api.objects());
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_TRUE(c.to_delete.empty());
  ASSERT_EQ(c.to_update.size(), 2u);
  for (const Json& u : c.to_update) {
    EXPECT_EQ(u["metadata"]["labels"]["tier"], "frontend");
  }
  api.apply(c);
  EXPECT_TRUE(reconcile(svc, pods, api.objects()).empty());
}

TEST(EndpointSliceReconciler, SlicesOfAnotherServiceIncarnationAreReplaced) {
  Json old_svc = ServiceBuilder("web").uid("old-uid").port("http", 80, 8080);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1")};
  FakeApiServer api(converge(old_svc, pods));
  std::string old_name = api.objects()[0]["metadata"]["name"];
  SliceChanges c = reconcile(httpService(), pods, api.objects());
  // kube deletes slices not owned by this Service's uid and never recycles them.
  ASSERT_EQ(c.to_delete.size(), 1u);
  EXPECT_EQ(c.to_delete[0]["metadata"]["name"], old_name);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["metadata"]["ownerReferences"][0]["uid"], "svc-uid-1");
}

TEST(EndpointSliceReconciler, SlicesOfDroppedAddressTypeAreDeleted) {
  Json dual = ServiceBuilder("web").families({"IPv4", "IPv6"}).port("http", 80, 8080);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").ip("fd00::1")};
  FakeApiServer api(converge(dual, pods));
  ASSERT_EQ(api.objects().size(), 2u);
  SliceChanges c = reconcile(httpService(), pods, api.objects());
  ASSERT_EQ(c.to_delete.size(), 1u);
  EXPECT_EQ(c.to_delete[0]["addressType"], "IPv6");
  EXPECT_TRUE(c.to_create.empty());
  EXPECT_TRUE(c.to_update.empty());
}

TEST(EndpointSliceReconciler, PodChangingPortMovesBetweenSlices) {
  Json svc = ServiceBuilder("web").port("http", 80, "web");
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").containerPort("web", 8080),
                            PodBuilder("b").ip("10.0.0.2").containerPort("web", 8080)};
  FakeApiServer api(converge(svc, pods));
  pods[1] = PodBuilder("b").ip("10.0.0.2").containerPort("web", 9090);
  SliceChanges c = reconcile(svc, pods, api.objects());
  EXPECT_EQ(c.to_update.size(), 1u);
  EXPECT_EQ(c.to_create.size(), 1u);
  api.apply(c);
  const Json* moved = sliceHolding(api.objects(), "10.0.0.2");
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ((*moved)["ports"][0]["port"], 9090);
  EXPECT_TRUE(reconcile(svc, pods, api.objects()).empty());
}

TEST(EndpointSliceReconciler, DuplicateEndpointInExistingSliceIsRewritten) {
  Json svc = httpService();
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1")};
  std::vector<Json> slices = converge(svc, pods);
  slices[0]["endpoints"].push_back(slices[0]["endpoints"][0]);
  SliceChanges c = reconcile(svc, pods, slices);
  ASSERT_EQ(c.to_update.size(), 1u);
  EXPECT_EQ(c.to_update[0]["endpoints"].size(), 1u);
}

TEST(EndpointSliceReconciler, DeletingServiceGetsNoNewSlices) {
  Json svc = ServiceBuilder("web").port("http", 80, 8080).deleting();
  SliceChanges c = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")});
  EXPECT_TRUE(c.empty());
}

TEST(EndpointSliceReconciler, ServicesThatAreNotTheControllers) {
  const std::pair<const char*, Json> cases[] = {
      {"no selector", ServiceBuilder("web").noSelector().port("http", 80)},
      {"empty selector",
       [] {
         Json s = ServiceBuilder("web").port("http", 80);
         s["spec"]["selector"] = Json::object();
         return s;
       }()},
      {"ExternalName", ServiceBuilder("web").type("ExternalName")},
  };
  for (const auto& [name, svc] : cases) {
    SCOPED_TRACE(name);
    SliceChanges c = reconcile(svc, {PodBuilder("a").ip("10.0.0.1")});
    EXPECT_TRUE(c.empty());
    EXPECT_FALSE(c.skip_reason.empty());
  }
}

TEST(EndpointSliceReconciler, TriggerTimeAnnotation) {
  Json svc = httpService();
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1")};
  EndpointSliceOptions options;
  options.trigger_time = "2024-05-01T10:00:00.5Z";
  SliceChanges c = reconcile(svc, pods, {}, options);
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(
      c.to_create[0]["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"],
      "2024-05-01T10:00:00.5Z");
  FakeApiServer api;
  api.apply(c);
  // A later trigger time alone does not rewrite the slice.
  options.trigger_time = "2024-05-01T11:00:00Z";
  EXPECT_TRUE(reconcile(svc, pods, api.objects(), options).empty());
  // Without one, a rewrite clears it.
  pods[0] = PodBuilder("a").ip("10.0.0.1").ready(false);
  SliceChanges u = reconcile(svc, pods, api.objects());
  ASSERT_EQ(u.to_update.size(), 1u);
  EXPECT_FALSE(u.to_update[0]["metadata"].contains("annotations"));
}

TEST(EndpointSliceReconciler, IsDeterministic) {
  Json svc = ServiceBuilder("web").families({"IPv4", "IPv6"}).port("http", 80, "web");
  std::vector<Json> pods;
  pods.reserve(120);
  for (int i = 0; i < 120; ++i) {
    pods.push_back(PodBuilder(testing::numbered("p", i))
                       .ip(bulkIp(i))
                       .ip(testing::numbered("fd00::", i + 1))
                       .containerPort("web", 8080 + i % 3));
  }
  SliceChanges first = reconcile(svc, pods);
  std::mt19937 rng(7);
  std::shuffle(pods.begin(), pods.end(), rng);
  SliceChanges second = reconcile(svc, pods);
  EXPECT_EQ(first.to_create, second.to_create);
}

TEST(EndpointSliceReconciler, SlicesListedForSomethingElseAreLeftAlone) {
  Json foreign = Json::parse(R"({"metadata":{"name":"web-abc","labels":{
      "kubernetes.io/service-name":"web","endpointslice.kubernetes.io/managed-by":"someone-else"}},
      "addressType":"IPv4","ports":[],"endpoints":[]})");
  SliceChanges c = reconcile(httpService(), {PodBuilder("a").ip("10.0.0.1")}, {foreign});
  EXPECT_TRUE(c.to_delete.empty());
  EXPECT_EQ(c.to_create.size(), 1u);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("web-abc"), std::string::npos);
}

}  // namespace
}  // namespace ferry::controlplane
