// Several Ingresses for one host: merged, conflicts resolved by age then namespace/name, and
// the result independent of the order objects arrive in. Default backends likewise.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "ferry/ingress/route_table.h"
#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendPort;
using testing::dumpTable;
using testing::Harness;
using testing::httpPath;
using testing::ingressObject;
using testing::Json;
using testing::routeOf;
using testing::rule;
using testing::tableOf;

Json oneRoute(const std::string& host, const std::string& path, const std::string& type,
              const std::string& service) {
  return {{"rules", {rule(host, {httpPath(path, type, backendPort(service, 80))})}}};
}

TEST(Conflicts, OldestIngressWins) {
  std::vector<RouteConflict> conflicts;
  auto table = tableOf({ingressObject("ns", "young", oneRoute("foo.com", "/x", "Prefix", "young"),
                                      "2024-03-01T00:00:00Z"),
                        ingressObject("ns", "old", oneRoute("foo.com", "/x", "Prefix", "old"),
                                      "2024-02-29T23:59:59Z")},
                       &conflicts);
  EXPECT_EQ(routeOf(*table, "foo.com", "/x"), "old");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].winner, "ns/old");
  EXPECT_EQ(conflicts[0].loser, "ns/young");
  EXPECT_EQ(conflicts[0].host, "foo.com");
  EXPECT_EQ(conflicts[0].path, "/x");
  EXPECT_NE(conflicts[0].toString().find("ns/young"), std::string::npos);
}

TEST(Conflicts, TimestampsCompareAsInstantsNotText) {
  // 10:00+02:00 is 08:00Z: older than 09:00Z though it sorts after it as text.
  auto table = tableOf(
      {ingressObject("ns", "a", oneRoute("foo.com", "/", "Prefix", "a"), "2024-01-01T09:00:00Z"),
       ingressObject("ns", "b", oneRoute("foo.com", "/", "Prefix", "b"),
                     "2024-01-01T10:00:00+02:00")});
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "b");
}

TEST(Conflicts, EqualAgeFallsBackToNamespaceThenName) {
  auto table = tableOf({ingressObject("zzz", "a", oneRoute("foo.com", "/", "Prefix", "zzz-a")),
                        ingressObject("aaa", "z", oneRoute("foo.com", "/", "Prefix", "aaa-z")),
                        ingressObject("aaa", "b", oneRoute("foo.com", "/", "Prefix", "aaa-b"))});
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "aaa-b");
}

TEST(Conflicts, IngressWithoutTimestampLoses) {
  auto table = tableOf({ingressObject("aaa", "a", oneRoute("foo.com", "/", "Prefix", "no-ts"), ""),
                        ingressObject("zzz", "z", oneRoute("foo.com", "/", "Prefix", "ts"))});
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "ts");
}

TEST(Conflicts, TrailingSlashAndImplementationSpecificAreTheSamePrefix) {
  std::vector<RouteConflict> conflicts;
  auto table = tableOf(
      {ingressObject("ns", "a", oneRoute("foo.com", "/x", "Prefix", "a"), "2024-01-01T00:00:00Z"),
       ingressObject("ns", "b", oneRoute("foo.com", "/x/", "Prefix", "b"), "2024-01-02T00:00:00Z"),
       ingressObject("ns", "c", oneRoute("foo.com", "/x", "ImplementationSpecific", "c"),
                     "2024-01-03T00:00:00Z")},
      &conflicts);
  EXPECT_EQ(routeOf(*table, "foo.com", "/x/y"), "a");
  EXPECT_EQ(table->routesFor("foo.com").size(), 1u);
  EXPECT_EQ(conflicts.size(), 2u);
}

TEST(Conflicts, ExactAndPrefixOfOnePathDoNotConflict) {
  std::vector<RouteConflict> conflicts;
  auto table = tableOf({ingressObject("ns", "a", oneRoute("foo.com", "/x", "Prefix", "prefix")),
                        ingressObject("ns", "b", oneRoute("foo.com", "/x", "Exact", "exact"))},
                       &conflicts);
  EXPECT_TRUE(conflicts.empty());
  EXPECT_EQ(routeOf(*table, "foo.com", "/x"), "exact");
  EXPECT_EQ(routeOf(*table, "foo.com", "/x/1"), "prefix");
}

TEST(Conflicts, SamePathOnDifferentHostsDoesNotConflict) {
  std::vector<RouteConflict> conflicts;
  auto table = tableOf({ingressObject("ns", "a", oneRoute("a.com", "/", "Prefix", "a")),
                        ingressObject("ns", "b", oneRoute("*.a.com", "/", "Prefix", "b")),
                        ingressObject("ns", "c", oneRoute("", "/", "Prefix", "c"))},
                       &conflicts);
  EXPECT_TRUE(conflicts.empty());
  EXPECT_EQ(routeOf(*table, "a.com", "/"), "a");
  EXPECT_EQ(routeOf(*table, "x.a.com", "/"), "b");
  EXPECT_EQ(routeOf(*table, "b.com", "/"), "c");
}

TEST(Conflicts, DuplicateWithinOneIngressKeepsTheFirst) {
  Json spec = {{"rules",
                {rule("foo.com", {httpPath("/d", "Prefix", backendPort("first", 80)),
                                  httpPath("/d", "Prefix", backendPort("second", 80))})}}};
  std::vector<RouteConflict> conflicts;
  auto table = tableOf({ingressObject("ns", "i", spec)}, &conflicts);
  EXPECT_EQ(routeOf(*table, "foo.com", "/d"), "first");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].winner, conflicts[0].loser);
}

TEST(DefaultBackend, ServesWhatNoRuleMatches) {
  Json spec = oneRoute("foo.com", "/app", "Prefix", "app");
  spec["defaultBackend"] = backendPort("catch", 8080);
  auto table = tableOf({ingressObject("ns", "i", spec)});
  EXPECT_EQ(routeOf(*table, "foo.com", "/app"), "app");
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "default:catch");
  EXPECT_EQ(routeOf(*table, "bar.com", "/app"), "default:catch");
  ASSERT_NE(table->defaultBackend(), nullptr);
  EXPECT_EQ(table->defaultBackend()->service.port_number, 8080);
}

TEST(DefaultBackend, AnIngressWithOnlyADefaultBackend) {
  auto table = tableOf({ingressObject("ns", "i", {{"defaultBackend", backendPort("only", 80)}})});
  EXPECT_EQ(routeOf(*table, "anything", "/any"), "default:only");
  EXPECT_EQ(table->routeCount(), 0u);
}

TEST(DefaultBackend, SeveralFollowTheConflictRule) {
  std::vector<RouteConflict> conflicts;
  auto table = tableOf({ingressObject("ns", "new", {{"defaultBackend", backendPort("new", 80)}},
                                      "2024-05-01T00:00:00Z"),
                        ingressObject("ns", "old", {{"defaultBackend", backendPort("old", 80)}},
                                      "2024-04-01T00:00:00Z")},
                       &conflicts);
  EXPECT_EQ(routeOf(*table, "x", "/"), "default:old");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_TRUE(conflicts[0].default_backend);
  EXPECT_EQ(conflicts[0].winner, "ns/old");
  EXPECT_EQ(conflicts[0].loser, "ns/new");
}

TEST(Backends, PathsOfOneIngressToOneServicePortShareABackend) {
  Json spec = {{"rules",
                {rule("a.com", {httpPath("/1", "Prefix", backendPort("svc", 80)),
                                httpPath("/2", "Prefix", backendPort("svc", 80)),
                                httpPath("/3", "Prefix", backendPort("svc", 81))}),
                 rule("b.com", {httpPath("/", "Prefix", backendPort("svc", 80))})}}};
  auto table = tableOf({ingressObject("ns", "i", spec),
                        ingressObject("ns", "j", oneRoute("c.com", "/", "Prefix", "svc"))});
  EXPECT_EQ(table->match("a.com", "/1").backend, table->match("a.com", "/2").backend);
  EXPECT_EQ(table->match("a.com", "/1").backend, table->match("b.com", "/").backend);
  EXPECT_NE(table->match("a.com", "/1").backend, table->match("a.com", "/3").backend);
  EXPECT_NE(table->match("a.com", "/1").backend, table->match("c.com", "/").backend)
      << "another Ingress, possibly other annotations: its own Backend";
  EXPECT_EQ(table->backends().size(), 3u);
  for (size_t i = 0; i < table->backends().size(); ++i) EXPECT_EQ(table->backends()[i].id, i);
}

// A set of overlapping Ingresses: every kind of conflict at once.
std::vector<Json> overlapping() {
  std::vector<Json> out;
  const char* stamps[] = {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2023-06-01T12:00:00Z",
                          "2024-02-01T00:00:00Z", "2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z"};
  const char* namespaces[] = {"b", "a", "c", "a", "a", "b"};
  for (int i = 0; i < 6; ++i) {
    const std::string svc = "svc" + std::to_string(i);
    Json spec = {{"rules",
                  {rule("shared.com",
                        {httpPath("/", "Prefix", backendPort(svc, 80)),
                         httpPath("/api", i % 2 ? "Exact" : "Prefix", backendPort(svc, 80)),
                         httpPath("/own" + std::to_string(i), "Prefix", backendPort(svc, 80))}),
                   rule("*.wild.com", {httpPath("/", "Prefix", backendPort(svc, 80))}),
                   rule("", {httpPath("/x", "Prefix", backendPort(svc, 80))})}}};
    if (i % 3 == 0) spec["defaultBackend"] = backendPort(svc, 80);
    out.push_back(ingressObject(namespaces[i], "ing" + std::to_string(i), spec, stamps[i]));
  }
  return out;
}

TEST(Determinism, InsertionOrderDoesNotMatter) {
  std::vector<Json> objects = overlapping();
  std::vector<RouteConflict> first_conflicts;
  const std::string first = dumpTable(*tableOf(objects, &first_conflicts));
  EXPECT_FALSE(first_conflicts.empty());
  std::mt19937 rng(20240101);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(objects.begin(), objects.end(), rng);
    std::vector<RouteConflict> conflicts;
    EXPECT_EQ(dumpTable(*tableOf(objects, &conflicts)), first) << "round " << round;
    EXPECT_EQ(conflicts, first_conflicts) << "round " << round;
  }
}

TEST(Determinism, BuilderApplyOrderDoesNotMatter) {
  std::vector<Json> objects = overlapping();
  std::string first;
  std::mt19937 rng(7);
  for (int round = 0; round < 10; ++round) {
    std::shuffle(objects.begin(), objects.end(), rng);
    Harness h;
    for (const Json& o : objects) ASSERT_TRUE(h.apply("Ingress", o).ok());
    const std::string dump = dumpTable(h.build()->routes());
    if (round == 0) {
      first = dump;
      // The oldest (2023, namespace c) owns the shared paths.
      EXPECT_NE(first.find("/ Prefix -> c/svc2:80"), std::string::npos) << first;
    }
    EXPECT_EQ(dump, first) << "round " << round;
  }
}

TEST(Merge, UpdateReplacesAnIngressAndRemoveDropsIt) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Ingress", ingressObject("ns", "a", oneRoute("foo.com", "/v1", "Prefix", "v1")))
          .ok());
  ASSERT_TRUE(
      h.apply("Ingress", ingressObject("ns", "b", oneRoute("foo.com", "/b", "Prefix", "b"))).ok());
  EXPECT_EQ(routeOf(h.build()->routes(), "foo.com", "/v1"), "v1");
  ASSERT_TRUE(
      h.apply("Ingress", ingressObject("ns", "a", oneRoute("foo.com", "/v2", "Prefix", "v2")))
          .ok());
  auto config = h.build();
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/v1"), "");
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/v2"), "v2");
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/b"), "b");
  EXPECT_TRUE(h.builder().remove("Ingress", "ns", "a"));
  EXPECT_FALSE(h.builder().remove("Ingress", "ns", "a"));
  config = h.build();
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/v2"), "");
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/b"), "b");
}

TEST(Merge, ConflictLoserTakesOverWhenTheWinnerGoes) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Ingress", ingressObject("ns", "old", oneRoute("foo.com", "/", "Prefix", "old"),
                                       "2024-01-01T00:00:00Z"))
          .ok());
  ASSERT_TRUE(
      h.apply("Ingress", ingressObject("ns", "new", oneRoute("foo.com", "/", "Prefix", "new"),
                                       "2024-01-02T00:00:00Z"))
          .ok());
  auto config = h.build();
  EXPECT_EQ(routeOf(config->routes(), "foo.com", "/"), "old");
  bool reported = false;
  for (const std::string& w : config->warnings()) {
    reported = reported || w.find("ns/new ignored") != std::string::npos;
  }
  EXPECT_TRUE(reported);
  ASSERT_TRUE(h.builder().remove("Ingress", "ns", "old"));
  EXPECT_EQ(routeOf(h.build()->routes(), "foo.com", "/"), "new");
}

}  // namespace
}  // namespace ferry::ingress
