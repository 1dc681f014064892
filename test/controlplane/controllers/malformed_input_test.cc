// Malformed objects never make the reconcilers throw: what cannot be understood is skipped and
// named in the warnings, and the rest is still reconciled.
#include <gtest/gtest.h>

#include "ferry/controllers/endpoints_reconciler.h"
#include "ferry/controllers/endpointslice_mirroring.h"
#include "ferry/controllers/endpointslice_reconciler.h"
#include "test_objects.h"

namespace ferry::controlplane {
namespace {

using testing::Json;
using testing::PodBuilder;
using testing::ServiceBuilder;

const NodeZones& zones() {
  static const NodeZones kZones = {{"node-a", "zone-a"}};
  return kZones;
}

bool mentions(const std::vector<std::string>& warnings, const std::string& what) {
  for (const std::string& w : warnings) {
    if (w.find(what) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Values of every JSON type, to put where an object expects something else.
const std::vector<Json>& oddValues() {
  static const std::vector<Json> kOdd = {nullptr,
                                         true,
                                         7,
                                         -1,
                                         1.5,
                                         "text",
                                         Json::array({1, "x"}),
                                         Json::object({{"k", Json::array()}})};
  return kOdd;
}

TEST(MalformedInput, ServiceThatIsNotAServiceIsSkipped) {
  for (const Json& odd : oddValues()) {
    SCOPED_TRACE(odd.dump());
    SliceChanges c = reconcileEndpointSlices(odd, {PodBuilder("a").ip("10.0.0.1")}, zones(), {});
    EXPECT_TRUE(c.empty());
    EXPECT_FALSE(c.skip_reason.empty());
    EndpointsResult e = reconcileEndpoints(odd, {}, nullptr);
    EXPECT_FALSE(e.changed());
  }
}

TEST(MalformedInput, OddValuesAnywhereInPodsNeverThrow) {
  Json svc = ServiceBuilder("web").port("http", 80, "web").port("m", 9100);
  Json good = PodBuilder("good").ip("10.0.0.1").containerPort("web", 8080);
  const char* paths[] = {"/metadata",
                         "/metadata/name",
                         "/metadata/namespace",
                         "/metadata/uid",
                         "/spec",
                         "/spec/nodeName",
                         "/spec/containers",
                         "/spec/containers/0",
                         "/spec/containers/0/ports",
                         "/spec/hostname",
                         "/status",
                         "/status/podIPs",
                         "/status/podIPs/0",
                         "/status/podIPs/0/ip",
                         "/status/conditions",
                         "/status/phase",
                         "/metadata/deletionTimestamp"};
  for (const char* path : paths) {
    for (const Json& odd : oddValues()) {
      SCOPED_TRACE(std::string(path) + " = " + odd.dump());
      Json bad = PodBuilder("bad").ip("10.0.0.2").containerPort("web", 8080);
      bad[Json::json_pointer(path)] = odd;
      std::vector<Json> pods = {good, bad};
      SliceChanges c;
      EXPECT_NO_THROW(c = reconcileEndpointSlices(svc, pods, zones(), {}));
      EXPECT_NE(testing::sliceHolding(c.to_create, "10.0.0.1"), nullptr);
      EXPECT_NO_THROW(reconcileEndpoints(svc, pods, nullptr));
    }
  }
}

TEST(MalformedInput, OddValuesInServiceFieldsNeverThrow) {
  const char* paths[] = {"/spec/ports",
                         "/spec/ports/0",
                         "/spec/ports/0/port",
                         "/spec/ports/0/targetPort",
                         "/spec/ports/0/protocol",
                         "/spec/ipFamilies",
                         "/spec/clusterIP",
                         "/spec/selector",
                         "/metadata/labels",
                         "/spec/publishNotReadyAddresses"};
  for (const char* path : paths) {
    for (const Json& odd : oddValues()) {
      SCOPED_TRACE(std::string(path) + " = " + odd.dump());
      Json svc = ServiceBuilder("web").port("http", 80, 8080);
      svc[Json::json_pointer(path)] = odd;
      EXPECT_NO_THROW(reconcileEndpointSlices(svc, {PodBuilder("a").ip("10.0.0.1")}, zones(), {}));
      EXPECT_NO_THROW(reconcileEndpoints(svc, {PodBuilder("a").ip("10.0.0.1")}, nullptr));
    }
  }
}

TEST(MalformedInput, OddValuesInExistingSlicesNeverThrow) {
  Json svc = ServiceBuilder("web").port("http", 80, 8080);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1")};
  testing::FakeApiServer api;
  api.apply(reconcileEndpointSlices(svc, pods, zones(), {}));
  const char* paths[] = {"/metadata/labels/team",
                         "/metadata/ownerReferences",
                         "/metadata/ownerReferences/0",
                         "/addressType",
                         "/ports",
                         "/ports/0",
                         "/ports/0/port",
                         "/endpoints",
                         "/endpoints/0",
                         "/endpoints/0/addresses",
                         "/endpoints/0/conditions",
                         "/endpoints/0/targetRef"};
  for (const char* path : paths) {
    for (const Json& odd : oddValues()) {
      SCOPED_TRACE(std::string(path) + " = " + odd.dump());
      Json slice = api.objects()[0];
      slice[Json::json_pointer(path)] = odd;
      SliceChanges c;
      EXPECT_NO_THROW(c = reconcileEndpointSlices(svc, pods, zones(), {slice}));
      // Whatever happened to the slice, the result still holds the pod's endpoint.
      testing::FakeApiServer copy(std::vector<Json>{slice});
      copy.apply(c);
      EXPECT_EQ(testing::allAddresses(copy.objects()), std::vector<std::string>{"10.0.0.1"});
    }
  }
}

TEST(MalformedInput, UnreadableIpsAndPortsAreWarnedAbout) {
  Json svc = ServiceBuilder("web").port("http", 80, 8080);
  svc["spec"]["ports"].push_back({{"name", "bad"}, {"port", 70000}});
  svc["spec"]["ipFamilies"].push_back("IPv5");
  Json pod = PodBuilder("a").ip("10.0.0.1").ip("10.0.0.999");
  SliceChanges c = reconcileEndpointSlices(svc, {pod}, zones(), {});
  EXPECT_TRUE(mentions(c.warnings, "spec.ports[1].port"));
  EXPECT_TRUE(mentions(c.warnings, "spec.ipFamilies[1]"));
  EXPECT_TRUE(mentions(c.warnings, "10.0.0.999"));
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["ports"].size(), 1u);
  EXPECT_EQ(testing::allAddresses(c.to_create), std::vector<std::string>{"10.0.0.1"});
}

TEST(MalformedInput, PodsOfOtherNamespacesOrWithoutNamesAreSkipped) {
  Json svc = ServiceBuilder("web").port("http", 80);
  Json elsewhere = PodBuilder("x").ip("10.0.0.2");
  elsewhere["metadata"]["namespace"] = "other";
  Json unnamed = PodBuilder("y").ip("10.0.0.3");
  unnamed["metadata"].erase("name");
  SliceChanges c = reconcileEndpointSlices(
      svc, {PodBuilder("a").ip("10.0.0.1"), elsewhere, unnamed}, zones(), {});
  EXPECT_TRUE(mentions(c.warnings, "other/x"));
  EXPECT_TRUE(mentions(c.warnings, "metadata.name"));
  EXPECT_EQ(testing::allAddresses(c.to_create), std::vector<std::string>{"10.0.0.1"});
}

TEST(MalformedInput, ExistingSliceWithoutNameIsIgnored) {
  Json svc = ServiceBuilder("web").port("http", 80);
  Json nameless = Json::parse(R"({"metadata":{},"addressType":"IPv4"})");
  SliceChanges c =
      reconcileEndpointSlices(svc, {PodBuilder("a").ip("10.0.0.1")}, zones(), {nameless});
  EXPECT_TRUE(mentions(c.warnings, "no metadata.name"));
  EXPECT_EQ(c.to_create.size(), 1u);
}

TEST(MalformedInput, OddEndpointsObjectsNeverThrow) {
  Json svc = ServiceBuilder("ext").noSelector();
  for (const Json& odd : oddValues()) {
    SCOPED_TRACE(odd.dump());
    EXPECT_NO_THROW(mirrorEndpointSlices(svc, odd, {}));
    Json eps = Json::parse(R"({"metadata":{"name":"ext","namespace":"default"},
        "subsets":[{"addresses":[{"ip":"192.0.2.1"}],"ports":[{"port":1}]}]})");
    for (const char* path :
         {"/subsets", "/subsets/0", "/subsets/0/addresses", "/subsets/0/addresses/0",
          "/subsets/0/ports/0", "/metadata/labels", "/metadata/annotations"}) {
      Json bad = eps;
      bad[Json::json_pointer(path)] = odd;
      EXPECT_NO_THROW(mirrorEndpointSlices(svc, bad, {}));
    }
  }
  // And existing Endpoints handed to the Endpoints reconciler.
  Json sel = ServiceBuilder("web").port("http", 80);
  for (const Json& odd : oddValues()) {
    SCOPED_TRACE(odd.dump());
    EndpointsResult r;
    EXPECT_NO_THROW(r = reconcileEndpoints(sel, {PodBuilder("a").ip("10.0.0.1")}, odd));
    EXPECT_TRUE(r.changed());
    Json existing = Json::parse(R"({"metadata":{"name":"web"}})");
    existing["subsets"] = odd;
    EXPECT_NO_THROW(reconcileEndpoints(sel, {PodBuilder("a").ip("10.0.0.1")}, existing));
  }
}

}  // namespace
}  // namespace ferry::controlplane
