// The endpoint controllers running inside the real ferry-controlplane: Services, Pods and
// Endpoints written through the REST API make EndpointSlices and Endpoints appear and follow
// the pods. Every wait is a watch with a deadline.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "controlplane_fixture.h"
#include "https_client.h"
#include "watch_stream.h"

namespace ferry::testing {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;
using Objects = std::map<std::string, json>;  // by metadata.name

constexpr auto kDeadline = std::chrono::seconds(15);
const std::string kPods = "/api/v1/namespaces/default/pods";
const std::string kServices = "/api/v1/namespaces/default/services";
const std::string kEndpoints = "/api/v1/namespaces/default/endpoints";
const std::string kSlices = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";

std::string adminToken(const std::string& dir) {
  std::ifstream in(dir + "/tokens.csv");
  std::string line;
  std::getline(in, line);
  return line.substr(0, line.find(','));
}

std::string slicesOf(const std::string& service) {
  return kSlices + "?labelSelector=kubernetes.io%2Fservice-name%3D" + service;
}

json pod(const std::string& name, const std::string& ip, bool ready, int http_port = 8080) {
  return {
      {"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
      {"spec",
       {{"nodeName", "node-a"},
        {"containers",
         {{{"name", "app"},
           {"image", "registry.example/app:1"},
           {"ports", {{{"name", "http"}, {"containerPort", http_port}, {"protocol", "TCP"}}}}}}}}},
      {"status",
       {{"phase", "Running"},
        {"podIP", ip},
        {"podIPs", {{{"ip", ip}}}},
        {"conditions", {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}}}}}};
}

json service(const std::string& name, json target_port) {
  return {
      {"metadata", {{"name", name}}},
      {"spec",
       {{"selector", {{"app", "web"}}},
        {"ports",
         {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", target_port}}}}}}};
}

// address -> the endpoint, with the port numbers of its slice under "_ports".
std::map<std::string, json> endpointsByAddress(const Objects& slices) {
  std::map<std::string, json> out;
  for (const auto& [name, slice] : slices) {
    if (!slice.contains("endpoints") || !slice["endpoints"].is_array()) continue;
    for (json ep : slice["endpoints"]) {
      ep["_ports"] = json::array();
      if (slice.contains("ports") && slice["ports"].is_array()) {
        for (const auto& p : slice["ports"]) ep["_ports"].push_back(p.value("port", 0));
      }
      ep["_slice"] = name;
      for (const auto& a : ep["addresses"]) out[a.get<std::string>()] = ep;
    }
  }
  return out;
}

bool condition(const json& endpoint, const char* name) {
  return endpoint.contains("conditions") && endpoint["conditions"].value(name, false);
}

// Ready / not-ready addresses of an Endpoints object.
std::pair<std::set<std::string>, std::set<std::string>> addressesOf(const json& endpoints) {
  std::set<std::string> ready, not_ready;
  for (const auto& subset : endpoints.value("subsets", json::array())) {
    for (const auto& a : subset.value("addresses", json::array())) ready.insert(a["ip"]);
    for (const auto& a : subset.value("notReadyAddresses", json::array()))
      not_ready.insert(a["ip"]);
  }
  return {ready, not_ready};
}

class EndpointControllerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(HasFatalFailure());
    client_ = std::make_unique<HttpsClient>("127.0.0.1", cp_.port(), adminToken(cp_.dir()),
                                            cp_.dir() + "/pki/ca.crt");
    // Pods on unknown nodes are left out (kube 1.28+), so the pods' node exists, in a zone.
    create("/api/v1/nodes",
           {{"metadata",
             {{"name", "node-a"}, {"labels", {{"topology.kubernetes.io/zone", "zone-a"}}}}}});
  }

  json create(const std::string& path, const json& body) {
    auto res = client_->request(http::verb::post, path, body.dump());
    EXPECT_EQ(res.status, 201) << path << ": " << res.body;
    return json::parse(res.body, nullptr, false);
  }

  json get(const std::string& path) {
    auto res = client_->request(http::verb::get, path);
    EXPECT_EQ(res.status, 200) << path << ": " << res.body;
    return json::parse(res.body, nullptr, false);
  }

  void setReady(const std::string& pod_name, bool ready) {
    json p = get(kPods + "/" + pod_name);
    p["status"]["conditions"] = {{{"type", "Ready"}, {"status", ready ? "True" : "False"}}};
    auto res = client_->request(http::verb::put, kPods + "/" + pod_name + "/status", p.dump());
    ASSERT_EQ(res.status, 200) << res.body;
  }

  std::unique_ptr<WatchStream> watch(const std::string& path) {
    auto w = std::make_unique<WatchStream>(cp_.port(), adminToken(cp_.dir()),
                                           cp_.dir() + "/pki/ca.crt", path);
    EXPECT_EQ(w->status(), 200);
    return w;
  }

  // Lists `path`, then follows its watch until `done` holds for the objects, or fails once
  // kDeadline passed. Returns the objects it last saw.
  Objects waitFor(const std::string& path, const std::function<bool(const Objects&)>& done,
                  const std::string& what) {
    Objects objects;
    json list = get(path);
    for (const auto& item : list.value("items", json::array()))
      objects[item["metadata"]["name"]] = item;
    if (done(objects)) return objects;
    const std::string rv = list["metadata"].value("resourceVersion", "");
    auto w =
        watch(path + (path.find('?') == std::string::npos ? "?" : "&") + "resourceVersion=" + rv);
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      auto ev = w->next(left);
      if (!ev) break;
      const std::string type = ev->value("type", "");
      const json& obj = (*ev)["object"];
      if (type == "ERROR") {
        ADD_FAILURE() << "watch error: " << obj.dump();
        break;
      }
      if (type == "DELETED") {
        objects.erase(obj["metadata"]["name"].get<std::string>());
      } else {
        objects[obj["metadata"]["name"]] = obj;
      }
      if (done(objects)) return objects;
    }
    ADD_FAILURE() << "timed out waiting for " << what << "; last seen:\n" << json(objects).dump(1);
    return objects;
  }

  ControlPlane cp_;
  std::unique_ptr<HttpsClient> client_;
};

TEST_F(EndpointControllerE2E, SlicesAndEndpointsAppearForASelectorServiceAndGoWithIt) {
  create(kServices, service("web", 8080));
  create(kPods, pod("web-1", "10.244.0.11", true));
  create(kPods, pod("web-2", "10.244.0.12", false));

  Objects slices = waitFor(
      slicesOf("web"),
      [](const Objects& s) {
        auto eps = endpointsByAddress(s);
        return eps.size() == 2 && eps.count("10.244.0.11") && eps.count("10.244.0.12");
      },
      "a slice with both pods");
  ASSERT_EQ(slices.size(), 1U);
  const json& slice = slices.begin()->second;
  EXPECT_EQ(slice["addressType"], "IPv4");
  EXPECT_EQ(slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
            "endpointslice-controller.k8s.io");
  EXPECT_EQ(slice["ports"], json::parse(R"([{"name":"http","port":8080,"protocol":"TCP"}])"));
  auto eps = endpointsByAddress(slices);
  EXPECT_TRUE(condition(eps["10.244.0.11"], "ready"));
  EXPECT_FALSE(condition(eps["10.244.0.12"], "ready"));
  EXPECT_EQ(eps["10.244.0.11"]["nodeName"], "node-a");
  EXPECT_EQ(eps["10.244.0.11"]["zone"], "zone-a");
  EXPECT_EQ(eps["10.244.0.11"]["targetRef"]["name"], "web-1");

  Objects endpoints = waitFor(
      kEndpoints + "?fieldSelector=metadata.name%3Dweb",
      [](const Objects& e) {
        return e.count("web") &&
               addressesOf(e.at("web")).first == std::set<std::string>{"10.244.0.11"} &&
               addressesOf(e.at("web")).second == std::set<std::string>{"10.244.0.12"};
      },
      "Endpoints web with one ready and one not-ready address");
  EXPECT_EQ(endpoints["web"]["subsets"][0]["ports"][0]["port"], 8080);

  // Without a garbage collector the controller removes what it wrote for a deleted Service.
  ASSERT_EQ(client_->request(http::verb::delete_, kServices + "/web").status, 200);
  waitFor(
      slicesOf("web"), [](const Objects& s) { return s.empty(); }, "the slices to go");
  waitFor(
      kEndpoints + "?fieldSelector=metadata.name%3Dweb", [](const Objects& e) { return e.empty(); },
      "the Endpoints to go");
}

TEST_F(EndpointControllerE2E, ReadinessFlipIsTheNextEventOnTheSlice) {
  create(kServices, service("web", 8080));
  create(kPods, pod("web-1", "10.244.0.11", true));
  create(kPods, pod("web-2", "10.244.0.12", true));
  Objects slices = waitFor(
      slicesOf("web"),
      [](const Objects& s) {
        auto eps = endpointsByAddress(s);
        return eps.size() == 2 && condition(eps["10.244.0.11"], "ready") &&
               condition(eps["10.244.0.12"], "ready");
      },
      "both pods ready in the slice");
  ASSERT_EQ(slices.size(), 1U);
  const std::string name = slices.begin()->first;
  const std::string rv = slices.begin()->second["metadata"]["resourceVersion"];

  auto w = watch(slicesOf("web") + "&resourceVersion=" + rv);
  ASSERT_NO_FATAL_FAILURE(setReady("web-2", false));
  auto ev = w->next(std::chrono::milliseconds(10000));
  ASSERT_TRUE(ev.has_value()) << "no slice event after the pod turned unready";
  EXPECT_EQ((*ev)["type"], "MODIFIED");
  EXPECT_EQ((*ev)["object"]["metadata"]["name"], name);
  auto eps = endpointsByAddress({{name, (*ev)["object"]}});
  EXPECT_TRUE(condition(eps["10.244.0.11"], "ready"));
  EXPECT_FALSE(condition(eps["10.244.0.12"], "ready"));
  EXPECT_FALSE(condition(eps["10.244.0.12"], "serving"));

  ASSERT_NO_FATAL_FAILURE(setReady("web-2", true));
  ev = w->next(std::chrono::milliseconds(10000));
  ASSERT_TRUE(ev.has_value()) << "no slice event after the pod turned ready again";
  EXPECT_EQ((*ev)["type"], "MODIFIED");
  eps = endpointsByAddress({{name, (*ev)["object"]}});
  EXPECT_TRUE(condition(eps["10.244.0.12"], "ready"));
}

TEST_F(EndpointControllerE2E, DeletingPodStaysAsTerminatingAndServing) {
  create(kServices, service("web", 8080));
  create(kPods, pod("web-1", "10.244.0.11", true));
  json lingering = pod("web-2", "10.244.0.12", true);
  lingering["metadata"]["finalizers"] = {"example.com/hold"};  // keeps it after DELETE
  create(kPods, lingering);
  waitFor(
      slicesOf("web"), [](const Objects& s) { return endpointsByAddress(s).size() == 2; },
      "both pods in the slice");

  auto del = client_->request(http::verb::delete_, kPods + "/web-2");
  ASSERT_EQ(del.status, 200) << del.body;
  ASSERT_TRUE(json::parse(del.body)["metadata"].contains("deletionTimestamp"));

  Objects slices = waitFor(
      slicesOf("web"),
      [](const Objects& s) {
        auto eps = endpointsByAddress(s);
        return eps.count("10.244.0.12") && condition(eps["10.244.0.12"], "terminating");
      },
      "the deleting pod marked terminating");
  auto eps = endpointsByAddress(slices);
  EXPECT_TRUE(condition(eps["10.244.0.12"], "serving"))
      << "still Ready: serving is kept (KEP-1672)";
  EXPECT_FALSE(condition(eps["10.244.0.12"], "ready")) << "terminating endpoints are not ready";
  EXPECT_TRUE(condition(eps["10.244.0.11"], "ready"));
  EXPECT_FALSE(condition(eps["10.244.0.11"], "terminating"));

  // The legacy Endpoints leaves a terminating pod out altogether.
  waitFor(
      kEndpoints + "?fieldSelector=metadata.name%3Dweb",
      [](const Objects& e) {
        return e.count("web") &&
               addressesOf(e.at("web")).first == std::set<std::string>{"10.244.0.11"} &&
               addressesOf(e.at("web")).second.empty();
      },
      "Endpoints without the terminating pod");
}

TEST_F(EndpointControllerE2E, NamedTargetPortResolvingDifferentlySplitsSlices) {
  create(kServices, service("web", "http"));
  create(kPods, pod("web-1", "10.244.0.11", true, 8080));
  create(kPods, pod("web-2", "10.244.0.12", true, 9090));
  Objects slices = waitFor(
      slicesOf("web"),
      [](const Objects& s) { return s.size() == 2 && endpointsByAddress(s).size() == 2; },
      "two slices, one per port number");
  auto eps = endpointsByAddress(slices);
  EXPECT_EQ(eps["10.244.0.11"]["_ports"], json({8080}));
  EXPECT_EQ(eps["10.244.0.12"]["_ports"], json({9090}));
  EXPECT_NE(eps["10.244.0.11"]["_slice"], eps["10.244.0.12"]["_slice"]);
}

TEST_F(EndpointControllerE2E, SelectorlessServiceEndpointsAreMirrored) {
  create(kServices,
         {{"metadata", {{"name", "external-db"}}},
          {"spec", {{"ports", {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}}});
  create(kEndpoints, {{"metadata", {{"name", "external-db"}}},
                      {"subsets",
                       {{{"addresses", {{{"ip", "192.0.2.10"}}, {{"ip", "192.0.2.11"}}}},
                         {"ports", {{{"name", "pg"}, {"port", 5432}, {"protocol", "TCP"}}}}}}}});
  Objects slices = waitFor(
      slicesOf("external-db"), [](const Objects& s) { return endpointsByAddress(s).size() == 2; },
      "a mirrored slice with both addresses");
  ASSERT_EQ(slices.size(), 1U);
  const json& slice = slices.begin()->second;
  EXPECT_EQ(slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
            "endpointslicemirroring-controller.k8s.io");
  EXPECT_EQ(slice["ports"], json::parse(R"([{"name":"pg","port":5432,"protocol":"TCP"}])"));
  for (const auto& [ip, ep] : endpointsByAddress(slices)) EXPECT_TRUE(condition(ep, "ready")) << ip;

  // The user's Endpoints is theirs: the controller leaves it as written.
  json endpoints = get(kEndpoints + "/external-db");
  EXPECT_EQ(addressesOf(endpoints).first, (std::set<std::string>{"192.0.2.10", "192.0.2.11"}));
}

TEST(EndpointControllerFlag, ControllersFalseStartsNoController) {
  // The controller registers its metrics when it is built, so their absence shows it never was
  // (an absence of slices would only show that it had not got round to them yet).
  ControlPlane cp({"--controllers=false"});
  HttpsClient c("127.0.0.1", cp.port(), adminToken(cp.dir()), cp.dir() + "/pki/ca.crt");
  auto metrics = c.request(http::verb::get, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body.find("ferry_controller_syncs_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("ferry_store_revision"), std::string::npos);
}

TEST_F(EndpointControllerE2E, SyncsAreCounted) {
  auto metrics = client_->request(http::verb::get, "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("ferry_controller_syncs_total{controller=\"endpoint\"}"),
            std::string::npos)
      << metrics.body;
}

}  // namespace
}  // namespace ferry::testing
