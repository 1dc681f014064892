// The path-matching table of SPEC-NOTES "Ingress (networking.k8s.io/v1)", every row, plus the
// semantics around it (longest match, Exact before Prefix, ImplementationSpecific as Prefix).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ferry/ingress/route_table.h"
#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendPort;
using testing::httpPath;
using testing::ingressObject;
using testing::Json;
using testing::routeOf;
using testing::rule;
using testing::tableOf;

struct RulePath {
  std::string path;
  std::string type;
};

struct Row {
  std::string name;
  std::vector<RulePath> rules;
  std::string request;
  // The rule that matches, as "<path> <type>", or "default" when the request falls to the
  // default backend (every row's Ingress has one, so "no match" is observable).
  std::string expect;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

// Each rule path gets its own Service ("r0", "r1", ...) so the answer names the rule.
RouteTable::Ptr rowTable(const Row& row, const std::string& host) {
  Json paths = Json::array();
  for (size_t i = 0; i < row.rules.size(); ++i) {
    paths.push_back(
        httpPath(row.rules[i].path, row.rules[i].type, backendPort("r" + std::to_string(i), 80)));
  }
  Json spec = {{"rules", {rule(host, paths)}}, {"defaultBackend", backendPort("fallback", 80)}};
  return tableOf({ingressObject("ns", "row", spec)});
}

std::string expected(const Row& row) {
  if (row.expect == "default") return "default:fallback";
  for (size_t i = 0; i < row.rules.size(); ++i) {
    if (row.rules[i].path + " " + row.rules[i].type == row.expect) return "r" + std::to_string(i);
  }
  ADD_FAILURE() << "row " << row.name << " expects a rule it does not have";
  return "?";
}

class SpecTable : public ::testing::TestWithParam<Row> {};

TEST_P(SpecTable, RowMatchesUnderAHost) {
  const Row& row = GetParam();
  auto table = rowTable(row, "example.com");
  EXPECT_EQ(routeOf(*table, "example.com", row.request), expected(row)) << row.request;
}

TEST_P(SpecTable, RowMatchesWithoutHost) {
  const Row& row = GetParam();
  auto table = rowTable(row, "");
  EXPECT_EQ(routeOf(*table, "anything.test", row.request), expected(row)) << row.request;
}

// SPEC-NOTES table, one Row per (row, request).
INSTANTIATE_TEST_SUITE_P(
    Rows, SpecTable,
    ::testing::Values(
        Row{"PrefixRootAnyPath", {{"/", "Prefix"}}, "/any/thing", "/ Prefix"},
        Row{"PrefixRootRoot", {{"/", "Prefix"}}, "/", "/ Prefix"},
        Row{"ExactFooFoo", {{"/foo", "Exact"}}, "/foo", "/foo Exact"},
        Row{"ExactFooFooSlash", {{"/foo", "Exact"}}, "/foo/", "default"},
        Row{"ExactFooSlashFoo", {{"/foo/", "Exact"}}, "/foo", "default"},
        Row{"PrefixFooFoo", {{"/foo", "Prefix"}}, "/foo", "/foo Prefix"},
        Row{"PrefixFooFooSlash", {{"/foo", "Prefix"}}, "/foo/", "/foo Prefix"},
        Row{"PrefixFooSlashFoo", {{"/foo/", "Prefix"}}, "/foo", "/foo/ Prefix"},
        Row{"PrefixFooSlashFooSlash", {{"/foo/", "Prefix"}}, "/foo/", "/foo/ Prefix"},
        Row{"PrefixAaaBbAaaBbb", {{"/aaa/bb", "Prefix"}}, "/aaa/bbb", "default"},
        Row{"PrefixAaaBbbAaaBbbCcc", {{"/aaa/bbb", "Prefix"}}, "/aaa/bbb/ccc", "/aaa/bbb Prefix"},
        Row{"PrefixAaaBbbAaaBbbxyz", {{"/aaa/bbb", "Prefix"}}, "/aaa/bbbxyz", "default"},
        Row{"PrefixRootAndAaa", {{"/", "Prefix"}, {"/aaa", "Prefix"}}, "/aaa/ccc", "/aaa Prefix"},
        Row{"PrefixRootAaaAaaBbb",
            {{"/", "Prefix"}, {"/aaa", "Prefix"}, {"/aaa/bbb", "Prefix"}},
            "/ccc",
            "/ Prefix"},
        Row{"PrefixAaaCccDefault", {{"/aaa", "Prefix"}}, "/ccc", "default"},
        Row{"MixedExactWins", {{"/foo", "Prefix"}, {"/foo", "Exact"}}, "/foo", "/foo Exact"},
        // The same with the rules in the other order: precedence is not declaration order.
        Row{"MixedExactWinsReordered",
            {{"/foo", "Exact"}, {"/foo", "Prefix"}},
            "/foo",
            "/foo Exact"}),
    [](const ::testing::TestParamInfo<Row>& row_info) { return row_info.param.name; });

TEST(PathMatch, MixedPrefixStillServesLongerPaths) {
  auto table = rowTable({"", {{"/foo", "Prefix"}, {"/foo", "Exact"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo"), "r1");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo/bar"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo/"), "r0");
}

TEST(PathMatch, LongestPrefixWinsWhateverTheOrder) {
  auto table = rowTable(
      {"", {{"/a/b", "Prefix"}, {"/a", "Prefix"}, {"/a/b/c", "Prefix"}, {"/", "Prefix"}}, "", ""},
      "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/a/b/c/d"), "r2");
  EXPECT_EQ(routeOf(*table, "h.test", "/a/b/cd"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/a/bc"), "r1");
  EXPECT_EQ(routeOf(*table, "h.test", "/ab"), "r3");
}

TEST(PathMatch, LongerExactBeatsShorterPrefixAndViceVersa) {
  auto table = rowTable({"", {{"/api", "Prefix"}, {"/api/v1/health", "Exact"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/api/v1/health"), "r1");
  EXPECT_EQ(routeOf(*table, "h.test", "/api/v1/health/x"), "r0");
  auto table2 = rowTable({"", {{"/api/v1", "Prefix"}, {"/api", "Exact"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table2, "h.test", "/api/v1/x"), "r0");
  EXPECT_EQ(routeOf(*table2, "h.test", "/api"), "r1");
  EXPECT_EQ(routeOf(*table2, "h.test", "/api/"), "default:fallback");
}

TEST(PathMatch, PrefixIsCaseSensitive) {
  auto table = rowTable({"", {{"/Foo", "Prefix"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/Foo/x"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo/x"), "default:fallback");
}

TEST(PathMatch, ImplementationSpecificIsPrefix) {
  auto table = rowTable({"", {{"/static", "ImplementationSpecific"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/static"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/static/app.js"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/staticfoo"), "default:fallback");
  RouteMatch m = table->match("h.test", "/static/x");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.route->type, PathType::kImplementationSpecific);
  EXPECT_FALSE(m.route->isExact());
}

TEST(PathMatch, ImplementationSpecificWithoutPathMatchesEverything) {
  Json path = {{"pathType", "ImplementationSpecific"}, {"backend", backendPort("all", 80)}};
  auto table = tableOf({ingressObject("ns", "i", {{"rules", {rule("h.test", {path})}}})});
  EXPECT_EQ(routeOf(*table, "h.test", "/"), "all");
  EXPECT_EQ(routeOf(*table, "h.test", "/x/y"), "all");
}

TEST(PathMatch, QueryStringIsIgnored) {
  auto table = rowTable({"", {{"/foo", "Exact"}}, "", ""}, "h.test");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo?x=1&y=/bar"), "r0");
  EXPECT_EQ(routeOf(*table, "h.test", "/foo/?x=1"), "default:fallback");
}

TEST(PathMatch, MatchReportsTheRouteAndHostKind) {
  auto table = rowTable({"", {{"/foo", "Prefix"}}, "", ""}, "h.test");
  RouteMatch m = table->match("h.test", "/foo/bar");
  ASSERT_TRUE(m);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path, "/foo");
  EXPECT_EQ(m.host, HostMatch::kExact);
  EXPECT_EQ(m.backend->service.name, "r0");
  EXPECT_EQ(m.backend->service.port_number, 80);
  RouteMatch d = table->match("h.test", "/other");
  ASSERT_TRUE(d);
  EXPECT_EQ(d.route, nullptr);
  EXPECT_EQ(d.host, HostMatch::kDefaultBackend);
}

TEST(PathMatch, NoRuleAndNoDefaultIsNoRoute) {
  Json spec = {{"rules", {rule("h.test", {httpPath("/a", "Prefix", backendPort("a", 80))})}}};
  auto table = tableOf({ingressObject("ns", "i", spec)});
  RouteMatch m = table->match("h.test", "/b");
  EXPECT_FALSE(m);
  EXPECT_EQ(m.backend, nullptr);
  EXPECT_EQ(m.host, HostMatch::kNone);
  EXPECT_EQ(table->defaultBackend(), nullptr);
}

TEST(PathMatch, RoutesAreKeptInMatchOrder) {
  auto table = rowTable(
      {"", {{"/a", "Prefix"}, {"/a/b", "Exact"}, {"/a/b", "Prefix"}, {"/", "Prefix"}}, "", ""},
      "h.test");
  auto routes = table->routesFor("h.test");
  ASSERT_EQ(routes.size(), 4u);
  EXPECT_EQ(routes[0].path, "/a/b");
  EXPECT_TRUE(routes[0].isExact());
  EXPECT_EQ(routes[1].path, "/a/b");
  EXPECT_FALSE(routes[1].isExact());
  EXPECT_EQ(routes[2].path, "/a");
  EXPECT_EQ(routes[3].path, "/");
  EXPECT_EQ(routes[3].match_path, "");
  EXPECT_EQ(table->routeCount(), 4u);
}

}  // namespace
}  // namespace ferry::ingress
