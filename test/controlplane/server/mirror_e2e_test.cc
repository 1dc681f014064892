// Mirror mode end to end: a real ferry-controlplane as the upstream API server, a second one
// with --mirror-kubeconfig pointing at it, and agents (the real FeedClient) subscribed to the
// mirror's feed. What is written through the upstream's REST API must reach the agents:
// exactly the upstream's objects (the mirror numbers resourceVersions with its own store's
// revisions, so objects are compared without them, and the feed's revisions against the
// mirror's own REST API), through creates, updates and deletes, an upstream restart, and a
// mirror restart that missed deletions.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "controlplane_fixture.h"
#include "ferry/feed/feed_client.h"
#include "https_client.h"

namespace ferry::testing {
namespace {

using nlohmann::json;
namespace http = boost::beast::http;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The token of the first user whose groups field is exactly `groups` in tokens.csv.
std::string tokenWithGroups(const std::string& dir, const std::string& groups) {
  std::ifstream in(dir + "/tokens.csv");
  std::string line;
  while (std::getline(in, line))
    if (line.size() > groups.size() &&
        line.compare(line.size() - groups.size(), groups.size(), groups) == 0)
      return line.substr(0, line.find(','));
  return {};
}

std::unique_ptr<HttpsClient> adminClient(const ControlPlane& cp) {
  return std::make_unique<HttpsClient>("127.0.0.1", cp.port(),
                                       tokenWithGroups(cp.dir(), "\"system:masters\""),
                                       cp.dir() + "/pki/ca.crt");
}

json withoutResourceVersion(json obj) {
  obj["metadata"].erase("resourceVersion");
  return obj;
}

// One feed kind's objects, as a server's REST API lists them: key -> (resourceVersion, object).
using Listing = std::map<feed::ObjectKey, std::pair<int64_t, json>>;

Listing listFeedKinds(HttpsClient& api, bool ingress) {
  struct Kind {
    const char* kind;
    const char* path;
  };
  std::vector<Kind> kinds = {{"Service", "/api/v1/services"},
                             {"EndpointSlice", "/apis/discovery.k8s.io/v1/endpointslices"},
                             {"Node", "/api/v1/nodes"},
                             {"Ingress", "/apis/networking.k8s.io/v1/ingresses"},
                             {"IngressClass", "/apis/networking.k8s.io/v1/ingressclasses"}};
  if (ingress) kinds.push_back({"Secret", "/api/v1/secrets"});
  Listing out;
  for (const auto& k : kinds) {
    auto r = api.request(http::verb::get, k.path);
    EXPECT_EQ(r.status, 200) << k.path << ": " << r.body;
    const json list = json::parse(r.body, nullptr, false);
    if (!list.is_object() || !list.contains("items")) continue;
    for (const auto& item : list["items"]) {
      if (std::string(k.kind) == "Secret" && item.value("type", "") != "kubernetes.io/tls")
        continue;
      const auto& m = item["metadata"];
      out[{k.kind, m.value("namespace", ""), m["name"]}] = {
          std::stoll(m["resourceVersion"].get<std::string>()), item};
    }
  }
  return out;
}

// The objects without resourceVersions, for comparing the mirror's copies with the upstream's.
std::map<feed::ObjectKey, json> contentOf(const Listing& l) {
  std::map<feed::ObjectKey, json> out;
  for (const auto& [k, v] : l) out[k] = withoutResourceVersion(v.second);
  return out;
}
std::map<feed::ObjectKey, json> contentOf(const feed::ObjectMap& m) {
  std::map<feed::ObjectKey, json> out;
  for (const auto& [k, v] : m) out[k] = withoutResourceVersion(json::parse(v.json, nullptr, false));
  return out;
}

std::string describe(const std::map<feed::ObjectKey, json>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += "  " + k.kind + " " + k.ns + "/" + k.name + "\n";
  return s;
}

class MirrorE2E : public ::testing::Test {
 protected:
  void TearDown() override {
    for (auto* a : {node_agent_.get(), ingress_agent_.get()})
      if (a) a->stop();
  }

  std::unique_ptr<feed::FeedClient> agent(const std::string& groups, const std::string& node) {
    feed::FeedClientOptions o;
    o.target = "127.0.0.1:" + std::to_string(mirror_->feedPort());
    o.ca_pem = slurp(mirror_->dir() + "/pki/ca.crt");
    o.token = tokenWithGroups(mirror_->dir(), groups);
    EXPECT_FALSE(o.token.empty()) << groups;
    o.node_name = node;
    o.reconnect_max = std::chrono::milliseconds(500);
    auto c = std::make_unique<feed::FeedClient>(o, nullptr);
    c->start();
    return c;
  }

  int readyz() {
    HttpsClient c("127.0.0.1", mirror_->port(), "", mirror_->dir() + "/pki/ca.crt");
    return c.request(http::verb::get, "/readyz").status;
  }

  void mustWrite(http::verb verb, const std::string& path, const json& body = {}) {
    auto r = up_->request(
        verb, path, body.is_null() ? "" : body.dump(),
        verb == http::verb::patch ? "application/merge-patch+json" : "application/json");
    ASSERT_TRUE(r.status >= 200 && r.status < 300) << path << ": " << r.status << " " << r.body;
  }

  // Both agents hold exactly the upstream's objects of their role (bounded wait), and exactly
  // what the mirror's own REST API serves, revisions included.
  void expectConverged(const char* phase) {
    for (bool ingress : {false, true}) {
      feed::FeedClient& a = ingress ? *ingress_agent_ : *node_agent_;
      std::map<feed::ObjectKey, json> want, got;
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (;;) {
        want = contentOf(listFeedKinds(*up_, ingress));
        got = contentOf(a.copyObjects());
        if (want == got || std::chrono::steady_clock::now() > deadline) break;
        std::this_thread::sleep_for(
            std::chrono::milliseconds(50));  // polling a condition, with a deadline
      }
      ASSERT_EQ(want.size(), got.size())
          << phase << (ingress ? " (ingress agent)" : " (node agent)") << "\nupstream:\n"
          << describe(want) << "agent:\n"
          << describe(got);
      for (const auto& [k, v] : want) {
        ASSERT_EQ(got.count(k), 1u)
            << phase << ": agent lacks " << k.kind << " " << k.ns << "/" << k.name;
        ASSERT_EQ(got.at(k), v) << phase << ": " << k.kind << " " << k.ns << "/" << k.name;
      }
      // The feed and the mirror's REST API agree on the mirror's own revisions.
      const Listing local = listFeedKinds(*mirror_api_, ingress);
      const feed::ObjectMap held = a.copyObjects();
      ASSERT_EQ(local.size(), held.size()) << phase;
      for (const auto& [k, v] : local) {
        ASSERT_EQ(held.count(k), 1u) << phase << ": " << k.kind << " " << k.ns << "/" << k.name;
        EXPECT_EQ(held.at(k).revision, v.first)
            << phase << ": " << k.kind << " " << k.ns << "/" << k.name;
        EXPECT_EQ(json::parse(held.at(k).json), v.second) << phase;
      }
    }
  }

  // A metric's value summed over its label sets, from the mirror's /metrics.
  double metric(const std::string& name) {
    auto r = mirror_api_->request(http::verb::get, "/metrics");
    EXPECT_EQ(r.status, 200);
    double sum = 0;
    std::istringstream in(r.body);
    for (std::string line; std::getline(in, line);) {
      if (line.compare(0, name.size(), name) != 0) continue;
      if (line.size() > name.size() && line[name.size()] != ' ' && line[name.size()] != '{')
        continue;
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
  }

  void createWorkload() {
    mustWrite(http::verb::post, "/api/v1/nodes",
              {{"metadata",
                {{"name", "node-a"}, {"labels", {{"topology.kubernetes.io/zone", "zone-a"}}}}}});
    // A Service with a selector and a ready Pod: the upstream's controller writes its slice.
    mustWrite(
        http::verb::post, "/api/v1/namespaces/default/services",
        {{"metadata", {{"name", "web"}}},
         {"spec",
          {{"selector", {{"app", "web"}}},
           {"ports",
            {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}}}}}});
    mustWrite(http::verb::post, "/api/v1/namespaces/default/pods",
              {{"metadata", {{"name", "web-1"}, {"labels", {{"app", "web"}}}}},
               {"spec",
                {{"nodeName", "node-a"},
                 {"containers", {{{"name", "app"}, {"image", "registry.example/app:1"}}}}}},
               {"status",
                {{"phase", "Running"},
                 {"podIP", "10.244.1.5"},
                 {"podIPs", {{{"ip", "10.244.1.5"}}}},
                 {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}});
    // A selector-less Service with a hand-written EndpointSlice.
    mustWrite(http::verb::post, "/api/v1/namespaces/default/services",
              {{"metadata", {{"name", "ext"}}}, {"spec", {{"ports", {{{"port", 5432}}}}}}});
    mustWrite(
        http::verb::post, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
        {{"metadata", {{"name", "ext-1"}, {"labels", {{"kubernetes.io/service-name", "ext"}}}}},
         {"addressType", "IPv4"},
         {"endpoints", {{{"addresses", {"192.0.2.10"}}}}},
         {"ports", {{{"port", 5432}, {"protocol", "TCP"}}}}});
    mustWrite(http::verb::post, "/apis/networking.k8s.io/v1/ingressclasses",
              {{"metadata", {{"name", "ferry"}}}, {"spec", {{"controller", "ferry.io/ingress"}}}});
    mustWrite(http::verb::post, "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
              {{"metadata", {{"name", "site"}}},
               {"spec",
                {{"ingressClassName", "ferry"},
                 {"tls", {{{"hosts", {"site.example"}}, {"secretName", "site-tls"}}}},
                 {"rules",
                  {{{"host", "site.example"},
                    {"http",
                     {{"paths",
                       {{{"path", "/"},
                         {"pathType", "Prefix"},
                         {"backend",
                          {{"service", {{"name", "web"}, {"port", {{"number", 80}}}}}}}}}}}}}}}}}});
    mustWrite(http::verb::post, "/api/v1/namespaces/default/secrets",
              {{"metadata", {{"name", "site-tls"}}},
               {"type", "kubernetes.io/tls"},
               {"data", {{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5"}}}});
    // Never mirrored: the feed carries TLS Secrets only.
    mustWrite(http::verb::post, "/api/v1/namespaces/default/secrets",
              {{"metadata", {{"name", "password"}}},
               {"type", "Opaque"},
               {"data", {{"pw", "aHVudGVyMg=="}}}});
    mustWrite(http::verb::post, "/api/v1/namespaces/default/services",
              {{"metadata", {{"name", "doomed"}}}, {"spec", {{"ports", {{{"port", 81}}}}}}});
  }

  std::unique_ptr<ControlPlane> upstream_, mirror_;
  std::unique_ptr<HttpsClient> up_, mirror_api_;
  std::unique_ptr<feed::FeedClient> node_agent_, ingress_agent_;
};

TEST_F(MirrorE2E, UpstreamObjectsReachTheAgentsFeed) {
  upstream_ = std::make_unique<ControlPlane>();
  ASSERT_FALSE(HasFatalFailure());
  // The upstream's own admin kubeconfig (server URL, CA, admin token) is the mirror's.
  const std::string upstream_kubeconfig = upstream_->kubeconfig();

  // With the upstream down the mirror serves, but is not ready: it has nothing to serve yet.
  upstream_->stop(SIGTERM);
  mirror_ = std::make_unique<ControlPlane>(
      std::vector<std::string>{"--mirror-kubeconfig", upstream_kubeconfig},
      /*wait_ready=*/false);
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(readyz(), 503);
  mirror_api_ = adminClient(*mirror_);
  EXPECT_EQ(metric("ferry_mirror_synced"), 0);

  upstream_->start();
  ASSERT_FALSE(HasFatalFailure());
  up_ = adminClient(*upstream_);
  {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (readyz() != 200 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(
          std::chrono::milliseconds(50));  // polling a condition, with a deadline
    ASSERT_EQ(readyz(), 200);
  }
  EXPECT_EQ(metric("ferry_mirror_synced"), 1);

  // The mirror's API is read-only.
  auto refused = mirror_api_->request(
      http::verb::post, "/api/v1/namespaces/default/services",
      json{{"metadata", {{"name", "local"}}}, {"spec", {{"ports", {{{"port", 1}}}}}}}.dump());
  EXPECT_EQ(refused.status, 405) << refused.body;
  EXPECT_NE(refused.body.find("mirror"), std::string::npos) << refused.body;

  node_agent_ = agent("\"system:nodes\"", "node-a");
  ingress_agent_ = agent("\"system:nodes,ferry:ingress\"", "edge-1");
  expectConverged("bootstrap objects");

  createWorkload();
  expectConverged("created");
  {
    const auto agent_objects = node_agent_->copyObjects();
    bool web_slice = false;
    for (const auto& [k, v] : agent_objects)
      web_slice = web_slice || (k.kind == "EndpointSlice" && k.name.rfind("web-", 0) == 0 &&
                                v.json.find("10.244.1.5") != std::string::npos);
    EXPECT_TRUE(web_slice) << "the upstream controller's slice for web reaches the agent";
    EXPECT_EQ(agent_objects.count({"Ingress", "default", "site"}), 1u);
    EXPECT_EQ(ingress_agent_->copyObjects().count({"Secret", "default", "site-tls"}), 1u);
    EXPECT_EQ(ingress_agent_->copyObjects().count({"Secret", "default", "password"}), 0u);
  }

  // Updates and deletes.
  mustWrite(http::verb::patch, "/api/v1/namespaces/default/services/web",
            {{"metadata", {{"labels", {{"tier", "front"}}}}}});
  mustWrite(http::verb::patch, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/ext-1",
            {{"endpoints", {{{"addresses", {"192.0.2.11"}}}}}});
  mustWrite(http::verb::delete_, "/api/v1/namespaces/default/services/doomed");
  mustWrite(http::verb::delete_, "/api/v1/namespaces/default/pods/web-1");  // the web slice empties
  // A deleted TLS Secret leaves the ingress agents.
  mustWrite(http::verb::delete_, "/api/v1/namespaces/default/secrets/site-tls");
  expectConverged("updated and deleted");
  EXPECT_EQ(node_agent_->copyObjects().count({"Service", "default", "doomed"}), 0u);

  // The upstream restarts (killed): the mirror keeps serving, ready, then resumes.
  upstream_->stop(SIGKILL);
  EXPECT_EQ(readyz(), 200) << "the last state is still served";
  EXPECT_EQ(node_agent_->copyObjects().count({"Service", "default", "web"}), 1u);
  upstream_->start();
  ASSERT_FALSE(HasFatalFailure());
  up_ = adminClient(*upstream_);
  mustWrite(http::verb::post, "/api/v1/namespaces/default/services",
            {{"metadata", {{"name", "after-restart"}}}, {"spec", {{"ports", {{{"port", 82}}}}}}});
  mustWrite(http::verb::delete_, "/apis/networking.k8s.io/v1/namespaces/default/ingresses/site");
  expectConverged("after the upstream restarted");
  EXPECT_GE(metric("ferry_mirror_reconnects_total"), 1);
  EXPECT_GT(metric("ferry_mirror_events_applied_total"), 0);

  // The mirror restarts having missed deletions: its first list removes what is gone upstream,
  // and the agents, resuming against the restarted mirror, converge too.
  mirror_->stop(SIGTERM);
  mustWrite(http::verb::delete_, "/api/v1/namespaces/default/services/ext");
  mustWrite(http::verb::delete_,
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/ext-1");
  mustWrite(http::verb::delete_, "/apis/networking.k8s.io/v1/ingressclasses/ferry");
  mustWrite(
      http::verb::post, "/api/v1/namespaces/default/services",
      {{"metadata", {{"name", "while-mirror-away"}}}, {"spec", {{"ports", {{{"port", 83}}}}}}});
  mirror_->start();  // waits for /healthz only
  ASSERT_FALSE(HasFatalFailure());
  mirror_api_ = adminClient(*mirror_);
  expectConverged("after the mirror restarted");
  EXPECT_EQ(node_agent_->copyObjects().count({"Service", "default", "ext"}), 0u);
  EXPECT_EQ(node_agent_->copyObjects().count({"IngressClass", "", "ferry"}), 0u);
  EXPECT_GE(metric("ferry_mirror_relists_total"), 6);
}

}  // namespace
}  // namespace ferry::testing
