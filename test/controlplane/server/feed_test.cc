// The agents' feed against the real ferry-controlplane: 100 simulated agents (FeedClients)
// converge to exactly the store's state after churn, after the control plane restarts, and
// after one agent misses 10,000 revisions; no agent ever holds an object its role may not read.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "controlplane_fixture.h"
#include "ferry/feed/feed_client.h"
#include "ferry/feed/v1/feed.grpc.pb.h"
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

struct Agent {
  std::unique_ptr<feed::FeedClient> client;
  bool ingress = false;
  std::atomic<int> violations{0};  // objects seen that the role must not get
};

class FeedTest : public ::testing::Test {
 protected:
  static constexpr int kAgents = 100;
  static constexpr int kIngressAgents = 5;

  void SetUp() override {
    cp_ = std::make_unique<ControlPlane>();
    ASSERT_FALSE(HasFatalFailure());
    admin_ = std::make_unique<HttpsClient>("127.0.0.1", cp_->port(),
                                           tokenWithGroups(cp_->dir(), "\"system:masters\""),
                                           cp_->dir() + "/pki/ca.crt");
    node_token_ = tokenWithGroups(cp_->dir(), "\"system:nodes\"");
    ingress_token_ = tokenWithGroups(cp_->dir(), "\"system:nodes,ferry:ingress\"");
    ASSERT_FALSE(node_token_.empty());
    ASSERT_FALSE(ingress_token_.empty());
  }
  void TearDown() override {
    for (auto& a : agents_) a->client->stop();
  }

  void startAgents(int n, int ingress) {
    for (int i = 0; i < n; ++i) {
      auto a = std::make_unique<Agent>();
      a->ingress = i < ingress;
      feed::FeedClientOptions o;
      o.target = "127.0.0.1:" + std::to_string(cp_->feedPort());
      o.ca_pem = slurp(cp_->dir() + "/pki/ca.crt");
      o.token = a->ingress ? ingress_token_ : node_token_;
      o.node_name = "node-" + std::to_string(i);
      o.reconnect_max = std::chrono::milliseconds(500);
      Agent* raw = a.get();
      a->client = std::make_unique<feed::FeedClient>(
          o, [raw](const feed::FeedState& st, const feed::FeedUpdate& u) {
            auto forbidden = [raw](const feed::ObjectKey& k, const std::string& text) {
              if (k.kind != "Secret") return false;
              if (!raw->ingress) return true;
              return json::parse(text, nullptr, false).value("type", "") != "kubernetes.io/tls";
            };
            if (u.full) {
              for (const auto& [k, v] : st.objects()) raw->violations += forbidden(k, v.json);
            } else {
              for (const auto& k : u.changed)
                if (auto it = st.objects().find(k); it != st.objects().end())
                  raw->violations += forbidden(k, it->second.json);
            }
          });
      a->client->start();
      agents_.push_back(std::move(a));
    }
  }

  void mustWrite(http::verb verb, const std::string& path, const json& body = {}) {
    auto r = admin_->request(
        verb, path, body.is_null() ? "" : body.dump(),
        verb == http::verb::patch ? "application/merge-patch+json" : "application/json");
    ASSERT_TRUE(r.status >= 200 && r.status < 300) << path << ": " << r.status << " " << r.body;
  }

  // What each role should hold: the feed's kinds, listed through the REST API.
  feed::ObjectMap expected(bool ingress) {
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
    feed::ObjectMap out;
    for (const auto& k : kinds) {
      auto r = admin_->request(http::verb::get, k.path);
      EXPECT_EQ(r.status, 200) << k.path;
      const json list = json::parse(r.body);
      for (const auto& item : list["items"]) {
        if (std::string(k.kind) == "Secret" && item.value("type", "") != "kubernetes.io/tls")
          continue;
        const auto& m = item["metadata"];
        out[{k.kind, m.value("namespace", ""), m["name"]}] = {
            std::stoll(m["resourceVersion"].get<std::string>()), item.dump()};
      }
    }
    return out;
  }

  static bool sameRevisions(const feed::ObjectMap& a, const feed::ObjectMap& b) {
    if (a.size() != b.size()) return false;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib)
      if (ia->first != ib->first || ia->second.revision != ib->second.revision) return false;
    return true;
  }

  // Every agent holds exactly its role's view of the store: same keys, same revisions (bounded
  // wait), then the same objects, compared as JSON.
  void expectConverged(const char* phase) {
    const feed::ObjectMap want_node = expected(false), want_ingress = expected(true);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (auto& a : agents_) {
      const auto& want = a->ingress ? want_ingress : want_node;
      while (!sameRevisions(a->client->copyObjects(), want) &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(
            std::chrono::milliseconds(20));  // polling a condition, with a deadline
      const auto got = a->client->copyObjects();
      ASSERT_TRUE(sameRevisions(got, want))
          << phase << ": agent holds " << got.size() << " objects, store has " << want.size();
      for (const auto& [k, v] : want)
        ASSERT_EQ(json::parse(got.at(k).json), json::parse(v.json))
            << phase << ": " << k.kind << " " << k.ns << "/" << k.name;
      EXPECT_EQ(a->violations.load(), 0) << phase;
    }
  }

  void churn(int round, int services) {
    for (int i = 0; i < services; ++i) {
      const std::string name = "s" + std::to_string(round) + "-" + std::to_string(i);
      mustWrite(http::verb::post, "/api/v1/namespaces/default/services",
                {{"apiVersion", "v1"},
                 {"kind", "Service"},
                 {"metadata", {{"name", name}}},
                 {"spec", {{"ports", {{{"port", 80}}}}}}});
      mustWrite(http::verb::post, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
                {{"apiVersion", "discovery.k8s.io/v1"},
                 {"kind", "EndpointSlice"},
                 {"metadata",
                  {{"name", name + "-x"}, {"labels", {{"kubernetes.io/service-name", name}}}}},
                 {"addressType", "IPv4"},
                 {"endpoints", {{{"addresses", {"10.244.0." + std::to_string(i % 250 + 1)}}}}},
                 {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}});
      if (i % 3 == 0)
        mustWrite(http::verb::patch, "/api/v1/namespaces/default/services/" + name,
                  {{"metadata", {{"labels", {{"touched", "yes"}}}}}});
      if (i % 4 == 0) mustWrite(http::verb::delete_, "/api/v1/namespaces/default/services/" + name);
    }
    // Secrets of both kinds: only ingress agents may see the TLS one, nobody the opaque one.
    const std::string r = std::to_string(round);
    mustWrite(http::verb::post, "/api/v1/namespaces/default/secrets",
              {{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"metadata", {{"name", "tls-" + r}}},
               {"type", "kubernetes.io/tls"},
               {"data", {{"tls.crt", "Y2VydA=="}, {"tls.key", "a2V5"}}}});
    mustWrite(http::verb::post, "/api/v1/namespaces/default/secrets",
              {{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"metadata", {{"name", "opaque-" + r}}},
               {"type", "Opaque"},
               {"data", {{"password", "aHVudGVyMg=="}}}});
  }

  std::unique_ptr<ControlPlane> cp_;
  std::unique_ptr<HttpsClient> admin_;
  std::string node_token_, ingress_token_;
  std::vector<std::unique_ptr<Agent>> agents_;
};

TEST_F(FeedTest, HundredAgentsConvergeThroughChurnRestartAndALongAbsence) {
  startAgents(kAgents, kIngressAgents);
  churn(0, 40);
  expectConverged("after churn");

  // (b) The control plane restarts: agents keep their state, reconnect and catch up.
  cp_->stop(SIGTERM);
  cp_->start();
  ASSERT_FALSE(HasFatalFailure());
  admin_ = std::make_unique<HttpsClient>("127.0.0.1", cp_->port(),
                                         tokenWithGroups(cp_->dir(), "\"system:masters\""),
                                         cp_->dir() + "/pki/ca.crt");
  churn(1, 20);
  expectConverged("after restart");

  // (c) One agent is away for 10,000 revisions, with deletions among them.
  Agent& away = *agents_.back();
  away.client->stop();
  const int64_t left_at = away.client->revision();
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w] {
      HttpsClient c("127.0.0.1", cp_->port(), tokenWithGroups(cp_->dir(), "\"system:masters\""),
                    cp_->dir() + "/pki/ca.crt");
      const std::string name = "busy-" + std::to_string(w);
      auto r = c.request(http::verb::post, "/api/v1/namespaces/default/services",
                         json{{"apiVersion", "v1"},
                              {"kind", "Service"},
                              {"metadata", {{"name", name}}},
                              {"spec", {{"ports", {{{"port", 80}}}}}}}
                             .dump());
      EXPECT_EQ(r.status, 201) << r.body;
      for (int i = 0; i < 2500; ++i) {
        auto p = c.request(http::verb::patch, "/api/v1/namespaces/default/services/" + name,
                           json{{"metadata", {{"annotations", {{"n", std::to_string(i)}}}}}}.dump(),
                           "application/merge-patch+json");
        if (p.status != 200) ADD_FAILURE() << p.status << " " << p.body;
      }
    });
  for (auto& t : writers) t.join();
  mustWrite(http::verb::delete_, "/api/v1/namespaces/default/services/s1-1");
  mustWrite(http::verb::delete_,
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/s0-2-x");
  auto version = admin_->request(http::verb::get, "/api/v1/namespaces/default/services/busy-0");
  ASSERT_GE(
      std::stoll(json::parse(version.body)["metadata"]["resourceVersion"].get<std::string>()) -
          left_at,
      10000 / 4);
  away.client->start();
  expectConverged("after a long absence");
}

// One Subscribe call's outcome with `token` asking for `kinds`.
grpc::Status subscribeOnce(const ControlPlane& cp, const std::string& token,
                           std::vector<std::string> kinds, int* events_read) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = slurp(cp.dir() + "/pki/ca.crt");
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + std::to_string(cp.feedPort()),
                          grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                                            grpc::AccessTokenCredentials(token)));
  auto stub = feed::v1::Feed::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  feed::v1::SubscribeRequest req;
  for (auto& k : kinds) req.add_kinds(k);
  auto reader = stub->Subscribe(&ctx, req);
  feed::v1::FeedEvent ev;
  *events_read = 0;
  // A refused call ends at once; an accepted one sends its snapshot first.
  if (reader->Read(&ev)) {
    ++*events_read;
    ctx.TryCancel();
  }
  return reader->Finish();
}

TEST_F(FeedTest, RolesDecideWhatTheFeedSends) {
  churn(0, 2);
  int n = 0;
  EXPECT_EQ(subscribeOnce(*cp_, "not-a-token", {}, &n).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(subscribeOnce(*cp_, node_token_, {"Secret"}, &n).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(n, 0);
  subscribeOnce(*cp_, ingress_token_, {"Secret"}, &n);
  EXPECT_EQ(n, 1) << "an ingress agent may watch TLS Secrets";

  startAgents(3, 1);
  expectConverged("roles");
  EXPECT_EQ(agents_[0]->client->copyObjects().count({"Secret", "default", "tls-0"}), 1u);
  EXPECT_EQ(agents_[0]->client->copyObjects().count({"Secret", "default", "opaque-0"}), 0u);
  EXPECT_EQ(agents_[1]->client->copyObjects().count({"Secret", "default", "tls-0"}), 0u);
}

}  // namespace
}  // namespace ferry::testing
