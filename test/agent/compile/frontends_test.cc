// Which frontends a Service produces (SPEC-NOTES "Services (core/v1)"; kube-proxy's rules).
#include <gtest/gtest.h>

#include "compile_fixtures.h"

namespace ferry::agent {
namespace {

using model::FrontendKind;
using model::Scope;
using testing::ip;
using testing::Json;
using testing::serviceObject;

model::ServiceSnapshot::Ptr compileOne(const Json& svc) {
  ServiceCompiler c;
  c.applyService(svc["metadata"]["namespace"].get<std::string>(),
                 svc["metadata"]["name"].get<std::string>(), &svc);
  auto snap = c.build();
  EXPECT_EQ(c.malformedCount(), 0u);
  return snap;
}

TEST(Frontends, ClusterIpSingleStack) {
  auto snap = compileOne(testing::simpleService("default", "web", "10.96.0.20"));
  ASSERT_EQ(snap->size(), 1u);
  const model::Service* svc = snap->find({"default", "web", ""});
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->protocol, model::Protocol::kTcp);
  ASSERT_EQ(svc->frontends.size(), 1u);
  EXPECT_EQ(svc->frontends[0].address, ip("10.96.0.20"));
  EXPECT_EQ(svc->frontends[0].port, 80);
  EXPECT_EQ(svc->frontends[0].kind, FrontendKind::kClusterIp);
  EXPECT_EQ(svc->frontends[0].scope, Scope::kInternal);
  EXPECT_TRUE(svc->backends.empty());  // no slices yet: still a service (rejects traffic)
}

TEST(Frontends, ClusterIpDualStack) {
  auto snap = compileOne(serviceObject("default", "dual",
                                       {{"clusterIP", "10.96.0.21"},
                                        {"clusterIPs", {"10.96.0.21", "fd00::21"}},
                                        {"ipFamilies", {"IPv4", "IPv6"}},
                                        {"ipFamilyPolicy", "RequireDualStack"},
                                        {"ports", {{{"port", 53}, {"protocol", "UDP"}}}}}));
  const model::Service* svc = snap->find({"default", "dual", ""});
  ASSERT_NE(svc, nullptr);
  EXPECT_EQ(svc->protocol, model::Protocol::kUdp);
  ASSERT_EQ(svc->frontends.size(), 2u);
  EXPECT_EQ(svc->frontends[0].address, ip("10.96.0.21"));
  EXPECT_EQ(svc->frontends[1].address, ip("fd00::21"));
  for (const auto& fe : svc->frontends) {
    EXPECT_EQ(fe.kind, FrontendKind::kClusterIp);
    EXPECT_EQ(fe.scope, Scope::kInternal);
    EXPECT_EQ(fe.port, 53);
  }
}

TEST(Frontends, OldObjectWithOnlyClusterIp) {
  // Written before dual-stack fields existed: clusterIP alone, no ipFamilies.
  auto snap = compileOne(
      serviceObject("default", "old", {{"clusterIP", "10.96.0.22"}, {"ports", {{{"port", 80}}}}}));
  const model::Service* svc = snap->find({"default", "old", ""});
  ASSERT_NE(svc, nullptr);
  ASSERT_EQ(svc->frontends.size(), 1u);
  EXPECT_EQ(svc->frontends[0].address, ip("10.96.0.22"));
  EXPECT_EQ(svc->protocol, model::Protocol::kTcp);  // protocol defaults to TCP
}

TEST(Frontends, NodePortAddsUnspecifiedExternalFrontendPerFamily) {
  struct Case {
    const char* name;
    Json families;
    Json cluster_ips;
    std::vector<model::IpAddress> node_addresses;
  };
  const Case cases[] = {
      {"v4", {"IPv4"}, {"10.96.0.30"}, {model::IpAddress::v4(0)}},
      {"v6", {"IPv6"}, {"fd00::30"}, {model::IpAddress()}},
      {"dual",
       {"IPv4", "IPv6"},
       {"10.96.0.30", "fd00::30"},
       {model::IpAddress::v4(0), model::IpAddress()}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto snap = compileOne(
        serviceObject("default", "np",
                      {{"type", "NodePort"},
                       {"clusterIPs", c.cluster_ips},
                       {"ipFamilies", c.families},
                       {"ports", {{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}}}}}));
    const model::Service* svc = snap->find({"default", "np", ""});
    ASSERT_NE(svc, nullptr);
    std::vector<model::IpAddress> node_addrs;
    for (const auto& fe : svc->frontends) {
      if (fe.kind != FrontendKind::kNodePort) continue;
      EXPECT_EQ(fe.scope, Scope::kExternal);
      EXPECT_EQ(fe.port, 30080);
      EXPECT_TRUE(fe.address.isUnspecified());
      node_addrs.push_back(fe.address);
    }
    EXPECT_EQ(node_addrs, c.node_addresses);
    EXPECT_EQ(svc->frontends.size(), c.node_addresses.size() * 2);  // + one cluster IP each
  }
}

TEST(Frontends, NodePortIgnoredForClusterIpType) {
  // A leftover nodePort on a ClusterIP Service opens nothing on the nodes.
  auto snap = compileOne(serviceObject("default", "c",
                                       {{"type", "ClusterIP"},
                                        {"clusterIPs", {"10.96.0.31"}},
                                        {"ports", {{{"port", 80}, {"nodePort", 30081}}}}}));
  const model::Service* svc = snap->find({"default", "c", ""});
  ASSERT_NE(svc, nullptr);
  ASSERT_EQ(svc->frontends.size(), 1u);
  EXPECT_EQ(svc->frontends[0].kind, FrontendKind::kClusterIp);
}

TEST(Frontends, LoadBalancerWithIngressExternalIpsAndNodePort) {
  Json status = {{"loadBalancer",
                  {{"ingress",
                    {{{"ip", "192.0.2.10"}},
                     {{"ip", "192.0.2.11"}, {"ipMode", "VIP"}},
                     {{"ip", "192.0.2.12"}, {"ipMode", "Proxy"}},  // skipped, KEP-1860
                     {{"hostname", "lb.example.com"}},             // DNS only
                     {{"ip", "2001:db8::1"}}}}}}};                 // other family: dropped
  auto snap = compileOne(
      serviceObject("shop", "front",
                    {{"type", "LoadBalancer"},
                     {"clusterIPs", {"10.96.0.40"}},
                     {"ipFamilies", {"IPv4"}},
                     {"externalIPs", {"198.51.100.7"}},
                     {"ports", {{{"name", "https"}, {"port", 443}, {"nodePort", 31443}}}}},
                    status));
  const model::Service* svc = snap->find({"shop", "front", "https"});
  ASSERT_NE(svc, nullptr);
  std::vector<model::Frontend> want = {
      {ip("10.96.0.40"), 443, FrontendKind::kClusterIp, Scope::kInternal},
      {model::IpAddress::v4(0), 31443, FrontendKind::kNodePort, Scope::kExternal},
      {ip("198.51.100.7"), 443, FrontendKind::kExternalIp, Scope::kExternal},
      {ip("192.0.2.10"), 443, FrontendKind::kLoadBalancerIp, Scope::kExternal},
      {ip("192.0.2.11"), 443, FrontendKind::kLoadBalancerIp, Scope::kExternal},
  };
  EXPECT_EQ(svc->frontends, want);
}

TEST(Frontends, LoadBalancerWithoutNodePorts) {
  // allocateLoadBalancerNodePorts: false leaves nodePort unset: no NodePort frontend.
  auto snap = compileOne(serviceObject("default", "lb",
                                       {{"type", "LoadBalancer"},
                                        {"allocateLoadBalancerNodePorts", false},
                                        {"clusterIPs", {"10.96.0.41"}},
                                        {"ports", {{{"port", 80}}}}}));
  const model::Service* svc = snap->find({"default", "lb", ""});
  ASSERT_NE(svc, nullptr);
  for (const auto& fe : svc->frontends) EXPECT_NE(fe.kind, FrontendKind::kNodePort);
}

TEST(Frontends, HeadlessExternalNameAndUnallocatedProduceNothing) {
  const Json cases[] = {
      serviceObject("default", "headless",
                    {{"clusterIP", "None"}, {"clusterIPs", {"None"}}, {"ports", {{{"port", 80}}}}}),
      serviceObject("default", "ext",
                    {{"type", "ExternalName"},
                     {"externalName", "db.example.com"},
                     {"ports", {{{"port", 5432}}}}}),
      serviceObject("default", "pending", {{"clusterIP", ""}, {"ports", {{{"port", 80}}}}}),
      serviceObject("default", "noip", {{"ports", {{{"port", 80}}}}}),
  };
  for (const Json& svc : cases) {
    SCOPED_TRACE(svc["metadata"]["name"].get<std::string>());
    EXPECT_EQ(compileOne(svc)->size(), 0u);
  }
}

TEST(Frontends, MultiPortServiceIsOneModelServicePerPort) {
  auto snap =
      compileOne(serviceObject("default", "multi",
                               {{"clusterIPs", {"10.96.0.50"}},
                                {"ports",
                                 {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}},
                                  {{"name", "https"}, {"port", 443}, {"protocol", "TCP"}},
                                  {{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                                  {{"name", "sig"}, {"port", 3868}, {"protocol", "SCTP"}}}}}));
  ASSERT_EQ(snap->size(), 4u);
  struct Want {
    const char* port_name;
    uint16_t port;
    model::Protocol protocol;
  };
  for (const Want& w :
       {Want{"http", 80, model::Protocol::kTcp}, Want{"https", 443, model::Protocol::kTcp},
        Want{"dns", 53, model::Protocol::kUdp}, Want{"sig", 3868, model::Protocol::kSctp}}) {
    SCOPED_TRACE(w.port_name);
    const model::Service* svc = snap->find({"default", "multi", w.port_name});
    ASSERT_NE(svc, nullptr);
    EXPECT_EQ(svc->protocol, w.protocol);
    ASSERT_EQ(svc->frontends.size(), 1u);
    EXPECT_EQ(svc->frontends[0].port, w.port);
  }
}

}  // namespace
}  // namespace ferry::agent
