// ferry-dns following the real control plane's feed: a Service created through the REST API
// becomes resolvable, a change of its EndpointSlices shows in headless answers, and a delete
// turns into NXDOMAIN, each observed with dig against the real binary.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "controlplane_fixture.h"
#include "dns_process.h"
#include "https_client.h"

namespace ferry::dns::testing {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;

std::string adminToken(const std::string& dir) {
  std::ifstream in(dir + "/tokens.csv");
  for (std::string line; std::getline(in, line);)
    if (line.find("system:masters") != std::string::npos) return line.substr(0, line.find(','));
  return {};
}

template <class Pred>
bool eventually(Pred pred) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(50));  // polling a condition, with a deadline
  }
  return pred();
}

TEST(DnsFromFeed, ServicesAppearChangeAndDisappear) {
  ferry::testing::ControlPlane cp;
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  ferry::testing::HttpsClient admin("127.0.0.1", cp.port(), adminToken(cp.dir()),
                                    cp.dir() + "/pki/ca.crt");
  auto created = admin.request(http::verb::post, "/api/v1/namespaces/default/services",
                               json{{"apiVersion", "v1"},
                                    {"kind", "Service"},
                                    {"metadata", {{"name", "web"}}},
                                    {"spec", {{"ports", {{{"port", 80}}}}}}}
                                   .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string vip = json::parse(created.body)["spec"]["clusterIP"];

  DnsProcess dns("zone: cluster.local\n",
                 {"--kubeconfig", cp.dir() + "/agent.kubeconfig", "--feed-address",
                  "127.0.0.1:" + std::to_string(cp.feedPort())});
  EXPECT_TRUE(eventually([&] {
    return dig(dns.port(), {"+short", "web.default.svc.cluster.local", "A"}) == vip + "\n";
  })) << dig(dns.port(), {"web.default.svc.cluster.local", "A"});

  // Headless: answers follow the EndpointSlice as it changes.
  ASSERT_EQ(admin
                .request(http::verb::post, "/api/v1/namespaces/default/services",
                         json{{"apiVersion", "v1"},
                              {"kind", "Service"},
                              {"metadata", {{"name", "db"}}},
                              {"spec", {{"clusterIP", "None"}, {"ports", {{{"port", 5432}}}}}}}
                             .dump())
                .status,
            201);
  json slice = {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata", {{"name", "db-1"}, {"labels", {{"kubernetes.io/service-name", "db"}}}}},
      {"addressType", "IPv4"},
      {"endpoints", {{{"addresses", {"10.244.1.7"}}, {"conditions", {{"ready", true}}}}}},
      {"ports", {{{"port", 5432}}}}};
  ASSERT_EQ(
      admin
          .request(http::verb::post, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                   slice.dump())
          .status,
      201);
  EXPECT_TRUE(eventually([&] {
    return dig(dns.port(), {"+short", "db.default.svc.cluster.local", "A"}) == "10.244.1.7\n";
  }));
  ASSERT_EQ(
      admin
          .request(http::verb::patch,
                   "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/db-1",
                   json{{"endpoints",
                         {{{"addresses", {"10.244.1.8"}}, {"conditions", {{"ready", true}}}}}}}
                       .dump(),
                   "application/merge-patch+json")
          .status,
      200);
  EXPECT_TRUE(eventually([&] {
    return dig(dns.port(), {"+short", "db.default.svc.cluster.local", "A"}) == "10.244.1.8\n";
  }));

  ASSERT_EQ(admin.request(http::verb::delete_, "/api/v1/namespaces/default/services/web").status,
            200);
  EXPECT_TRUE(eventually([&] {
    return dig(dns.port(), {"web.default.svc.cluster.local", "A"}).find("status: NXDOMAIN") !=
           std::string::npos;
  }));
}

}  // namespace
}  // namespace ferry::dns::testing
