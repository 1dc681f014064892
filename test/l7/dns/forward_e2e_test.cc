// ferry-dns forwarding names outside its zones to an upstream on loopback: a fake upstream that
// counts what reaches it (cache hits, negative caching, TCP retry, failover, serve-stale), and
// dnsmasq as a real one. Every server is given --upstream explicitly; nothing leaves loopback.
#include <gmock/gmock.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>

#include "cluster_fixture.h"
#include "dns_packets.h"
#include "dns_process.h"
#include "fake_upstream.h"
#include "ferry/dns/wire_types.h"
#include "ferry/testing/process.h"
#include "loopback_client.h"

namespace ferry::dns::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// The value of one series in /metrics; -1 if absent.
double metric(uint16_t metrics_port, const std::string& series) {
  const auto reply = httpGet(metrics_port, "/metrics", 5s);
  if (!reply) return -1;
  // At the start of a line: "# HELP <name> ..." must not match.
  const std::string needle = "\n" + series + " ";
  const size_t at = reply->body.find(needle);
  if (at == std::string::npos) return -1;
  return std::stod(reply->body.substr(at + needle.size()));
}

class Objects {
 public:
  Objects() {
    path_ = std::filesystem::temp_directory_path() /
            ("ferry-dns-forward-objects-" + std::to_string(getpid()) + "-" +
             std::to_string(counter_++) + ".json");
    std::ofstream(path_) << clusterObjects().dump();
  }
  ~Objects() { std::filesystem::remove(path_); }
  std::string yaml() const { return "objects: " + path_.string() + "\n"; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

class ForwardTest : public ::testing::Test {
 protected:
  ForwardTest()
      : upstream_(60, 60),
        server_(objects_.yaml() + "workers: 1\nupstream-timeout-ms: 500\n",
                {"--upstream", upstream_.address()}) {}

  void TearDown() override {
    if (HasFailure()) std::cerr << "ferry-dns log:\n" << server_.stop();
  }
  uint16_t port() const { return server_.port(); }
  double metric(const std::string& series) const {
    return ferry::dns::testing::metric(server_.metricsPort(), series);
  }

  Objects objects_;
  FakeUpstream upstream_;
  DnsProcess server_;
};

TEST_F(ForwardTest, ExternalNamesResolveOverUdpAndTcp) {
  EXPECT_EQ(dig(port(), {"+short", "udp.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dig(port(), {"+tcp", "+short", "tcp.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(kdig(port(), {"+tcp", "+short", "kdig.example.test", "A"}), "192.0.2.44\n");
  const std::string full = dig(port(), {"UdP.Example.TEST", "A"});
  EXPECT_THAT(full, HasSubstr("flags: qr rd ra;"));
  EXPECT_THAT(full, HasSubstr("UdP.Example.TEST.\t"));
  EXPECT_EQ(upstream_.udpQueries("tcp.example.test."), 1) << "upstream leg is UDP either way";
}

TEST_F(ForwardTest, SecondQueryIsACacheHit) {
  EXPECT_EQ(dig(port(), {"+short", "cached.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dig(port(), {"+short", "CACHED.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dig(port(), {"+tcp", "+short", "cached.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(upstream_.udpQueries("cached.example.test."), 1);
  EXPECT_GE(metric("ferry_dns_cache_total{result=\"hit\"}"), 2);
  EXPECT_EQ(metric("ferry_dns_upstream_queries_total{upstream=\"" + upstream_.address() +
                   "\",proto=\"udp\"}"),
            1);
}

TEST_F(ForwardTest, NxDomainIsCachedNegatively) {
  for (int i = 0; i < 3; ++i) {
    const std::string out = dig(port(), {"nx-name.example.test", "A"});
    EXPECT_THAT(out, HasSubstr("status: NXDOMAIN"));
    EXPECT_THAT(out, HasSubstr("AUTHORITY: 1"));
  }
  EXPECT_EQ(upstream_.udpQueries("nx-name.example.test."), 1);
}

TEST_F(ForwardTest, TruncatedUpstreamAnswerIsRetriedOverTcp) {
  const std::string out = dig(port(), {"+short", "big.example.test", "A"});
  EXPECT_THAT(out, HasSubstr("192.0.2.44"));
  EXPECT_THAT(out, HasSubstr("192.0.2.45"));
  EXPECT_EQ(upstream_.udpQueries("big.example.test."), 1);
  EXPECT_EQ(upstream_.tcpQueries("big.example.test."), 1);
}

TEST_F(ForwardTest, ClusterNamesStayLocal) {
  EXPECT_EQ(dig(port(), {"+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
  EXPECT_THAT(dig(port(), {"nope.default.svc.cluster.local", "A"}), HasSubstr("status: NXDOMAIN"));
  EXPECT_EQ(dig(port(), {"+short", "-x", "10.96.0.10"}), "web.default.svc.cluster.local.\n");
  EXPECT_EQ(upstream_.udpQueries("web.default.svc.cluster.local."), 0);
  EXPECT_EQ(upstream_.udpQueries("nope.default.svc.cluster.local."), 0);
}

TEST_F(ForwardTest, UpstreamRefusalIsServFail) {
  EXPECT_THAT(dig(port(), {"elsewhere.invalid", "A"}), HasSubstr("status: SERVFAIL"));
  EXPECT_EQ(metric("ferry_dns_upstream_errors_total{upstream=\"" + upstream_.address() + "\"}"), 1);
  EXPECT_EQ(metric("ferry_dns_forward_failures_total"), 1);
}

TEST(ForwardStale, ExpiredAnswerIsServedWhenTheUpstreamIsDown) {
  Objects objects;
  FakeUpstream upstream(1, 1);  // TTL 1 s
  DnsProcess server(objects.yaml() + "workers: 1\nupstream-timeout-ms: 200\n",
                    {"--upstream", upstream.address()});
  EXPECT_EQ(dig(server.port(), {"+short", "stale.example.test", "A"}), "192.0.2.44\n");
  upstream.setSilent(true);
  // Poll until the 1 s TTL has run out and the stale answer (TTL 30, RFC 8767) comes back.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string out;
  while (std::chrono::steady_clock::now() < deadline) {
    out = dig(server.port(), {"+noall", "+answer", "stale.example.test", "A"});
    if (out.find("\t30\t") != std::string::npos) break;
  }
  EXPECT_THAT(out, ::testing::MatchesRegex("stale\\.example\\.test\\.\\s+30\\s+IN\\s+A\\s+"
                                           "192\\.0\\.2\\.44\n"));
  EXPECT_GE(metric(server.metricsPort(), "ferry_dns_cache_total{result=\"stale\"}"), 1);
  EXPECT_GE(metric(server.metricsPort(),
                   "ferry_dns_upstream_timeouts_total{upstream=\"" + upstream.address() + "\"}"),
            1);
  // Never answered, never stale: SERVFAIL.
  EXPECT_THAT(dig(server.port(), {"never.example.test", "A"}), HasSubstr("status: SERVFAIL"));
}

TEST(ForwardFailover, DeadFirstUpstreamFallsThroughToTheNext) {
  Objects objects;
  FakeUpstream dead;
  dead.setSilent(true);
  FakeUpstream alive;
  DnsProcess server(objects.yaml() + "workers: 1\nupstream-timeout-ms: 300\n",
                    {"--upstream", dead.address(), "--upstream", alive.address()});
  EXPECT_EQ(dig(server.port(), {"+short", "failover.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dead.udpQueries("failover.example.test."), 1);
  EXPECT_EQ(alive.udpQueries("failover.example.test."), 1);
  EXPECT_EQ(metric(server.metricsPort(),
                   "ferry_dns_upstream_timeouts_total{upstream=\"" + dead.address() + "\"}"),
            1);
}

TEST(ForwardAcl, ClientsOutsideRecursionAllowAreRefused) {
  Objects objects;
  FakeUpstream upstream;
  DnsProcess server(objects.yaml() + "workers: 1\n",
                    {"--upstream", upstream.address(), "--recursion-allow", "10.0.0.0/8"});
  EXPECT_THAT(dig(server.port(), {"acl.example.test", "A"}), HasSubstr("status: REFUSED"));
  EXPECT_THAT(dig(server.port(), {"+tcp", "acl.example.test", "A"}), HasSubstr("status: REFUSED"));
  EXPECT_EQ(upstream.udpQueries("acl.example.test."), 0);
  // Zone answers stay open to everyone.
  EXPECT_EQ(dig(server.port(), {"+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
  EXPECT_EQ(metric(server.metricsPort(), "ferry_dns_recursion_refused_total"), 2);
}

TEST(ResponseRateLimit, OverTheLimitIsDroppedOrSlipped) {
  Objects objects;
  FakeUpstream upstream;
  DnsProcess server(objects.yaml() + "workers: 1\n",
                    {"--upstream", upstream.address(), "--rrl-responses-per-second", "1",
                     "--rrl-exempt", "none"});
  // Readiness probing may have spent the bucket; what matters is what happens past it.
  int answered = 0;
  int slipped = 0;
  int dropped = 0;
  for (int i = 0; i < 12; ++i) {
    const auto reply =
        udpExchange(server.port(), makeQuery("web.default.svc.cluster.local", 1), 300ms);
    if (!reply) {
      ++dropped;
      continue;
    }
    const auto d = decodeResponse(*reply);
    ASSERT_TRUE(d.has_value());
    if (d->tc()) {
      EXPECT_TRUE(d->answers.empty());
      ++slipped;
    } else {
      ++answered;
    }
  }
  EXPECT_GE(slipped, 1);
  EXPECT_GE(dropped, 1);
  EXPECT_LE(answered, 6) << "1/s over at most ~4 s of queries";
  EXPECT_GE(metric(server.metricsPort(), "ferry_dns_rrl_total{action=\"drop\"}"), dropped);
  EXPECT_GE(metric(server.metricsPort(), "ferry_dns_rrl_total{action=\"slip\"}"), slipped);
  // TCP is never limited: a slipped client retrying there gets its answer.
  EXPECT_EQ(dig(server.port(), {"+tcp", "+short", "web.default.svc.cluster.local", "A"}),
            "10.96.0.10\n");
  if (HasFailure()) std::cerr << "ferry-dns log:\n" << server.stop();
}

TEST(ForwardFlags, BadUpstreamsAndRangesAreRejected) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--upstream", "resolver.example:53"},
        std::vector<std::string>{"--upstream", "127.0.0.1:0"},
        std::vector<std::string>{"--upstream", "127.0.0.1:53", "--recursion-allow", "10.0.0.0/40"},
        std::vector<std::string>{"--upstream", "127.0.0.1:53", "--rrl-exempt", "nonsense"}}) {
    std::vector<std::string> argv = {FERRY_DNS_BINARY, "--listen", "127.0.0.1:0",
                                     "--metrics-listen", "127.0.0.1:0"};
    argv.insert(argv.end(), args.begin(), args.end());
    const auto result = ferry::testing::runCommand(argv);
    EXPECT_NE(result.exit_code, 0) << args.back();
    EXPECT_THAT(result.err, HasSubstr("startup failed")) << args.back();
  }
}

// dnsmasq as the upstream: answers example.test itself, forwards nothing (--no-resolv, no
// servers), listens on loopback only.
TEST(ForwardDnsmasq, RealResolverUpstream) {
  if (access("/usr/sbin/dnsmasq", X_OK) != 0) GTEST_SKIP() << "dnsmasq not installed";
  const uint16_t dnsmasq_port = freeLoopbackPort();
  ferry::testing::Subprocess dnsmasq(
      {"/usr/sbin/dnsmasq", "--no-daemon", "--port=" + std::to_string(dnsmasq_port),
       "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
       "--address=/example.test/192.0.2.44", "--local-ttl=30", "--conf-file=/dev/null",
       "--pid-file="});
  // Ready when it answers.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  bool up = false;
  while (!up && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(dnsmasq.running());
    up = udpExchange(dnsmasq_port, makeQuery("probe.example.test", 1), 200ms).has_value();
  }
  ASSERT_TRUE(up);
  Objects objects;
  DnsProcess server(objects.yaml() + "workers: 2\n",
                    {"--upstream", "127.0.0.1:" + std::to_string(dnsmasq_port)});
  EXPECT_EQ(dig(server.port(), {"+short", "www.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dig(server.port(), {"+tcp", "+short", "www.example.test", "A"}), "192.0.2.44\n");
  EXPECT_EQ(dig(server.port(), {"+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
}

}  // namespace
}  // namespace ferry::dns::testing
