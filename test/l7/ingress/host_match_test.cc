// Host rules: exact (case-insensitive), wildcard of exactly one label, host-less rules, the
// Host header's port and IPv6 literals, and the precedence between them.
#include <gtest/gtest.h>

#include <string>

#include "ferry/ingress/host_path.h"
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

Json catchAll(const std::string& host, const std::string& service) {
  return rule(host, {httpPath("/", "Prefix", backendPort(service, 80))});
}

TEST(HostHelpers, HostWithoutPort) {
  EXPECT_EQ(hostWithoutPort("foo.com"), "foo.com");
  EXPECT_EQ(hostWithoutPort("Foo.com:8080"), "Foo.com");
  EXPECT_EQ(hostWithoutPort("foo.com:"), "foo.com");
  EXPECT_EQ(hostWithoutPort("[::1]:80"), "::1");
  EXPECT_EQ(hostWithoutPort("[::1]"), "::1");
  EXPECT_EQ(hostWithoutPort("[fd00::5]:443"), "fd00::5");
  EXPECT_EQ(hostWithoutPort("::1"), "::1");  // unbracketed IPv6: no port to cut
  EXPECT_EQ(hostWithoutPort("[::1"), "[::1");
  EXPECT_EQ(hostWithoutPort("10.0.0.1:80"), "10.0.0.1");
  EXPECT_EQ(hostWithoutPort(""), "");
}

TEST(HostHelpers, NormalizeHostLowersAndDropsPortAndFinalDot) {
  char buffer[kMaxHostLength];
  EXPECT_EQ(normalizeHost("Foo.COM:8080", buffer), "foo.com");
  EXPECT_EQ(normalizeHost("foo.com.", buffer), "foo.com");
  EXPECT_EQ(normalizeHost("foo.com.:80", buffer), "foo.com");
  EXPECT_EQ(normalizeHost("[FD00::1]:80", buffer), "fd00::1");
  EXPECT_EQ(normalizeHost(std::string(kMaxHostLength, 'a'), buffer).size(), kMaxHostLength);
  EXPECT_EQ(normalizeHost(std::string(kMaxHostLength + 1, 'a'), buffer), "");
}

TEST(HostHelpers, StripQuery) {
  EXPECT_EQ(stripQuery("/a/b?x=1"), "/a/b");
  EXPECT_EQ(stripQuery("/a/b"), "/a/b");
  EXPECT_EQ(stripQuery("/a#frag"), "/a");
  EXPECT_EQ(stripQuery("?x"), "");
  EXPECT_EQ(stripQuery(""), "");
}

TEST(HostHelpers, WildcardIsExactlyOneLabel) {
  EXPECT_EQ(parentDomain("bar.foo.com"), "foo.com");
  EXPECT_EQ(parentDomain("foo"), "");
  EXPECT_EQ(parentDomain(".foo"), "");
  EXPECT_TRUE(matchesWildcard("bar.foo.com", "foo.com"));
  EXPECT_FALSE(matchesWildcard("foo.com", "foo.com"));
  EXPECT_FALSE(matchesWildcard("baz.bar.foo.com", "foo.com"));
  EXPECT_FALSE(matchesWildcard(".foo.com", "foo.com"));
}

TEST(HostMatch, ExactHostIsCaseInsensitiveAndStoredLowerCase) {
  auto table =
      tableOf({ingressObject("ns", "i", {{"rules", {catchAll("Foo.Example.COM", "exact")}}})});
  EXPECT_EQ(table->hostKeys(), std::vector<std::string>{"foo.example.com"});
  EXPECT_EQ(routeOf(*table, "foo.example.com", "/"), "exact");
  EXPECT_EQ(routeOf(*table, "FOO.EXAMPLE.COM", "/x"), "exact");
  EXPECT_EQ(routeOf(*table, "fOo.ExAmPlE.cOm", "/x"), "exact");
  EXPECT_EQ(routeOf(*table, "bar.example.com", "/"), "");
  EXPECT_EQ(routeOf(*table, "example.com", "/"), "");
}

TEST(HostMatch, PortIsStrippedBeforeLookup) {
  auto table = tableOf({ingressObject("ns", "i", {{"rules", {catchAll("foo.com", "exact")}}})});
  EXPECT_EQ(routeOf(*table, "Foo.com:8080", "/"), "exact");
  EXPECT_EQ(routeOf(*table, "foo.com:443", "/"), "exact");
  EXPECT_EQ(routeOf(*table, "foo.com.", "/"), "exact");
  EXPECT_EQ(routeOf(*table, "foo.com8080", "/"), "");
}

TEST(HostMatch, WildcardMatchesOneLabelOnly) {
  auto table = tableOf({ingressObject("ns", "i", {{"rules", {catchAll("*.foo.com", "wild")}}})});
  EXPECT_EQ(table->hostKeys(), std::vector<std::string>{"*.foo.com"});
  EXPECT_EQ(routeOf(*table, "bar.foo.com", "/"), "wild");
  EXPECT_EQ(routeOf(*table, "BAR.Foo.Com:8443", "/"), "wild");
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "") << "the apex is not matched";
  EXPECT_EQ(routeOf(*table, "baz.bar.foo.com", "/"), "") << "two labels are not matched";
  EXPECT_EQ(routeOf(*table, ".foo.com", "/"), "") << "an empty label is not a label";
  EXPECT_EQ(routeOf(*table, "barfoo.com", "/"), "");
  RouteMatch m = table->match("x.foo.com", "/");
  EXPECT_EQ(m.host, HostMatch::kWildcard);
}

TEST(HostMatch, ExactBeatsWildcardBeatsHostless) {
  auto table = tableOf({ingressObject(
      "ns", "i",
      {{"rules",
        {catchAll("*.foo.com", "wild"), catchAll("bar.foo.com", "exact"), catchAll("", "any")}}})});
  EXPECT_EQ(routeOf(*table, "bar.foo.com", "/"), "exact");
  EXPECT_EQ(table->match("bar.foo.com", "/").host, HostMatch::kExact);
  EXPECT_EQ(routeOf(*table, "baz.foo.com", "/"), "wild");
  EXPECT_EQ(routeOf(*table, "foo.com", "/"), "any");
  EXPECT_EQ(table->match("foo.com", "/").host, HostMatch::kAnyHost);
  EXPECT_EQ(routeOf(*table, "other.org", "/"), "any");
  EXPECT_EQ(routeOf(*table, "", "/"), "any") << "no Host header (HTTP/1.0)";
}

TEST(HostMatch, AHostWithoutAMatchingPathFallsThroughToLessSpecificRules) {
  Json spec = {{"rules",
                {rule("api.foo.com", {httpPath("/v1", "Prefix", backendPort("exact-v1", 80))}),
                 rule("*.foo.com", {httpPath("/v2", "Prefix", backendPort("wild-v2", 80))}),
                 rule("", {httpPath("/static", "Prefix", backendPort("any-static", 80))})}},
               {"defaultBackend", backendPort("fallback", 80)}};
  auto table = tableOf({ingressObject("ns", "i", spec)});
  EXPECT_EQ(routeOf(*table, "api.foo.com", "/v1/x"), "exact-v1");
  EXPECT_EQ(routeOf(*table, "api.foo.com", "/v2/x"), "wild-v2");
  EXPECT_EQ(routeOf(*table, "api.foo.com", "/static/x"), "any-static");
  EXPECT_EQ(routeOf(*table, "api.foo.com", "/other"), "default:fallback");
  EXPECT_EQ(routeOf(*table, "www.foo.com", "/v1/x"), "default:fallback");
}

TEST(HostMatch, Ipv6LiteralHostReachesHostlessRules) {
  auto table = tableOf(
      {ingressObject("ns", "i", {{"rules", {catchAll("foo.com", "exact"), catchAll("", "any")}}})});
  EXPECT_EQ(routeOf(*table, "[::1]:80", "/"), "any");
  EXPECT_EQ(routeOf(*table, "[::1]", "/"), "any");
  EXPECT_EQ(routeOf(*table, "::1", "/"), "any");
  EXPECT_EQ(routeOf(*table, "127.0.0.1:8080", "/"), "any");
}

TEST(HostMatch, OverlongHostOnlyReachesHostlessRules) {
  const std::string longest = std::string(kMaxHostLength - 4, 'a') + ".com";
  auto table = tableOf({ingressObject("ns", "i", {{"rules", {catchAll("", "any")}}})});
  EXPECT_EQ(routeOf(*table, longest + "x", "/"), "any");
  EXPECT_EQ(routeOf(*table, std::string(10000, 'b'), "/"), "any");
}

TEST(HostMatch, SeveralIngressesForOneHostAreMerged) {
  auto table = tableOf(
      {ingressObject(
           "ns", "a",
           {{"rules", {rule("foo.com", {httpPath("/a", "Prefix", backendPort("a", 80))})}}}),
       ingressObject(
           "other", "b",
           {{"rules", {rule("FOO.com", {httpPath("/b", "Prefix", backendPort("b", 80))})}}})});
  EXPECT_EQ(routeOf(*table, "foo.com", "/a/1"), "a");
  EXPECT_EQ(routeOf(*table, "foo.com", "/b/1"), "b");
  EXPECT_EQ(table->match("foo.com", "/b").backend->ns, "other");
  EXPECT_EQ(table->routesFor("foo.com").size(), 2u);
}

}  // namespace
}  // namespace ferry::ingress
