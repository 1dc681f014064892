// ferry-controlplane killed with SIGKILL at random points while a client writes: after each
// restart every acknowledged write is there, at the resourceVersion it was acknowledged with,
// and resourceVersions never go backwards.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "controlplane_fixture.h"
#include "https_client.h"

namespace ferry::testing {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

std::string adminToken(const std::string& dir) {
  std::ifstream in(dir + "/tokens.csv");
  std::string line;
  std::getline(in, line);
  return line.substr(0, line.find(','));
}

TEST(ControlPlaneCrash, AcknowledgedWritesSurviveSigkill) {
  ControlPlane cp;
  const std::string token = adminToken(cp.dir());
  const std::string ca = cp.dir() + "/pki/ca.crt";
  std::map<std::string, int64_t> acked;  // configmap name -> acknowledged resourceVersion
  int64_t highest_rv = 0;
  std::mt19937 rng(std::random_device{}());
  constexpr int kKills = 20;

  for (int round = 0; round < kKills; ++round) {
    std::atomic<bool> stop{false};
    std::vector<std::pair<std::string, int64_t>> round_acks;
    std::thread writer([&] {
      HttpsClient client("127.0.0.1", cp.port(), token, ca);
      for (int n = 0; !stop && n < 100000; ++n) {
        std::string name = "cm-" + std::to_string(round) + "-" + std::to_string(n);
        json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"n", std::to_string(n)}}}};
        auto res = client.request(http::verb::post, "/api/v1/namespaces/default/configmaps", cm.dump());
        if (res.status != 201) break;  // the server is gone
        auto body = json::parse(res.body, nullptr, false);
        round_acks.emplace_back(name, std::stoll(body["metadata"]["resourceVersion"].get<std::string>()));
      }
    });
    // The kill point: a random moment while writes are in flight (not a readiness wait).
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(30, 250)(rng)));
    cp.stop(SIGKILL);
    stop = true;
    writer.join();
    for (auto& [name, rv] : round_acks) acked[name] = rv;
    for (auto& [name, rv] : round_acks) highest_rv = std::max(highest_rv, rv);

    cp.start();
    ASSERT_FALSE(::testing::Test::HasFatalFailure()) << "restart " << round;
    HttpsClient client("127.0.0.1", cp.port(), token, ca);
    auto list = client.request(http::verb::get, "/api/v1/namespaces/default/configmaps");
    ASSERT_EQ(list.status, 200) << list.body;
    auto doc = json::parse(list.body);
    const int64_t list_rv = std::stoll(doc["metadata"]["resourceVersion"].get<std::string>());
    EXPECT_GE(list_rv, highest_rv) << "resourceVersion went backwards after restart " << round;
    std::map<std::string, int64_t> present;
    for (const auto& item : doc["items"])
      present[item["metadata"]["name"]] = std::stoll(item["metadata"]["resourceVersion"].get<std::string>());
    size_t missing = 0;
    for (const auto& [name, rv] : acked) {
      auto it = present.find(name);
      if (it == present.end()) {
        ++missing;
        ADD_FAILURE() << "acknowledged " << name << " (rv " << rv << ") lost at restart " << round;
      } else {
        EXPECT_EQ(it->second, rv) << name;
      }
      if (missing > 5) break;
    }
  }
  EXPECT_GT(acked.size(), static_cast<size_t>(kKills)) << "the writer must have made progress";
  RecordProperty("acknowledged_writes", std::to_string(acked.size()));
}

}  // namespace
}  // namespace ferry::testing
