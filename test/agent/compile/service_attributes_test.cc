// Per-Service attributes: balancing annotation, session affinity, traffic policies, source
// ranges and healthCheckNodePort (SPEC-NOTES "Services (core/v1)").
#include <gtest/gtest.h>

#include "compile_fixtures.h"
#include "ferry/model/endpoint_selection.h"

namespace ferry::agent {
namespace {

using testing::Json;
using testing::serviceObject;

Json baseSpec() {
  return {{"type", "LoadBalancer"},
          {"clusterIPs", {"10.96.0.60"}},
          {"ipFamilies", {"IPv4"}},
          {"ports", {{{"name", "a"}, {"port", 80}}, {{"name", "b"}, {"port", 81}}}}};
}

// The model service `port` of Service default/svc after applying `svc` (a copy: the snapshot
// that holds it is gone when this returns).
model::Service compiled(ServiceCompiler& c, const Json& svc, const char* port = "a") {
  c.applyService("default", "svc", &svc);
  auto snap = c.build();
  const model::Service* out = snap->find({"default", "svc", port});
  EXPECT_NE(out, nullptr);
  return out != nullptr ? *out : model::Service{};
}

TEST(Attributes, Defaults) {
  ServiceCompiler c;
  model::Service s = compiled(c, serviceObject("default", "svc", baseSpec()));
  EXPECT_EQ(s.balancing, model::Balancing::kRoundRobin);
  EXPECT_EQ(s.affinity_timeout_s, 0u);
  EXPECT_EQ(s.external_policy, model::TrafficPolicy::kCluster);
  EXPECT_EQ(s.internal_policy, model::TrafficPolicy::kCluster);
  EXPECT_TRUE(s.source_ranges.empty());
  EXPECT_EQ(s.health_check_node_port, 0);
  EXPECT_EQ(c.malformedCount(), 0u);
}

TEST(Attributes, BalancingAnnotation) {
  struct Case {
    const char* value;
    model::Balancing want;
    uint64_t malformed;
  };
  for (const Case& tc :
       {Case{"round-robin", model::Balancing::kRoundRobin, 0},
        Case{"random", model::Balancing::kRandom, 0}, Case{"maglev", model::Balancing::kMaglev, 0},
        Case{"fastest", model::Balancing::kRoundRobin, 1}}) {
    SCOPED_TRACE(tc.value);
    ServiceCompiler c;
    model::Service s = compiled(c, serviceObject("default", "svc", baseSpec(), Json::object(),
                                                 {{"ferry.io/lb-algorithm", tc.value}}));
    EXPECT_EQ(s.balancing, tc.want);
    EXPECT_EQ(c.malformedCount(), tc.malformed);
  }
  // The agent-wide default applies without the annotation.
  CompilerOptions maglev;
  maglev.default_balancing = model::Balancing::kMaglev;
  ServiceCompiler c(maglev);
  EXPECT_EQ(compiled(c, serviceObject("default", "svc", baseSpec())).balancing,
            model::Balancing::kMaglev);
}

TEST(Attributes, SessionAffinity) {
  struct Case {
    const char* name;
    Json affinity;
    Json config;
    uint32_t want;
  };
  const Case cases[] = {
      {"None", "None", nullptr, 0},
      {"ClientIP default timeout", "ClientIP", nullptr, 10800},
      {"ClientIP empty config", "ClientIP", {{"clientIP", Json::object()}}, 10800},
      {"ClientIP explicit", "ClientIP", {{"clientIP", {{"timeoutSeconds", 60}}}}, 60},
      {"ClientIP max", "ClientIP", {{"clientIP", {{"timeoutSeconds", 86400}}}}, 86400},
      {"config without ClientIP ignored", "None", {{"clientIP", {{"timeoutSeconds", 60}}}}, 0},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    Json spec = baseSpec();
    spec["sessionAffinity"] = tc.affinity;
    if (!tc.config.is_null()) spec["sessionAffinityConfig"] = tc.config;
    ServiceCompiler c;
    EXPECT_EQ(compiled(c, serviceObject("default", "svc", spec)).affinity_timeout_s, tc.want);
    EXPECT_EQ(c.malformedCount(), 0u);
  }
}

TEST(Attributes, TrafficPoliciesAndHealthCheckNodePort) {
  Json spec = baseSpec();
  spec["externalTrafficPolicy"] = "Local";
  spec["internalTrafficPolicy"] = "Local";
  spec["healthCheckNodePort"] = 32000;
  ServiceCompiler c;
  model::Service s = compiled(c, serviceObject("default", "svc", spec), "b");
  EXPECT_EQ(s.external_policy, model::TrafficPolicy::kLocal);
  EXPECT_EQ(s.internal_policy, model::TrafficPolicy::kLocal);
  EXPECT_EQ(s.policyFor(model::Scope::kExternal), model::TrafficPolicy::kLocal);
  EXPECT_EQ(s.health_check_node_port, 32000);

  spec["externalTrafficPolicy"] = "Cluster";
  spec["internalTrafficPolicy"] = "Cluster";
  spec.erase("healthCheckNodePort");
  ServiceCompiler c2;
  model::Service s2 = compiled(c2, serviceObject("default", "svc", spec));
  EXPECT_EQ(s2.external_policy, model::TrafficPolicy::kCluster);
  EXPECT_EQ(s2.internal_policy, model::TrafficPolicy::kCluster);
  EXPECT_EQ(s2.health_check_node_port, 0);
}

TEST(Attributes, LocalPolicyKeepsEveryBackendTheModelFiltersPerNode) {
  // The compiler marks nodes; model::usableBackends applies Local per receiving node.
  Json spec = baseSpec();
  spec["externalTrafficPolicy"] = "Local";
  CompilerOptions opts;
  opts.node_name = "node-a";
  ServiceCompiler c(opts);
  Json svc = serviceObject("default", "svc", spec);
  c.applyService("default", "svc", &svc);
  Json slice = testing::sliceObject(
      "default", "svc-a", "svc", "IPv4", {testing::slicePort("a", 8080)},
      {testing::endpoint("10.0.9.1", {}, "node-a"), testing::endpoint("10.0.9.2", {}, "node-b")});
  c.applyEndpointSlice("default", "svc-a", &slice);
  auto snap = c.build();
  const model::Service* s = snap->find({"default", "svc", "a"});
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->backends.size(), 2u);
  auto ext = model::usableBackends(*s, model::Scope::kExternal, c.options().node_name);
  ASSERT_EQ(ext.backends.size(), 1u);
  EXPECT_EQ(ext.backends[0]->node, "node-a");
  EXPECT_EQ(model::usableBackends(*s, model::Scope::kInternal, "node-a").backends.size(), 2u);
}

TEST(Attributes, SourceRanges) {
  Json spec = baseSpec();
  spec["loadBalancerSourceRanges"] = {"192.0.2.0/24", " 2001:db8::/32 ", "not-a-cidr"};
  ServiceCompiler c;
  model::Service s = compiled(c, serviceObject("default", "svc", spec));
  ASSERT_EQ(s.source_ranges.size(), 2u);
  EXPECT_EQ(s.source_ranges[0].toString(), "192.0.2.0/24");
  EXPECT_EQ(s.source_ranges[1].toString(), "2001:db8::/32");
  EXPECT_EQ(c.malformedCount(), 1u);
}

}  // namespace
}  // namespace ferry::agent
