// The mirror loop against a scripted upstream (the project's own HTTPS server with a handler
// that plays a fixed story), for the paths a real upstream rarely takes on cue: a watch that
// ends by itself (resumed from the last resourceVersion), 410 Gone (relist, and what vanished
// meanwhile is deleted locally), an HTTP error (retried with backoff), and a server URL with a
// path prefix. Also the kubeconfig server URL parsing.
#include "ferry/controlplane/mirror.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "../store/store_test_util.h"
#include "ferry/api/base64.h"
#include "ferry/controlplane/http_server.h"
#include "ferry/controlplane/pki.h"
#include "ferry/feed/kubeconfig.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;
using store::testing::openOrDie;
using store::testing::optionsFor;
using store::testing::TempDir;
using store::testing::waitFor;
namespace asio = boost::asio;

json svc(const std::string& name, const std::string& rv, int port = 80) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"namespace", "default"}, {"name", name}, {"resourceVersion", rv}}},
          {"spec", {{"ports", {{{"port", port}}}}}}};
}

std::string line(const std::string& type, const json& obj) {
  return json{{"type", type}, {"object", obj}}.dump() + "\n";
}

// What the scripted upstream answers to one request.
struct Answer {
  int status = 200;
  std::string body;     // a whole response (list, error)
  bool stream = false;  // a watch: `lines`, then the end of the stream unless `hold`
  std::vector<std::string> lines;
  bool hold = false;  // keep the watch open until the server stops
};

class ScriptedUpstream {
 public:
  // Under mu_: the answer to the next request for services.
  Answer answer(const HttpRequest& req) {
    std::lock_guard lock(mu_);
    requests.push_back(
        req.path + "?" +
        (req.hasParam("watch") ? "watch&rv=" + req.param("resourceVersion") : "list"));
    Answer a;
    if (req.path != "/up/api/v1/services" ||
        req.header(http::field::authorization) != "Bearer t0ken") {
      a.status = 404;
      a.body = "{}";
      return a;
    }
    const bool watch = req.hasParam("watch");
    const std::string rv = req.param("resourceVersion");
    if (!watch) {
      ++lists;
      json list = {{"kind", "ServiceList"}, {"apiVersion", "v1"}, {"items", json::array()}};
      if (lists == 1) {
        list["metadata"] = {{"resourceVersion", "10"}};
        list["items"] = {svc("a", "5"), svc("b", "6")};
      } else {
        list["metadata"] = {{"resourceVersion", "20"}};
        list["items"] = {svc("a", "15", 8080), svc("c", "18")};
      }
      a.body = list.dump();
      return a;
    }
    a.stream = true;
    if (rv == "10") {
      a.lines = {line("MODIFIED", svc("a", "11", 81))};  // then the stream ends (timeoutSeconds)
    } else if (rv == "11") {
      a.lines = {line("ERROR", {{"kind", "Status"}, {"code", 410}, {"reason", "Expired"}})};
    } else if (rv == "20") {
      a.lines = {
          line("ADDED", svc("d", "21")),
          line("BOOKMARK", {{"kind", "Service"}, {"metadata", {{"resourceVersion", "25"}}}})};
    } else if (rv == "25" && !refused_once_) {
      refused_once_ = true;
      a.stream = false;
      a.status = 503;
      a.body = "{}";
    } else {
      a.hold = true;
    }
    return a;
  }

  std::mutex mu_;
  std::vector<std::string> requests;
  int lists = 0;

 private:
  bool refused_once_ = false;
};

class MirrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto pki = ensurePki({dir_.path() / "pki", {}, {}, 30});
    ASSERT_TRUE(pki.ok()) << pki.error();
    tls_.use_certificate_chain_file(pki->serving_cert.string());
    tls_.use_private_key_file(pki->serving_key.string(), asio::ssl::context::pem);
    server_ = std::make_unique<HttpsServer>(
        io_, tls_, [this](HttpRequest& req, ResponseWriter& out) { return serve(req, out); });
    server_->listen({asio::ip::make_address("127.0.0.1"), 0});
    thread_ = std::thread([this] { io_.run(); });
    creds_.server = "https://127.0.0.1:" + std::to_string(server_->port()) + "/up/";
    creds_.ca_pem = readFile(pki->ca_cert);
    creds_.token = "t0ken";
  }
  // Ends every session before anything goes away: the mirror's connections close, held
  // watches end, the acceptor stops, and io_.run() returns for lack of work.
  void TearDown() override {
    mirror_.reset();
    stopping_ = true;
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  asio::awaitable<void> serve(HttpRequest& req, ResponseWriter& out) {
    Answer a = upstream_.answer(req);
    if (!a.stream) {
      co_await out.send(a.status, "application/json", a.body);
      co_return;
    }
    if (!co_await out.startStream("application/json")) co_return;
    for (auto& l : a.lines)
      if (!co_await out.writeChunk(l)) co_return;
    asio::steady_timer t(co_await asio::this_coro::executor);
    while (a.hold && !stopping_.load()) {
      t.expires_after(std::chrono::milliseconds(20));
      boost::system::error_code ec;
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    co_await out.endStream();
  }

  std::map<std::string, json> held() {
    std::map<std::string, json> out;
    auto r = store_->range({.prefix = "/registry/core/services/"});
    EXPECT_TRUE(r.ok());
    for (const auto& kv : r->items)
      out[kv->key.substr(kv->key.rfind('/') + 1)] = ObjectStorage::fromKv(*kv);
    return out;
  }

  TempDir dir_;
  std::unique_ptr<store::EmbeddedStore> store_ = openOrDie(optionsFor(dir_.path() / "store"));
  asio::io_context io_;
  asio::ssl::context tls_{asio::ssl::context::tls_server};
  std::unique_ptr<HttpsServer> server_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  ScriptedUpstream upstream_;
  feed::KubeconfigCredentials creds_;
  runtime::Registry metrics_;
  std::unique_ptr<Mirror> mirror_;
};

TEST_F(MirrorTest, ResumesRelistsOnGoneAndRetriesErrors) {
  auto endpoint = upstreamEndpoint(creds_);
  ASSERT_TRUE(endpoint.ok()) << endpoint.error();
  EXPECT_EQ(endpoint->base_path, "/up");
  auto tls = upstreamTls(creds_);
  ASSERT_TRUE(tls.ok()) << tls.error();
  MirrorOptions options;
  options.backoff_min = std::chrono::milliseconds(10);
  options.backoff_max = std::chrono::milliseconds(50);
  std::vector<MirroredKind> kinds;
  for (auto& k : feedMirroredKinds())
    if (k.info.plural == "services") kinds.push_back(k);
  mirror_ = std::make_unique<Mirror>(*store_, *endpoint, *tls, metrics_, options, kinds);
  EXPECT_FALSE(mirror_->synced());
  mirror_->start();

  // a (as modified after the first list, then as listed again), c and d; b vanished while the
  // watch was gone, and is deleted.
  EXPECT_TRUE(waitFor([&] {
    auto h = held();
    return h.size() == 3 && h.count("a") && h.count("c") && h.count("d") &&
           h["a"]["spec"]["ports"][0]["port"] == 8080;
  })) << held().size();
  EXPECT_TRUE(mirror_->synced());
  // The watch after the 503 resumes from the bookmark's resourceVersion.
  EXPECT_TRUE(waitFor([&] {
    std::lock_guard lock(upstream_.mu_);
    return upstream_.requests.size() >= 7;
  }));
  {
    std::lock_guard lock(upstream_.mu_);
    const std::vector<std::string> want = {
        "/up/api/v1/services?list",        "/up/api/v1/services?watch&rv=10",
        "/up/api/v1/services?watch&rv=11", "/up/api/v1/services?list",
        "/up/api/v1/services?watch&rv=20", "/up/api/v1/services?watch&rv=25",
        "/up/api/v1/services?watch&rv=25"};
    EXPECT_EQ(std::vector<std::string>(upstream_.requests.begin(), upstream_.requests.begin() + 7),
              want);
  }
  auto counter = [&](const char* name) {
    return metrics_.counter(name, "", {{"resource", "services"}}).value();
  };
  EXPECT_EQ(counter("ferry_mirror_relists_total"), 2u);
  EXPECT_EQ(counter("ferry_mirror_reconnects_total"), 1u);  // the 503
  EXPECT_EQ(counter("ferry_mirror_invalid_objects_total"), 0u);
  EXPECT_EQ(metrics_.gauge("ferry_mirror_synced", "").value(), 1);
}

TEST(UpstreamEndpoint, ParsesServerUrls) {
  feed::KubeconfigCredentials c;
  c.token = "x";
  c.server = "https://api.example:6443";
  auto e = upstreamEndpoint(c);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "api.example");
  EXPECT_EQ(e->port, "6443");
  EXPECT_EQ(e->base_path, "");
  c.server = "https://[fd00::1]/k8s/clusters/c-1";
  e = upstreamEndpoint(c);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->host, "fd00::1");
  EXPECT_EQ(e->port, "443");
  EXPECT_EQ(e->base_path, "/k8s/clusters/c-1");
  c.server = "https://[fd00::1]:8443";
  e = upstreamEndpoint(c);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->port, "8443");
  c.server = "http://api.example";
  EXPECT_FALSE(upstreamEndpoint(c).ok()) << "plain HTTP is refused";
  c.server = "https://[fd00::1";
  EXPECT_FALSE(upstreamEndpoint(c).ok());
}

// The kubeconfig reader mirror mode shares with the agents: client certificates inline or as
// files, files relative to the kubeconfig, and no credentials at all refused.
TEST(MirrorKubeconfig, ReadsTokensAndClientCertificates) {
  TempDir dir;
  auto pki = ensurePki({dir.path() / "pki", {}, {}, 30});
  ASSERT_TRUE(pki.ok()) << pki.error();
  const std::string ca = readFile(pki->ca_cert);
  const std::string cert = readFile(pki->serving_cert), key = readFile(pki->serving_key);
  auto write = [&](const std::string& name, const std::string& user) {
    std::ofstream out(dir.path() / name);
    out << "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
           "clusters:\n- name: k\n  cluster:\n    server: https://127.0.0.1:6443\n"
           "    certificate-authority-data: "
        << api::base64Encode(ca)
        << "\ncontexts:\n- name: c\n  context:\n    cluster: k\n    user: u\n"
        << "users:\n- name: u\n  user:\n"
        << user;
    return (dir.path() / name).string();
  };
  auto inline_cert = feed::readKubeconfig(
      write("inline", "    client-certificate-data: " + api::base64Encode(cert) +
                          "\n    client-key-data: " + api::base64Encode(key) + "\n"));
  ASSERT_TRUE(inline_cert.ok()) << inline_cert.error();
  EXPECT_EQ(inline_cert->client_cert_pem, cert);
  EXPECT_EQ(inline_cert->client_key_pem, key);
  EXPECT_EQ(inline_cert->token, "");
  EXPECT_EQ(inline_cert->ca_pem, ca);
  EXPECT_TRUE(upstreamTls(*inline_cert).ok()) << upstreamTls(*inline_cert).error();

  { std::ofstream(dir.path() / "token") << "s3cret\n"; }
  auto files =
      feed::readKubeconfig(write("files",
                                 "    tokenFile: token\n    client-certificate: pki/apiserver.crt\n"
                                 "    client-key: " +
                                     pki->serving_key.string() + "\n"));
  ASSERT_TRUE(files.ok()) << files.error();
  EXPECT_EQ(files->token, "s3cret");
  EXPECT_EQ(files->client_key_pem, key);

  auto half =
      feed::readKubeconfig(write("half", "    client-key-data: " + api::base64Encode(key) + "\n"));
  EXPECT_FALSE(half.ok()) << "a key without its certificate";
  auto none = feed::readKubeconfig(write("none", "    username: nobody\n"));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("no bearer token"), std::string::npos) << none.error();
}

TEST(UpstreamTls, RefusesBadCredentials) {
  feed::KubeconfigCredentials c;
  c.ca_pem = "not a certificate";
  EXPECT_FALSE(upstreamTls(c).ok());
}

}  // namespace
}  // namespace ferry::controlplane
