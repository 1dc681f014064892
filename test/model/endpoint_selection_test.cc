#include "ferry/model/endpoint_selection.h"

#include <gtest/gtest.h>

namespace ferry::model {
namespace {

Backend be(const char* ip, BackendState state, const char* node) {
  return Backend{*IpAddress::parse(ip), 8080, state, node, "zone-a", 1};
}

std::vector<std::string> ips(const UsableBackends& u) {
  std::vector<std::string> out;
  for (const Backend* b : u.backends) out.push_back(b->address.toString());
  return out;
}

using S = BackendState;
using V = std::vector<std::string>;

// KEP-1669 and the traffic policies as a table: backends, policy, node -> usable set.
TEST(UsableBackends, Kep1669AndTrafficPolicyTable) {
  struct Row {
    const char* what;
    std::vector<Backend> backends;
    TrafficPolicy policy;
    V expect;
    bool fallback;
  };
  const Row rows[] = {
      {"ready only",
       {be("10.0.0.1", S::kReady, "n1"), be("10.0.0.2", S::kReady, "n2")},
       TrafficPolicy::kCluster,
       {"10.0.0.1", "10.0.0.2"},
       false},
      {"terminating ignored while any is ready",
       {be("10.0.0.1", S::kServingTerminating, "n1"), be("10.0.0.2", S::kReady, "n2")},
       TrafficPolicy::kCluster,
       {"10.0.0.2"},
       false},
      {"serving-terminating used when none ready",
       {be("10.0.0.1", S::kServingTerminating, "n1"), be("10.0.0.2", S::kTerminating, "n2"),
        be("10.0.0.3", S::kNotReady, "n1")},
       TrafficPolicy::kCluster,
       {"10.0.0.1"},
       true},
      {"not serving never",
       {be("10.0.0.1", S::kTerminating, "n1"), be("10.0.0.2", S::kNotReady, "n1")},
       TrafficPolicy::kCluster,
       {},
       false},
      {"local keeps this node's",
       {be("10.0.0.1", S::kReady, "n1"), be("10.0.0.2", S::kReady, "n2")},
       TrafficPolicy::kLocal,
       {"10.0.0.1"},
       false},
      {"local: remote ready does not beat local terminating",
       {be("10.0.0.1", S::kServingTerminating, "n1"), be("10.0.0.2", S::kReady, "n2")},
       TrafficPolicy::kLocal,
       {"10.0.0.1"},
       true},
      {"local with nothing local",
       {be("10.0.0.2", S::kReady, "n2")},
       TrafficPolicy::kLocal,
       {},
       false},
  };
  for (const Row& r : rows) {
    for (Scope scope : {Scope::kInternal, Scope::kExternal}) {
      Service svc;
      svc.backends = r.backends;
      // Apply the policy to the scope under test only; the other scope stays Cluster.
      (scope == Scope::kInternal ? svc.internal_policy : svc.external_policy) = r.policy;
      auto u = usableBackends(svc, scope, "n1");
      EXPECT_EQ(ips(u), r.expect) << r.what;
      EXPECT_EQ(u.terminating_fallback, r.fallback) << r.what;
    }
  }
}

TEST(UsableBackends, PolicyAppliesOnlyToItsScope) {
  Service svc;
  svc.backends = {be("10.0.0.1", S::kReady, "n1"), be("10.0.0.2", S::kReady, "n2")};
  svc.external_policy = TrafficPolicy::kLocal;
  EXPECT_EQ(ips(usableBackends(svc, Scope::kExternal, "n1")), V{"10.0.0.1"});
  EXPECT_EQ(ips(usableBackends(svc, Scope::kInternal, "n1")), (V{"10.0.0.1", "10.0.0.2"}));
}

TEST(UsableBackends, ZeroWeightIsNotUsable) {
  Service svc;
  svc.backends = {be("10.0.0.1", S::kReady, "n1"), be("10.0.0.2", S::kReady, "n2")};
  svc.backends[0].weight = 0;
  EXPECT_EQ(ips(usableBackends(svc, Scope::kInternal, "n1")), V{"10.0.0.2"});
}

}  // namespace
}  // namespace ferry::model
