// Which Ingresses need status.loadBalancer.ingress written, and the patch body.
#include <gtest/gtest.h>

#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendPort;
using testing::Harness;
using testing::ingressObject;
using testing::Json;

Json withStatus(const std::string& name, const std::string& class_name, Json status_ingress) {
  Json object = ingressObject(
      "ns", name, {{"defaultBackend", backendPort("s", 80)}, {"ingressClassName", class_name}});
  if (!status_ingress.is_null()) {
    object["status"] = {{"loadBalancer", {{"ingress", std::move(status_ingress)}}}};
  }
  return object;
}

TEST(Status, OursWithoutOrWithOtherAddressesAreUpdated) {
  Harness h;
  ASSERT_TRUE(h.apply("IngressClass", testing::ingressClass("nginx", "k8s.io/ingress-nginx")).ok());
  ASSERT_TRUE(h.apply("Ingress", withStatus("fresh", "ferry", nullptr)).ok());
  ASSERT_TRUE(h.apply("Ingress",
                      withStatus("done", "ferry", {{{"ip", "192.0.2.2"}}, {{"ip", "192.0.2.1"}}}))
                  .ok());
  ASSERT_TRUE(h.apply("Ingress", withStatus("stale", "ferry", {{{"ip", "198.51.100.1"}}})).ok());
  ASSERT_TRUE(h.apply("Ingress",
                      withStatus("moved", "nginx", {{{"ip", "192.0.2.1"}}, {{"ip", "192.0.2.2"}}}))
                  .ok());
  ASSERT_TRUE(h.apply("Ingress", withStatus("theirs", "nginx", {{{"ip", "203.0.113.9"}}})).ok());
  const std::vector<LoadBalancerIngress> ours = {{"192.0.2.1", ""}, {"192.0.2.2", ""}};
  std::vector<StatusUpdate> updates = h.builder().statusUpdates(ours);
  ASSERT_EQ(updates.size(), 3u);
  EXPECT_EQ(updates[0], (StatusUpdate{"ns", "fresh", ours}));
  EXPECT_EQ(updates[1], (StatusUpdate{"ns", "moved", {}})) << "no longer ours: cleared";
  EXPECT_EQ(updates[2], (StatusUpdate{"ns", "stale", ours}));
}

TEST(Status, NothingToDoOnceWritten) {
  Harness h;
  ASSERT_TRUE(
      h.apply("Ingress", withStatus("a", "ferry", {{{"hostname", "lb.example.com"}}})).ok());
  EXPECT_TRUE(h.builder().statusUpdates({{"", "lb.example.com"}}).empty());
  EXPECT_EQ(h.builder().statusUpdates({}).size(), 1u) << "no addresses: clear ours";
}

TEST(Status, PatchBody) {
  StatusUpdate update{"ns", "a", {{"192.0.2.1", ""}, {"", "lb.example.com"}}};
  EXPECT_EQ(statusPatch(update),
            Json::parse(R"({"status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.1"},)"
                        R"({"hostname":"lb.example.com"}]}}})"));
  EXPECT_EQ(statusPatch({"ns", "a", {}}),
            Json::parse(R"({"status":{"loadBalancer":{"ingress":[]}}})"));
}

}  // namespace
}  // namespace ferry::ingress
