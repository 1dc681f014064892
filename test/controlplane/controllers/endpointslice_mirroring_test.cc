#include "ferry/controllers/endpointslice_mirroring.h"

#include <gtest/gtest.h>

#include "test_objects.h"

namespace ferry::controlplane {
namespace {

using testing::allAddresses;
using testing::bulkIp;
using testing::endpointFor;
using testing::FakeApiServer;
using testing::Json;
using testing::ServiceBuilder;
using testing::sliceHolding;

Json selectorless() {
  return ServiceBuilder("ext").noSelector().port("db", 5432);
}

Json endpointsObject() {
  return Json::parse(R"({
    "apiVersion":"v1","kind":"Endpoints",
    "metadata":{"name":"ext","namespace":"default","uid":"ep-uid","resourceVersion":"5",
      "labels":{"team":"data"},
      "annotations":{"note":"mirrored",
        "endpoints.kubernetes.io/last-change-trigger-time":"2024-01-01T00:00:00Z",
        "kubectl.kubernetes.io/last-applied-configuration":"{}"}},
    "subsets":[{
      "addresses":[{"ip":"192.0.2.10","nodeName":"node-a","hostname":"db-a"},{"ip":"192.0.2.9"}],
      "notReadyAddresses":[{"ip":"192.0.2.11",
        "targetRef":{"kind":"Pod","namespace":"default","name":"x","uid":"u-x"}}],
      "ports":[{"name":"db","port":5432,"protocol":"TCP"}]}]})");
}

std::vector<Json> converge(const Json& svc, const Json& eps, const MirroringOptions& options = {}) {
  FakeApiServer api;
  api.apply(mirrorEndpointSlices(svc, eps, {}, options));
  SliceChanges again = mirrorEndpointSlices(svc, eps, api.objects(), options);
  EXPECT_TRUE(again.empty()) << "second mirror not a no-op";
  return api.objects();
}

TEST(EndpointSliceMirroring, MirrorsSubsetIntoOneSlice) {
  SliceChanges c = mirrorEndpointSlices(selectorless(), endpointsObject(), {});
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.to_create.size(), 1u);
  Json expected = Json::parse(R"({
    "apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
    "metadata":{"generateName":"ext-","namespace":"default",
      "labels":{"team":"data","kubernetes.io/service-name":"ext",
        "endpointslice.kubernetes.io/managed-by":"endpointslicemirroring-controller.k8s.io"},
      "annotations":{"note":"mirrored"},
      "ownerReferences":[{"apiVersion":"v1","kind":"Endpoints","name":"ext","uid":"ep-uid",
        "controller":true,"blockOwnerDeletion":true}]},
    "addressType":"IPv4",
    "ports":[{"name":"db","port":5432,"protocol":"TCP"}],
    "endpoints":[
      {"addresses":["192.0.2.9"],"conditions":{"ready":true}},
      {"addresses":["192.0.2.10"],"conditions":{"ready":true},"hostname":"db-a","nodeName":"node-a"},
      {"addresses":["192.0.2.11"],"conditions":{"ready":false},
       "targetRef":{"kind":"Pod","namespace":"default","name":"x","uid":"u-x"}}]})");
  EXPECT_EQ(c.to_create[0], expected);
}

TEST(EndpointSliceMirroring, NoOpWhenInSync) {
  std::vector<Json> slices = converge(selectorless(), endpointsObject());
  EXPECT_EQ(slices.size(), 1u);
}

TEST(EndpointSliceMirroring, AnyDifferenceRewritesTheSlice) {
  FakeApiServer api(converge(selectorless(), endpointsObject()));
  std::string name = api.objects()[0]["metadata"]["name"];
  const std::pair<const char*, void (*)(Json&)> edits[] = {
      {"address added",
       [](Json& e) {
         e["subsets"][0]["addresses"].push_back({{"ip", "192.0.2.12"}});
       }},
      {"readiness",
       [](Json& e) {
         Json& subset = e["subsets"][0];
         subset["addresses"].push_back(subset["notReadyAddresses"][0]);
         subset.erase("notReadyAddresses");
       }},
      {"node", [](Json& e) { e["subsets"][0]["addresses"][0]["nodeName"] = "node-b"; }},
      {"label", [](Json& e) { e["metadata"]["labels"]["team"] = "ops"; }},
      {"annotation", [](Json& e) { e["metadata"]["annotations"]["note"] = "changed"; }},
  };
  for (const auto& [what, edit] : edits) {
    SCOPED_TRACE(what);
    Json eps = endpointsObject();
    edit(eps);
    SliceChanges c = mirrorEndpointSlices(selectorless(), eps, api.objects());
    EXPECT_TRUE(c.to_create.empty());
    EXPECT_TRUE(c.to_delete.empty());
    ASSERT_EQ(c.to_update.size(), 1u);
    EXPECT_EQ(c.to_update[0]["metadata"]["name"], name);
    FakeApiServer copy(api.objects());
    copy.apply(c);
    EXPECT_TRUE(mirrorEndpointSlices(selectorless(), eps, copy.objects()).empty());
  }
}

TEST(EndpointSliceMirroring, TriggerTimeAndLastAppliedChangesAreIgnored) {
  FakeApiServer api(converge(selectorless(), endpointsObject()));
  Json eps = endpointsObject();
  eps["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"] = "later";
  eps["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = "{\"x\":1}";
  EXPECT_TRUE(mirrorEndpointSlices(selectorless(), eps, api.objects()).empty());
}

TEST(EndpointSliceMirroring, DualStackSubsetGivesTwoSlices) {
  Json eps = endpointsObject();
  eps["subsets"][0]["addresses"].push_back({{"ip", "2001:db8::1"}});
  std::vector<Json> slices = converge(selectorless(), eps);
  ASSERT_EQ(slices.size(), 2u);
  const Json* v6 = sliceHolding(slices, "2001:db8::1");
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ((*v6)["addressType"], "IPv6");
  EXPECT_EQ((*v6)["endpoints"].size(), 1u);
}

TEST(EndpointSliceMirroring, OneSliceSetPerSubset) {
  Json eps = endpointsObject();
  eps["subsets"].push_back(Json::parse(R"({"addresses":[{"ip":"198.51.100.1"}],
      "ports":[{"name":"admin","port":9000,"protocol":"TCP"}]})"));
  std::vector<Json> slices = converge(selectorless(), eps);
  ASSERT_EQ(slices.size(), 2u);
  const Json* admin = sliceHolding(slices, "198.51.100.1");
  ASSERT_NE(admin, nullptr);
  EXPECT_EQ((*admin)["ports"][0]["port"], 9000);

  // The subset going away deletes its slice; a changed port set reuses the doomed slice.
  FakeApiServer api(slices);
  SliceChanges removed = mirrorEndpointSlices(selectorless(), endpointsObject(), api.objects());
  EXPECT_EQ(removed.to_delete.size(), 1u);
  EXPECT_TRUE(removed.to_update.empty());
  eps["subsets"][1]["ports"][0]["port"] = 9001;
  SliceChanges moved = mirrorEndpointSlices(selectorless(), eps, api.objects());
  EXPECT_TRUE(moved.to_create.empty());
  EXPECT_TRUE(moved.to_delete.empty());
  ASSERT_EQ(moved.to_update.size(), 1u);
  EXPECT_EQ(moved.to_update[0]["ports"][0]["port"], 9001);
}

TEST(EndpointSliceMirroring, AtMostMaxAddressesPerSubset) {
  Json eps = endpointsObject();
  eps["subsets"][0]["addresses"] = Json::array();
  eps["subsets"][0].erase("notReadyAddresses");
  for (int i = 0; i < 1005; ++i) {
    eps["subsets"][0]["addresses"].push_back({{"ip", bulkIp(i)}});
  }
  SliceChanges c = mirrorEndpointSlices(selectorless(), eps, {});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["endpoints"].size(), 1000u);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("5 addresses over the limit"), std::string::npos);

  MirroringOptions small;
  small.max_endpoints_per_subset = 10;
  EXPECT_EQ(mirrorEndpointSlices(selectorless(), eps, {}, small).to_create[0]["endpoints"].size(),
            10u);
}

TEST(EndpointSliceMirroring, InvalidAddressesAreSkipped) {
  Json eps = endpointsObject();
  eps["subsets"][0]["addresses"].push_back({{"ip", "not-an-ip"}});
  SliceChanges c = mirrorEndpointSlices(selectorless(), eps, {});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["endpoints"].size(), 3u);
  ASSERT_EQ(c.warnings.size(), 1u);
  EXPECT_NE(c.warnings[0].find("not-an-ip"), std::string::npos);
}

TEST(EndpointSliceMirroring, NotMirroredCasesDeleteMirroredSlices) {
  std::vector<Json> slices = converge(selectorless(), endpointsObject());
  Json skip = endpointsObject();
  skip["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"] = "true";
  Json leader = endpointsObject();
  leader["metadata"]["annotations"]["control-plane.alpha.kubernetes.io/leader"] = "{}";
  const std::tuple<const char*, Json, Json> cases[] = {
      {"skip-mirror", selectorless(), skip},
      {"leader election", selectorless(), leader},
      {"service has selector", ServiceBuilder("ext").port("db", 5432).build(), endpointsObject()},
      {"no service", nullptr, endpointsObject()},
      {"no endpoints", selectorless(), nullptr},
  };
  for (const auto& [what, svc, eps] : cases) {
    SCOPED_TRACE(what);
    SliceChanges c = mirrorEndpointSlices(svc, eps, slices);
    EXPECT_TRUE(c.to_create.empty());
    EXPECT_TRUE(c.to_update.empty());
    EXPECT_EQ(c.to_delete.size(), 1u);
    EXPECT_FALSE(c.skip_reason.empty());
    EXPECT_TRUE(mirrorEndpointSlices(svc, eps, {}).empty());
  }
}

TEST(EndpointSliceMirroring, LongNamesDropTheGenerateNameDash) {
  std::string long_name(253, 'e');
  Json eps = endpointsObject();
  eps["metadata"]["name"] = long_name;
  Json svc = selectorless();
  svc["metadata"]["name"] = long_name;
  SliceChanges c = mirrorEndpointSlices(svc, eps, {});
  ASSERT_EQ(c.to_create.size(), 1u);
  EXPECT_EQ(c.to_create[0]["metadata"]["generateName"], long_name);
  EXPECT_EQ(mirrorEndpointSlices(selectorless(), endpointsObject(), {})
                .to_create[0]["metadata"]["generateName"],
            "ext-");
}

TEST(EndpointSliceMirroring, SkipMirrorOnlyWhenTrue) {
  Json eps = endpointsObject();
  eps["metadata"]["labels"]["endpointslice.kubernetes.io/skip-mirror"] = "false";
  EXPECT_EQ(mirrorEndpointSlices(selectorless(), eps, {}).to_create.size(), 1u);
}

TEST(EndpointSliceMirroring, EmptiedSubsetDeletesItsSlice) {
  FakeApiServer api(converge(selectorless(), endpointsObject()));
  Json eps = endpointsObject();
  eps["subsets"] = Json::array();
  SliceChanges c = mirrorEndpointSlices(selectorless(), eps, api.objects());
  EXPECT_EQ(c.to_delete.size(), 1u);
  EXPECT_TRUE(c.to_create.empty());
}

TEST(EndpointSliceMirroring, DeletingEndpointsGetNoNewSlices) {
  Json eps = endpointsObject();
  eps["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z";
  EXPECT_TRUE(mirrorEndpointSlices(selectorless(), eps, {}).empty());
}

TEST(EndpointSliceMirroring, ExtraSlicesForOneKeyAreDeleted) {
  FakeApiServer api(converge(selectorless(), endpointsObject()));
  Json dup = api.objects()[0];
  dup["metadata"]["name"] = "ext-zzz";
  api.objects().push_back(dup);
  SliceChanges c = mirrorEndpointSlices(selectorless(), endpointsObject(), api.objects());
  ASSERT_EQ(c.to_delete.size(), 1u);
  EXPECT_EQ(c.to_delete[0]["metadata"]["name"], "ext-zzz");
  EXPECT_TRUE(c.to_update.empty());
  EXPECT_NE(endpointFor(api.objects()[0], "192.0.2.9"), nullptr);
  EXPECT_EQ(allAddresses(std::vector<Json>{api.objects()[0]}).size(), 3u);
}

}  // namespace
}  // namespace ferry::controlplane
