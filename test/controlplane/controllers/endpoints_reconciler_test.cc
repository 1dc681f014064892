#include "ferry/controllers/endpoints_reconciler.h"

#include <gtest/gtest.h>

#include "test_objects.h"

namespace ferry::controlplane {
namespace {

using testing::bulkIp;
using testing::Json;
using testing::PodBuilder;
using testing::ServiceBuilder;
using Action = EndpointsResult::Action;

Json httpService() {
  return ServiceBuilder("web").port("http", 80, 8080).label("app", "web");
}

std::vector<std::string> ips(const Json& addresses) {
  std::vector<std::string> out;
  for (const Json& a : addresses) {
    out.push_back(a["ip"]);
  }
  return out;
}

// What the API server would hand back after storing `result.endpoints`.
Json stored(const EndpointsResult& result) {
  Json e = result.endpoints;
  e["metadata"]["resourceVersion"] = "42";
  e["metadata"]["uid"] = "ep-uid";
  return e;
}

TEST(EndpointsReconciler, CreatesEndpointsWithReadyAndNotReadyAddresses) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"),
                            PodBuilder("b").ip("10.0.0.2").ready(false).node("node-b"),
                            PodBuilder("done").ip("10.0.0.3").phase("Succeeded")};
  EndpointsResult r = reconcileEndpoints(httpService(), pods, nullptr);
  ASSERT_EQ(r.action, Action::kCreate);
  EXPECT_TRUE(r.warnings.empty());
  Json expected = Json::parse(R"({
    "apiVersion":"v1","kind":"Endpoints",
    "metadata":{"name":"web","namespace":"default","labels":{"app":"web"}},
    "subsets":[{
      "addresses":[{"ip":"10.0.0.1","nodeName":"node-a",
                    "targetRef":{"kind":"Pod","namespace":"default","name":"a","uid":"uid-a"}}],
      "notReadyAddresses":[{"ip":"10.0.0.2","nodeName":"node-b",
                    "targetRef":{"kind":"Pod","namespace":"default","name":"b","uid":"uid-b"}}],
      "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}]})");
  EXPECT_EQ(r.endpoints, expected);
}

TEST(EndpointsReconciler, TerminatingPodsOnlyWithPublishNotReady) {
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"),
                            PodBuilder("t").ip("10.0.0.2").terminating(),
                            PodBuilder("u").ip("10.0.0.3").ready(false)};
  EndpointsResult plain = reconcileEndpoints(httpService(), pods, nullptr);
  ASSERT_EQ(plain.endpoints["subsets"].size(), 1u);
  EXPECT_EQ(ips(plain.endpoints["subsets"][0]["addresses"]), std::vector<std::string>{"10.0.0.1"});
  EXPECT_EQ(ips(plain.endpoints["subsets"][0]["notReadyAddresses"]),
            std::vector<std::string>{"10.0.0.3"});

  Json publish = ServiceBuilder("web").port("http", 80, 8080).publishNotReady();
  EndpointsResult all = reconcileEndpoints(publish, pods, nullptr);
  ASSERT_EQ(all.endpoints["subsets"].size(), 1u);
  EXPECT_EQ(ips(all.endpoints["subsets"][0]["addresses"]),
            (std::vector<std::string>{"10.0.0.1", "10.0.0.2", "10.0.0.3"}));
  EXPECT_FALSE(all.endpoints["subsets"][0].contains("notReadyAddresses"));
}

TEST(EndpointsReconciler, RepacksByIdenticalPortSets) {
  // "http" resolves to 8080 on a and b, 9090 on c; "metrics" is numeric and served by all.
  Json svc = ServiceBuilder("web").port("http", 80, "web").port("metrics", 9100, 9100);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").containerPort("web", 8080),
                            PodBuilder("b").ip("10.0.0.2").containerPort("web", 8080),
                            PodBuilder("c").ip("10.0.0.3").containerPort("web", 9090),
                            PodBuilder("d").ip("10.0.0.4")};  // no "web": metrics only
  EndpointsResult r = reconcileEndpoints(svc, pods, nullptr);
  Json expected = Json::parse(R"([
    {"addresses":["10.0.0.1","10.0.0.2"],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]},
    {"addresses":["10.0.0.3"],"ports":[{"name":"http","port":9090,"protocol":"TCP"}]},
    {"addresses":["10.0.0.1","10.0.0.2","10.0.0.3","10.0.0.4"],
     "ports":[{"name":"metrics","port":9100,"protocol":"TCP"}]}])");
  const Json& subsets = r.endpoints["subsets"];
  ASSERT_EQ(subsets.size(), expected.size());
  for (size_t i = 0; i < subsets.size(); ++i) {
    SCOPED_TRACE(i);
    std::vector<std::string> want = expected[i]["addresses"];
    EXPECT_EQ(ips(subsets[i]["addresses"]), want);
    EXPECT_EQ(subsets[i]["ports"], expected[i]["ports"]);
  }
}

TEST(EndpointsReconciler, PortsWithTheSameAddressesShareASubset) {
  Json svc = ServiceBuilder("web").port("http", 80, 8080).port("https", 443, 8443);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"), PodBuilder("b").ip("10.0.0.2")};
  EndpointsResult r = reconcileEndpoints(svc, pods, nullptr);
  ASSERT_EQ(r.endpoints["subsets"].size(), 1u);
  EXPECT_EQ(r.endpoints["subsets"][0]["ports"],
            Json::parse(R"([{"name":"http","port":8080,"protocol":"TCP"},
                            {"name":"https","port":8443,"protocol":"TCP"}])"));
}

TEST(EndpointsReconciler, HeadlessWithoutPortsListsAddresses) {
  Json svc = ServiceBuilder("db").clusterIP("None");
  std::vector<Json> pods = {PodBuilder("db-0", "db").ip("10.0.0.1").hostname("db-0", "db")};
  EndpointsResult r = reconcileEndpoints(svc, pods, nullptr);
  ASSERT_EQ(r.endpoints["subsets"].size(), 1u);
  const Json& s = r.endpoints["subsets"][0];
  EXPECT_FALSE(s.contains("ports"));
  EXPECT_EQ(s["addresses"][0]["hostname"], "db-0");
  EXPECT_EQ(r.endpoints["metadata"]["labels"]["service.kubernetes.io/headless"], "");
}

TEST(EndpointsReconciler, NonHeadlessWithoutPortsHasNoSubsets) {
  Json svc = ServiceBuilder("web");
  EndpointsResult r = reconcileEndpoints(svc, {PodBuilder("a").ip("10.0.0.1")}, nullptr);
  ASSERT_EQ(r.action, Action::kCreate);
  EXPECT_FALSE(r.endpoints.contains("subsets"));
}

TEST(EndpointsReconciler, UsesThePrimaryFamilyOnly) {
  Json svc = ServiceBuilder("web").families({"IPv6", "IPv4"}).port("http", 80);
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1").ip("fd00::1"),
                            PodBuilder("v4only").ip("10.0.0.2")};
  EndpointsResult r = reconcileEndpoints(svc, pods, nullptr);
  ASSERT_EQ(r.endpoints["subsets"].size(), 1u);
  EXPECT_EQ(ips(r.endpoints["subsets"][0]["addresses"]), std::vector<std::string>{"fd00::1"});
}

TEST(EndpointsReconciler, UnchangedIsNoOp) {
  Json svc = httpService();
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"), PodBuilder("b").ip("10.0.0.2")};
  Json existing = stored(reconcileEndpoints(svc, pods, nullptr));
  EndpointsResult again = reconcileEndpoints(svc, pods, existing);
  EXPECT_EQ(again.action, Action::kNone);
  EXPECT_FALSE(again.changed());
  EXPECT_TRUE(again.endpoints.is_null());

  // targetRef.resourceVersion and the headless label on the existing object do not matter.
  existing["subsets"][0]["addresses"][0]["targetRef"]["resourceVersion"] = "77";
  EXPECT_EQ(reconcileEndpoints(svc, pods, existing).action, Action::kNone);
}

TEST(EndpointsReconciler, ChangesAreUpdatesOfTheExistingObject) {
  Json svc = httpService();
  std::vector<Json> pods = {PodBuilder("a").ip("10.0.0.1"), PodBuilder("b").ip("10.0.0.2")};
  Json existing = stored(reconcileEndpoints(svc, pods, nullptr));
  existing["metadata"]["annotations"]["note"] = "kept";

  pods[1] = PodBuilder("b").ip("10.0.0.2").ready(false);
  EndpointsResult r = reconcileEndpoints(svc, pods, existing);
  ASSERT_EQ(r.action, Action::kUpdate);
  EXPECT_EQ(r.endpoints["metadata"]["resourceVersion"], "42");
  EXPECT_EQ(r.endpoints["metadata"]["annotations"]["note"], "kept");
  EXPECT_EQ(ips(r.endpoints["subsets"][0]["notReadyAddresses"]),
            std::vector<std::string>{"10.0.0.2"});

  Json relabelled = svc;
  relabelled["metadata"]["labels"]["tier"] = "frontend";
  EndpointsResult l = reconcileEndpoints(
      relabelled, {PodBuilder("a").ip("10.0.0.1"), PodBuilder("b").ip("10.0.0.2")}, existing);
  ASSERT_EQ(l.action, Action::kUpdate);
  EXPECT_EQ(l.endpoints["metadata"]["labels"]["tier"], "frontend");
}

TEST(EndpointsReconciler, NotReadyForOnePortIsNotReadyForItsSubset) {
  // Two pod objects for one address (same IP and uid) disagreeing on readiness: not ready wins.
  Json svc = httpService();
  Json a = PodBuilder("a").ip("10.0.0.1");
  Json a_unready = PodBuilder("a").ip("10.0.0.1").ready(false);
  EndpointsResult r = reconcileEndpoints(svc, {a, a_unready}, nullptr);
  ASSERT_EQ(r.endpoints["subsets"].size(), 1u);
  EXPECT_FALSE(r.endpoints["subsets"][0].contains("addresses"));
  EXPECT_EQ(ips(r.endpoints["subsets"][0]["notReadyAddresses"]),
            std::vector<std::string>{"10.0.0.1"});
}

std::vector<Json> pods(int ready, int not_ready, int offset = 0) {
  std::vector<Json> out;
  for (int i = 0; i < ready + not_ready; ++i) {
    int n = i + offset;
    out.push_back(PodBuilder(testing::numbered("p", n)).ip(bulkIp(n)).ready(i < ready));
  }
  return out;
}

size_t count(const Json& subsets, const char* field) {
  size_t n = 0;
  for (const Json& s : subsets) {
    if (s.contains(field)) {
      n += s[field].size();
    }
  }
  return n;
}

struct TruncationCase {
  const char* name;
  int ready;
  int not_ready;
  size_t want_ready;
  size_t want_not_ready;
  bool truncated;
};

TEST(EndpointsReconciler, TruncatesToOneThousandPreferringReady) {
  const TruncationCase cases[] = {
      {"under capacity", 600, 400, 600, 400, false},
      {"ready fit, not-ready cut", 900, 300, 900, 100, true},
      {"ready alone over", 1200, 50, 1000, 0, true},
  };
  for (const TruncationCase& tc : cases) {
    SCOPED_TRACE(tc.name);
    EndpointsResult r = reconcileEndpoints(httpService(), pods(tc.ready, tc.not_ready), nullptr);
    const Json& subsets = r.endpoints["subsets"];
    EXPECT_EQ(count(subsets, "addresses"), tc.want_ready);
    EXPECT_EQ(count(subsets, "notReadyAddresses"), tc.want_not_ready);
    const Json& meta = r.endpoints["metadata"];
    if (tc.truncated) {
      EXPECT_EQ(meta["annotations"]["endpoints.kubernetes.io/over-capacity"], "truncated");
    } else {
      EXPECT_FALSE(meta.contains("annotations"));
    }
  }
}

TEST(EndpointsReconciler, TruncationSharesRoomProportionallyAcrossSubsets) {
  // Three port groups of 400 ready addresses: ceil(400/1200*1000) = 334, 334, then the 332 left.
  Json svc = ServiceBuilder("web").port("http", 80, "web");
  std::vector<Json> all;
  all.reserve(1200);
  for (int i = 0; i < 1200; ++i) {
    all.push_back(
        PodBuilder(testing::numbered("p", i)).ip(bulkIp(i)).containerPort("web", 8000 + i % 3));
  }
  EndpointsResult r = reconcileEndpoints(svc, all, nullptr);
  const Json& subsets = r.endpoints["subsets"];
  ASSERT_EQ(subsets.size(), 3u);
  EXPECT_EQ(subsets[0]["addresses"].size(), 334u);
  EXPECT_EQ(subsets[1]["addresses"].size(), 334u);
  EXPECT_EQ(subsets[2]["addresses"].size(), 332u);
}

TEST(EndpointsReconciler, TruncatedObjectIsStableAndAnnotationClearsWhenBackUnder) {
  Json svc = httpService();
  std::vector<Json> many = pods(1100, 0);
  Json existing = stored(reconcileEndpoints(svc, many, nullptr));
  EXPECT_EQ(reconcileEndpoints(svc, many, existing).action, Action::kNone);

  std::vector<Json> fewer(many.begin(), many.begin() + 900);
  EndpointsResult r = reconcileEndpoints(svc, fewer, existing);
  ASSERT_EQ(r.action, Action::kUpdate);
  EXPECT_FALSE(r.endpoints["metadata"].contains("annotations"));
  EXPECT_EQ(count(r.endpoints["subsets"], "addresses"), 900u);

  // An over-capacity annotation left on an object under capacity is itself a change.
  Json stale = stored(reconcileEndpoints(svc, fewer, nullptr));
  stale["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] = "truncated";
  EXPECT_EQ(reconcileEndpoints(svc, fewer, stale).action, Action::kUpdate);
}

TEST(EndpointsReconciler, MaxAddressesIsAParameter) {
  EndpointsOptions options;
  options.max_addresses = 3;
  EndpointsResult r = reconcileEndpoints(httpService(), pods(5, 0), nullptr, options);
  EXPECT_EQ(count(r.endpoints["subsets"], "addresses"), 3u);
}

TEST(EndpointsReconciler, TriggerTimeIsWrittenButNotCompared) {
  Json svc = httpService();
  std::vector<Json> ps = {PodBuilder("a").ip("10.0.0.1")};
  EndpointsOptions options;
  options.trigger_time = "2024-05-01T10:00:00Z";
  EndpointsResult r = reconcileEndpoints(svc, ps, nullptr, options);
  EXPECT_EQ(
      r.endpoints["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"],
      "2024-05-01T10:00:00Z");
  options.trigger_time = "2024-05-01T11:00:00Z";
  EXPECT_EQ(reconcileEndpoints(svc, ps, stored(r), options).action, Action::kNone);
}

TEST(EndpointsReconciler, ServicesThatAreNotTheControllers) {
  for (const Json& svc : {ServiceBuilder("web").noSelector().port("http", 80).build(),
                          ServiceBuilder("web").type("ExternalName").build()}) {
    EndpointsResult r = reconcileEndpoints(svc, {PodBuilder("a").ip("10.0.0.1")}, nullptr);
    EXPECT_EQ(r.action, Action::kNone);
    EXPECT_FALSE(r.skip_reason.empty());
  }
}

TEST(EndpointsReconciler, UnreadableExistingSubsetsAreRewritten) {
  Json svc = httpService();
  std::vector<Json> ps = {PodBuilder("a").ip("10.0.0.1")};
  Json existing = stored(reconcileEndpoints(svc, ps, nullptr));
  existing["subsets"][0]["addresses"][0].erase("ip");
  EndpointsResult r = reconcileEndpoints(svc, ps, existing);
  EXPECT_EQ(r.action, Action::kUpdate);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("rewritten"), std::string::npos);
}

}  // namespace
}  // namespace ferry::controlplane
