// Malformed objects and fields are skipped and counted, never a crash; the rest of the object
// still compiles where it makes sense.
#include <gtest/gtest.h>

#include <map>

#include "compile_fixtures.h"

namespace ferry::agent {
namespace {

using testing::endpoint;
using testing::Json;
using testing::serviceObject;
using testing::sliceObject;
using testing::slicePort;

TEST(Malformed, WholeServiceObjectsProduceNothing) {
  struct Case {
    const char* name;
    Json obj;
  };
  const Case cases[] = {
      {"array", Json::array({1, 2})},
      {"string", "svc"},
      {"no spec", {{"metadata", {{"name", "x"}}}}},
      {"spec not object", {{"spec", 42}}},
      {"type not string", serviceObject("d", "x", {{"type", 7}, {"clusterIPs", {"10.96.0.1"}}})},
      {"unknown type", serviceObject("d", "x", {{"type", "Magic"}, {"clusterIPs", {"10.96.0.1"}}})},
      {"bad cluster IP",
       serviceObject("d", "x", {{"clusterIPs", {"10.96.0.300"}}, {"ports", {{{"port", 80}}}}})},
      {"clusterIPs not array",
       serviceObject("d", "x", {{"clusterIPs", "10.96.0.1"}, {"ports", {{{"port", 80}}}}})},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::vector<std::string> warnings;
    CompilerOptions opts;
    opts.on_warning = [&](std::string_view w) { warnings.emplace_back(w); };
    ServiceCompiler c(opts);
    c.applyService("d", "x", &tc.obj);
    EXPECT_EQ(c.build()->size(), 0u);
    EXPECT_GE(c.malformedCount(), 1u);
    EXPECT_EQ(warnings.size(), c.malformedCount());
    ASSERT_FALSE(warnings.empty());
    EXPECT_NE(warnings[0].find("Service d/x"), std::string::npos) << warnings[0];
  }
}

TEST(Malformed, BadElementsAreSkippedOneByOne) {
  ServiceCompiler c;
  Json svc = serviceObject("d", "x",
                           {{"type", "NodePort"},
                            {"clusterIPs", {"10.96.0.1"}},
                            {"ipFamilies", {"IPv4", "IPX"}},
                            {"externalIPs", {"198.51.100.1", "nope", 5}},
                            {"sessionAffinity", "ClientIP"},
                            {"sessionAffinityConfig", {{"clientIP", {{"timeoutSeconds", 999999}}}}},
                            {"externalTrafficPolicy", "Sometimes"},
                            {"healthCheckNodePort", 70000},
                            {"ports",
                             {{{"name", "ok"}, {"port", 80}, {"nodePort", 30080}},
                              {{"name", "badproto"}, {"port", 81}, {"protocol", "ICMP"}},
                              {{"name", "badport"}, {"port", 0}},
                              {{"name", "strport"}, {"port", "80"}},
                              {{"name", "badnode"}, {"port", 82}, {"nodePort", -1}},
                              "junk"}}});
  c.applyService("d", "x", &svc);
  auto snap = c.build();
  // ok and badnode (without its NodePort) survive.
  ASSERT_EQ(snap->size(), 2u);
  const model::Service* ok = snap->find({"d", "x", "ok"});
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->frontends.size(), 3u);  // cluster IP, NodePort v4, one external IP
  EXPECT_EQ(ok->affinity_timeout_s, kDefaultAffinityTimeoutS);
  EXPECT_EQ(ok->external_policy, model::TrafficPolicy::kCluster);
  EXPECT_EQ(ok->health_check_node_port, 0);
  EXPECT_EQ(snap->find({"d", "x", "badnode"})->frontends.size(), 2u);
  // IPX, nope, 5, timeout, policy, hc port, ICMP, port 0, "80" (type + range), nodePort -1, junk.
  EXPECT_EQ(c.malformedCount(), 12u);
}

TEST(Malformed, DuplicatePortNamesKeepTheFirst) {
  ServiceCompiler c;
  Json svc = serviceObject(
      "d", "x", {{"clusterIPs", {"10.96.0.1"}}, {"ports", {{{"port", 80}}, {{"port", 81}}}}});
  c.applyService("d", "x", &svc);
  auto snap = c.build();
  ASSERT_EQ(snap->size(), 1u);
  EXPECT_EQ(snap->find({"d", "x", ""})->frontends[0].port, 80);
  EXPECT_EQ(c.malformedCount(), 1u);
}

TEST(Malformed, BadSlicesAndEndpointsAreSkipped) {
  ServiceCompiler c;
  Json svc = testing::simpleService("d", "x", "10.96.0.1");
  c.applyService("d", "x", &svc);
  Json good = sliceObject("d", "x-good", "x", "IPv4", {slicePort("", 8080)},
                          {endpoint("10.0.0.1"),
                           endpoint("10.0.0.999"),       // bad address
                           endpoint("fd00::1"),          // wrong family for an IPv4 slice
                           {{"addresses", "10.0.0.2"}},  // not an array
                           {{"addresses", {"10.0.0.3"}}, {"conditions", {{"ready", "yes"}}}},
                           "junk"});
  Json bad_type =
      sliceObject("d", "x-bad", "x", "IPv5", {slicePort("", 8080)}, {endpoint("10.0.0.4")});
  Json bad_ports =
      sliceObject("d", "x-ports", "x", "IPv4", {slicePort("", 70000)}, {endpoint("10.0.0.5")});
  Json not_object = Json::array();
  c.applyEndpointSlice("d", "x-good", &good);
  c.applyEndpointSlice("d", "x-bad", &bad_type);
  c.applyEndpointSlice("d", "x-ports", &bad_ports);
  c.applyEndpointSlice("d", "x-junk", &not_object);  // no label: never reaches a Service
  const model::Service* out = c.build()->find({"d", "x", ""});
  ASSERT_NE(out, nullptr);
  // 10.0.0.3's unreadable "ready" falls back to the default (ready).
  EXPECT_EQ(testing::backendStrings(*out),
            (std::vector<std::string>{"10.0.0.1:8080", "10.0.0.3:8080"}));
  // 999, fd00::1, addresses type, ready type, junk, IPv5, port 70000.
  EXPECT_EQ(c.malformedCount(), 7u);
}

TEST(Malformed, NonJsonTextInAResyncIsCountedAndAbsent) {
  struct Key {
    std::string kind, ns, name;
    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads defaulted <=>
    auto operator<=>(const Key&) const = default;
  };
  struct Stored {
    int64_t revision = 0;
    std::string json;
  };
  std::map<Key, Stored> objects;
  objects[{"Service", "d", "x"}] = {1, "{not json"};
  objects[{"Service", "d", "y"}] = {1, testing::simpleService("d", "y", "10.96.0.2").dump()};
  ServiceCompiler c;
  c.applyAll(objects);
  auto snap = c.build();
  EXPECT_EQ(snap->size(), 1u);
  EXPECT_NE(snap->find({"d", "y", ""}), nullptr);
  EXPECT_EQ(c.malformedCount(), 1u);
}

TEST(Malformed, NonJsonTextInADeltaIsCountedAndDeletes) {
  ServiceCompiler c;
  std::string good = testing::simpleService("d", "y", "10.96.0.2").dump();
  c.applyObject("Service", "d", "y", &good);
  EXPECT_EQ(c.build()->size(), 1u);
  std::string bad = "{truncated";
  c.applyObject("Service", "d", "y", &bad);
  EXPECT_EQ(c.build()->size(), 0u);
  EXPECT_EQ(c.malformedCount(), 1u);
  c.applyObject("Service", "d", "y", &good);
  c.applyObject("Ingress", "d", "y", &bad);  // not the compiler's kind: ignored, not counted
  EXPECT_EQ(c.build()->size(), 1u);
  c.applyObject("Service", "d", "y", nullptr);
  EXPECT_EQ(c.build()->size(), 0u);
  EXPECT_EQ(c.malformedCount(), 1u);
}

}  // namespace
}  // namespace ferry::agent
