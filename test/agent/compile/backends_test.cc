// Backends from EndpointSlices (SPEC-NOTES "Endpoints and EndpointSlices"; kube-proxy's
// endpointslicecache): port matching by name, conditions, merging and deduplication.
#include <gtest/gtest.h>

#include "compile_fixtures.h"

namespace ferry::agent {
namespace {

using model::BackendState;
using testing::backendStrings;
using testing::endpoint;
using testing::Json;
using testing::serviceObject;
using testing::sliceObject;
using testing::slicePort;

Json multiPortService() {
  return serviceObject("default", "web",
                       {{"clusterIPs", {"10.96.0.10"}},
                        {"ipFamilies", {"IPv4"}},
                        {"ports",
                         {{{"name", "http"}, {"port", 80}, {"targetPort", "web"}},
                          {{"name", "metrics"}, {"port", 9090}, {"targetPort", 9100}}}}});
}

TEST(Backends, NamedPortsPickTheirSlicePorts) {
  ServiceCompiler c;
  Json svc = multiPortService();
  c.applyService("default", "web", &svc);
  // Named targetPort "web" resolved per pod: 8080 on these pods.
  Json slice = sliceObject("default", "web-a", "web", "IPv4",
                           {slicePort("http", 8080), slicePort("metrics", 9100)},
                           {endpoint("10.0.1.1"), endpoint("10.0.1.2")});
  c.applyEndpointSlice("default", "web-a", &slice);
  auto snap = c.build();
  ASSERT_EQ(snap->size(), 2u);
  EXPECT_EQ(backendStrings(*snap->find({"default", "web", "http"})),
            (std::vector<std::string>{"10.0.1.1:8080", "10.0.1.2:8080"}));
  EXPECT_EQ(backendStrings(*snap->find({"default", "web", "metrics"})),
            (std::vector<std::string>{"10.0.1.1:9100", "10.0.1.2:9100"}));
  EXPECT_EQ(c.malformedCount(), 0u);
}

TEST(Backends, SlicesWithDifferentTargetPortsPerPodMerge) {
  // A named targetPort may resolve differently per pod: the controller writes one slice per
  // distinct port set, and the model service gets both.
  ServiceCompiler c;
  Json svc = multiPortService();
  c.applyService("default", "web", &svc);
  Json a = sliceObject("default", "web-a", "web", "IPv4", {slicePort("http", 8080)},
                       {endpoint("10.0.1.1")});
  Json b = sliceObject("default", "web-b", "web", "IPv4", {slicePort("http", 8081)},
                       {endpoint("10.0.1.2")});
  c.applyEndpointSlice("default", "web-a", &a);
  c.applyEndpointSlice("default", "web-b", &b);
  auto snap = c.build();
  EXPECT_EQ(backendStrings(*snap->find({"default", "web", "http"})),
            (std::vector<std::string>{"10.0.1.1:8080", "10.0.1.2:8081"}));
  EXPECT_TRUE(snap->find({"default", "web", "metrics"})->backends.empty());
}

TEST(Backends, UnnamedPortMatchesUnnamedSlicePortOnly) {
  ServiceCompiler c;
  Json svc = testing::simpleService("default", "one", "10.96.0.11");
  c.applyService("default", "one", &svc);
  Json slice = sliceObject("default", "one-a", "one", "IPv4",
                           {slicePort("", 8080), slicePort("other", 9999)}, {endpoint("10.0.2.1")});
  c.applyEndpointSlice("default", "one-a", &slice);
  EXPECT_EQ(backendStrings(*c.build()->find({"default", "one", ""})),
            (std::vector<std::string>{"10.0.2.1:8080"}));
}

TEST(Backends, PortProtocolMustMatch) {
  // kube-proxy keys endpoints by (port name, protocol).
  ServiceCompiler c;
  Json svc = serviceObject("default", "dns",
                           {{"clusterIPs", {"10.96.0.10"}},
                            {"ports",
                             {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"}},
                              {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"}}}}});
  c.applyService("kube-system", "dns", &svc);
  Json slice = sliceObject("kube-system", "dns-a", "dns", "IPv4",
                           {slicePort("dns", 53, "TCP"), slicePort("dns-tcp", 53, "TCP")},
                           {endpoint("10.0.3.1")});
  c.applyEndpointSlice("kube-system", "dns-a", &slice);
  auto snap = c.build();
  EXPECT_TRUE(snap->find({"kube-system", "dns", "dns"})->backends.empty());
  EXPECT_EQ(snap->find({"kube-system", "dns", "dns-tcp"})->backends.size(), 1u);
}

TEST(Backends, ConditionsMapToStates) {
  struct Case {
    const char* name;
    Json conditions;
    BackendState want;
  };
  const Case cases[] = {
      {"all nil = ready", Json::object(), BackendState::kReady},
      {"ready", {{"ready", true}}, BackendState::kReady},
      {"ready, serving nil", {{"ready", true}, {"terminating", false}}, BackendState::kReady},
      {"not ready, serving nil = not serving", {{"ready", false}}, BackendState::kNotReady},
      {"not ready but serving, not terminating",
       {{"ready", false}, {"serving", true}},
       BackendState::kNotReady},
      {"serving terminating",
       {{"ready", false}, {"serving", true}, {"terminating", true}},
       BackendState::kServingTerminating},
      {"terminating, serving nil = ready = false",
       {{"ready", false}, {"terminating", true}},
       BackendState::kTerminating},
      {"terminating not serving",
       {{"ready", false}, {"serving", false}, {"terminating", true}},
       BackendState::kTerminating},
      {"null conditions = defaults",
       {{"ready", nullptr}, {"serving", nullptr}},
       BackendState::kReady},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ServiceCompiler c;
    Json svc = testing::simpleService("default", "s", "10.96.0.12");
    c.applyService("default", "s", &svc);
    Json slice = sliceObject("default", "s-a", "s", "IPv4", {slicePort("", 80)},
                             {endpoint("10.0.4.1", tc.conditions)});
    c.applyEndpointSlice("default", "s-a", &slice);
    const model::Service* out = c.build()->find({"default", "s", ""});
    ASSERT_NE(out, nullptr);
    ASSERT_EQ(out->backends.size(), 1u);
    EXPECT_EQ(out->backends[0].state, tc.want);
    EXPECT_EQ(c.malformedCount(), 0u);
  }
}

TEST(Backends, NodeAndZoneRecorded) {
  CompilerOptions opts;
  opts.node_name = "node-a";
  ServiceCompiler c(opts);
  Json svc = testing::simpleService("default", "s", "10.96.0.12");
  c.applyService("default", "s", &svc);
  Json slice = sliceObject(
      "default", "s-a", "s", "IPv4", {slicePort("", 80)},
      {endpoint("10.0.4.1", {}, "node-a", "zone-1"), endpoint("10.0.4.2", {}, "node-b")});
  c.applyEndpointSlice("default", "s-a", &slice);
  // node-b's zone comes from its Node object when the slice leaves it out.
  Json node = {
      {"metadata", {{"name", "node-b"}, {"labels", {{"topology.kubernetes.io/zone", "zone-2"}}}}}};
  c.applyNode("node-b", &node);
  const model::Service* out = c.build()->find({"default", "s", ""});
  ASSERT_EQ(out->backends.size(), 2u);
  EXPECT_EQ(out->backends[0].node, "node-a");
  EXPECT_EQ(out->backends[0].zone, "zone-1");
  EXPECT_EQ(out->backends[1].node, "node-b");
  EXPECT_EQ(out->backends[1].zone, "zone-2");
  EXPECT_EQ(out->backends[0].weight, 1u);
}

TEST(Backends, DuplicatesAcrossSlicesAppearOnceReadyWins) {
  ServiceCompiler c;
  Json svc = testing::simpleService("default", "s", "10.96.0.12");
  c.applyService("default", "s", &svc);
  // The same pod in two slices (mid-move between slices): once, in its best state.
  Json a = sliceObject("default", "s-a", "s", "IPv4", {slicePort("", 80)},
                       {endpoint("10.0.5.1", {{"ready", false}}), endpoint("10.0.5.2")});
  Json b = sliceObject("default", "s-b", "s", "IPv4", {slicePort("", 80)},
                       {endpoint("10.0.5.1", {{"ready", true}}), endpoint("10.0.5.3")});
  c.applyEndpointSlice("default", "s-a", &a);
  c.applyEndpointSlice("default", "s-b", &b);
  const model::Service* out = c.build()->find({"default", "s", ""});
  EXPECT_EQ(backendStrings(*out),
            (std::vector<std::string>{"10.0.5.1:80", "10.0.5.2:80", "10.0.5.3:80"}));
  EXPECT_EQ(out->backends[0].state, BackendState::kReady);
}

TEST(Backends, AddressFamilyFollowsTheService) {
  Json v6_slice =
      sliceObject("default", "s-v6", "s", "IPv6", {slicePort("", 80)}, {endpoint("fd00:1::1")});
  Json v4_slice =
      sliceObject("default", "s-v4", "s", "IPv4", {slicePort("", 80)}, {endpoint("10.0.6.1")});
  Json fqdn_slice = sliceObject("default", "s-fqdn", "s", "FQDN", {slicePort("", 80)},
                                {endpoint("db.example.com")});
  struct Case {
    const char* name;
    Json families;
    Json cluster_ips;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {"v4 only", {"IPv4"}, {"10.96.0.13"}, {"10.0.6.1:80"}},
      {"v6 only", {"IPv6"}, {"fd00::13"}, {"fd00:1::1:80"}},
      {"dual", {"IPv4", "IPv6"}, {"10.96.0.13", "fd00::13"}, {"10.0.6.1:80", "fd00:1::1:80"}},
  };
  for (const Case& tc : cases) {
    SCOPED_TRACE(tc.name);
    ServiceCompiler c;
    Json svc = serviceObject(
        "default", "s",
        {{"clusterIPs", tc.cluster_ips}, {"ipFamilies", tc.families}, {"ports", {{{"port", 80}}}}});
    c.applyService("default", "s", &svc);
    c.applyEndpointSlice("default", "s-v6", &v6_slice);
    c.applyEndpointSlice("default", "s-v4", &v4_slice);
    c.applyEndpointSlice("default", "s-fqdn", &fqdn_slice);
    EXPECT_EQ(backendStrings(*c.build()->find({"default", "s", ""})), tc.want);
    EXPECT_EQ(c.malformedCount(), 0u);  // FQDN slices are ignored, not malformed
  }
}

TEST(Backends, SlicesOfOtherServicesOrNamespacesIgnored) {
  ServiceCompiler c;
  Json svc = testing::simpleService("default", "s", "10.96.0.12");
  c.applyService("default", "s", &svc);
  Json other_ns =
      sliceObject("prod", "s-a", "s", "IPv4", {slicePort("", 80)}, {endpoint("10.0.7.1")});
  Json unlabelled =
      sliceObject("default", "x", "", "IPv4", {slicePort("", 80)}, {endpoint("10.0.7.2")});
  c.applyEndpointSlice("prod", "s-a", &other_ns);
  c.applyEndpointSlice("default", "x", &unlabelled);
  EXPECT_TRUE(c.build()->find({"default", "s", ""})->backends.empty());
}

TEST(Backends, SlicesWithoutServiceProduceNothing) {
  ServiceCompiler c;
  Json slice = sliceObject("default", "orphan-a", "orphan", "IPv4", {slicePort("", 80)},
                           {endpoint("10.0.8.1")});
  c.applyEndpointSlice("default", "orphan-a", &slice);
  EXPECT_EQ(c.build()->size(), 0u);
  // ...until the Service appears.
  Json svc = testing::simpleService("default", "orphan", "10.96.0.14");
  c.applyService("default", "orphan", &svc);
  EXPECT_EQ(c.build()->find({"default", "orphan", ""})->backends.size(), 1u);
}

}  // namespace
}  // namespace ferry::agent
