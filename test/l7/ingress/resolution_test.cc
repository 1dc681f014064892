// Backends resolved through the shared model (agent::ServiceCompiler): port by number and by
// name, ready endpoints, empty vs unknown, Maglev tables, reuse across configs.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ferry/ingress/ingress_config.h"
#include "ferry/model/maglev.h"
#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendNamed;
using testing::backendPort;
using testing::endpoint;
using testing::Harness;
using testing::httpPath;
using testing::ingressObject;
using testing::Json;
using testing::rule;
using testing::serviceObject;
using testing::servicePort;
using testing::sliceObject;
using testing::slicePort;

std::string text(const Endpoint& e) {
  return e.address.toString() + ":" + std::to_string(e.port);
}

std::vector<std::string> texts(const ResolvedBackend& b) {
  std::vector<std::string> out;
  for (const Endpoint& e : b.endpoints) out.push_back(text(e));
  return out;
}

// Service "web" in "shop": port http 80 -> 8080, port admin 9000 -> 9090; two ready endpoints
// and one not ready.
void addWeb(Harness& h) {
  ASSERT_TRUE(h.apply("Service", serviceObject("shop", "web", "10.96.0.10",
                                               {servicePort("http", 80, 8080),
                                                servicePort("admin", 9000, 9090)}))
                  .ok());
  ASSERT_TRUE(h.apply("EndpointSlice",
                      sliceObject("shop", "web-abc", "web",
                                  {slicePort("http", 8080), slicePort("admin", 9090)},
                                  {endpoint("10.244.1.5"), endpoint("10.244.2.7"),
                                   endpoint("10.244.3.9", /*ready=*/false, /*serving=*/false)}))
                  .ok());
}

// One Ingress "shop/front" with host front.com and the given paths.
Json front(Json paths, Json annotations = Json::object()) {
  return ingressObject("shop", "front", {{"rules", {rule("front.com", std::move(paths))}}},
                       testing::kT0, std::move(annotations));
}

const ResolvedBackend& resolvedFor(const IngressConfig& config, std::string_view path) {
  RouteMatch m = config.routes().match("front.com", path);
  EXPECT_TRUE(m) << path;
  static const ResolvedBackend kNone;
  return m ? config.backend(*m.backend) : kNone;
}

TEST(Resolution, PortByNumberAndByNameReachTheTargetPorts) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/num", "Prefix", backendPort("web", 80)),
                                        httpPath("/name", "Prefix", backendNamed("web", "http")),
                                        httpPath("/admin", "Prefix", backendPort("web", 9000))}))
                  .ok());
  auto config = h.build();
  const std::vector<std::string> http = {"10.244.1.5:8080", "10.244.2.7:8080"};
  const ResolvedBackend& by_number = resolvedFor(*config, "/num");
  EXPECT_EQ(by_number.status, ResolveStatus::kResolved);
  EXPECT_TRUE(by_number.routable());
  EXPECT_EQ(texts(by_number), http) << "the not-ready endpoint is left out";
  EXPECT_EQ(texts(resolvedFor(*config, "/name")), http);
  EXPECT_EQ(texts(resolvedFor(*config, "/admin")),
            (std::vector<std::string>{"10.244.1.5:9090", "10.244.2.7:9090"}));
  EXPECT_FALSE(by_number.terminating_fallback);
  ASSERT_NE(by_number.service, nullptr);
  EXPECT_EQ(by_number.service->name.port, "http");
}

TEST(Resolution, UnknownPortOrServiceAreNotEmptyEndpoints) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(
      h.apply("Service", serviceObject("shop", "idle", "10.96.0.11", {servicePort("", 80, 8080)}))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/badnum", "Prefix", backendPort("web", 81)),
                                        httpPath("/badname", "Prefix", backendNamed("web", "x")),
                                        httpPath("/nosvc", "Prefix", backendPort("gone", 80)),
                                        httpPath("/idle", "Prefix", backendPort("idle", 80))}))
                  .ok());
  auto config = h.build();
  EXPECT_EQ(resolvedFor(*config, "/badnum").status, ResolveStatus::kPortUnknown);
  EXPECT_EQ(resolvedFor(*config, "/badname").status, ResolveStatus::kPortUnknown);
  EXPECT_EQ(resolvedFor(*config, "/nosvc").status, ResolveStatus::kServiceUnknown);
  const ResolvedBackend& idle = resolvedFor(*config, "/idle");
  EXPECT_EQ(idle.status, ResolveStatus::kResolved) << "known Service, no slices yet";
  EXPECT_TRUE(idle.endpoints.empty());
  EXPECT_FALSE(idle.routable());
  for (const char* path : {"/badnum", "/badname", "/nosvc"}) {
    EXPECT_FALSE(resolvedFor(*config, path).routable()) << path;
    EXPECT_TRUE(resolvedFor(*config, path).endpoints.empty()) << path;
  }
}

TEST(Resolution, BackendsLiveInTheIngressNamespace) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(
      h.apply(
           "Ingress",
           ingressObject(
               "other", "i",
               {{"rules", {rule("front.com", {httpPath("/", "Prefix", backendPort("web", 80))})}}}))
          .ok());
  auto config = h.build();
  EXPECT_EQ(resolvedFor(*config, "/").status, ResolveStatus::kServiceUnknown);
}

TEST(Resolution, NoReadyEndpointIsEmptyThenFillsIn) {
  Harness h;
  ASSERT_TRUE(h.apply("Service",
                      serviceObject("shop", "web", "10.96.0.10", {servicePort("http", 80, 8080)}))
                  .ok());
  ASSERT_TRUE(
      h.apply("EndpointSlice", sliceObject("shop", "web-1", "web", {slicePort("http", 8080)},
                                           {endpoint("10.244.1.5", false, false)}))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))})).ok());
  auto config = h.build();
  EXPECT_EQ(resolvedFor(*config, "/").status, ResolveStatus::kResolved);
  EXPECT_TRUE(resolvedFor(*config, "/").endpoints.empty());
  ASSERT_TRUE(
      h.apply("EndpointSlice", sliceObject("shop", "web-1", "web", {slicePort("http", 8080)},
                                           {endpoint("10.244.1.5")}))
          .ok());
  auto next = h.build();
  EXPECT_NE(next, config);
  EXPECT_GT(next->version(), config->version());
  EXPECT_EQ(texts(resolvedFor(*next, "/")), std::vector<std::string>{"10.244.1.5:8080"});
  EXPECT_TRUE(resolvedFor(*config, "/").endpoints.empty()) << "the old config is immutable";
}

TEST(Resolution, ServingTerminatingEndpointsWhenNoneIsReady) {
  Harness h;
  ASSERT_TRUE(h.apply("Service",
                      serviceObject("shop", "web", "10.96.0.10", {servicePort("http", 80, 8080)}))
                  .ok());
  ASSERT_TRUE(
      h.apply("EndpointSlice", sliceObject("shop", "web-1", "web", {slicePort("http", 8080)},
                                           {endpoint("10.244.1.5", false, true, true),
                                            endpoint("10.244.1.6", false, false, true)}))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))})).ok());
  const ResolvedBackend& b = resolvedFor(*h.build(), "/");
  EXPECT_EQ(texts(b), std::vector<std::string>{"10.244.1.5:8080"});
  EXPECT_TRUE(b.terminating_fallback);
}

TEST(Resolution, HeadlessServiceIsUnknownToTheModel) {
  // The compiler does not model headless Services (kube-proxy's ShouldSkipService), so ingress
  // cannot route to them yet: documented in README.md.
  Harness h;
  ASSERT_TRUE(
      h.apply("Service", serviceObject("shop", "db", "", {servicePort("", 80, 8080)}, "None"))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("db", 80))})).ok());
  EXPECT_EQ(resolvedFor(*h.build(), "/").status, ResolveStatus::kServiceUnknown);
}

TEST(Resolution, MaglevTableWhenAnnotated) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))},
                                       {{"ferry.io/load-balance", "maglev"}}))
                  .ok());
  const ResolvedBackend& b = resolvedFor(*h.build(), "/");
  EXPECT_EQ(b.load_balance, LoadBalance::kMaglev);
  ASSERT_NE(b.maglev, nullptr);
  EXPECT_EQ(b.maglev->slots.size(), model::kMaglevDefaultSize);
  std::set<uint32_t> values(b.maglev->slots.begin(), b.maglev->slots.end());
  EXPECT_EQ(values, (std::set<uint32_t>{1, 2})) << "every slot names one of the two endpoints";
  std::set<std::string> picked;
  for (uint64_t hash = 0; hash < 64; ++hash) {
    const Endpoint* e = b.maglevPick(hash * 0x9e3779b97f4a7c15ull);
    ASSERT_NE(e, nullptr);
    picked.insert(text(*e));
  }
  EXPECT_EQ(picked.size(), 2u);
}

TEST(Resolution, NoMaglevTableForOtherBalancingOrNoEndpoints) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(
      h.apply("Service", serviceObject("shop", "idle", "10.96.0.11", {servicePort("", 80, 8080)}))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))},
                                       {{"ferry.io/load-balance", "least-request"}}))
                  .ok());
  ASSERT_TRUE(
      h.apply(
           "Ingress",
           ingressObject(
               "shop", "idle",
               {{"rules", {rule("idle.com", {httpPath("/", "Prefix", backendPort("idle", 80))})}}},
               testing::kT0, {{"ferry.io/load-balance", "maglev"}}))
          .ok());
  auto config = h.build();
  const ResolvedBackend& b = resolvedFor(*config, "/");
  EXPECT_EQ(b.load_balance, LoadBalance::kLeastRequest);
  EXPECT_EQ(b.maglev, nullptr);
  EXPECT_EQ(b.maglevPick(1), nullptr);
  const ResolvedBackend& idle = config->backend(*config->routes().match("idle.com", "/").backend);
  EXPECT_EQ(idle.maglev, nullptr);
}

TEST(Resolution, UnchangedBackendsAreSharedBetweenConfigs) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(
      h.apply("Service", serviceObject("shop", "api", "10.96.0.12", {servicePort("", 80, 8081)}))
          .ok());
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80)),
                                        httpPath("/api", "Prefix", backendPort("api", 80))}))
                  .ok());
  auto first = h.build();
  EXPECT_EQ(h.build(), first) << "nothing changed: the same config";
  // An unrelated Ingress: routes change, both resolutions are reused.
  ASSERT_TRUE(
      h.apply(
           "Ingress",
           ingressObject(
               "shop", "other",
               {{"rules", {rule("other.com", {httpPath("/", "Prefix", backendPort("web", 80))})}}}))
          .ok());
  auto second = h.build();
  ASSERT_NE(second, first);
  auto idOf = [](const IngressConfig& c, std::string_view path) {
    return c.routes().match("front.com", path).backend->id;
  };
  EXPECT_EQ(second->backendPtr(idOf(*second, "/")), first->backendPtr(idOf(*first, "/")));
  EXPECT_EQ(second->backendPtr(idOf(*second, "/api")), first->backendPtr(idOf(*first, "/api")));
  // web's endpoints change: its resolution is new, api's still shared.
  ASSERT_TRUE(
      h.apply("EndpointSlice", sliceObject("shop", "web-abc", "web", {slicePort("http", 8080)},
                                           {endpoint("10.244.9.9")}))
          .ok());
  auto third = h.build();
  EXPECT_NE(third->backendPtr(idOf(*third, "/")), second->backendPtr(idOf(*second, "/")));
  EXPECT_EQ(texts(*third->backendPtr(idOf(*third, "/"))),
            std::vector<std::string>{"10.244.9.9:8080"});
  EXPECT_EQ(third->backendPtr(idOf(*third, "/api")), second->backendPtr(idOf(*second, "/api")));
}

TEST(Resolution, BackendOptionsComeFromTheIngressAnnotations) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))},
                                       {{"ferry.io/proxy-body-size", "8m"},
                                        {"ferry.io/upstream-timeout", "15"}}))
                  .ok());
  auto config = h.build();
  const Backend* b = config->routes().match("front.com", "/").backend;
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->options.max_body_bytes, 8u << 20);
  EXPECT_EQ(b->options.upstream_timeout_s, 15u);
  EXPECT_EQ(b->options.load_balance, LoadBalance::kRoundRobin);
  EXPECT_EQ(b->ingress_ns, "shop");
  EXPECT_EQ(b->ingress_name, "front");
}

TEST(Resolution, ServicesAndSlicesRemovedThroughTheBuilder) {
  Harness h;
  addWeb(h);
  ASSERT_TRUE(h.apply("Ingress", front({httpPath("/", "Prefix", backendPort("web", 80))})).ok());
  EXPECT_TRUE(resolvedFor(*h.build(), "/").routable());
  EXPECT_TRUE(h.builder().remove("EndpointSlice", "shop", "web-abc"));
  const ResolvedBackend& empty = resolvedFor(*h.build(), "/");
  EXPECT_EQ(empty.status, ResolveStatus::kResolved);
  EXPECT_TRUE(empty.endpoints.empty());
  EXPECT_TRUE(h.builder().remove("Service", "shop", "web"));
  EXPECT_EQ(resolvedFor(*h.build(), "/").status, ResolveStatus::kServiceUnknown);
}

}  // namespace
}  // namespace ferry::ingress
