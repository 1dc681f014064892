// The real ferry-dns on loopback, asked by dig and kdig over UDP and TCP, plus raw-socket checks
// for what the tools do not show: pipelining, idle close, malformed packets and metrics.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "cluster_fixture.h"
#include "dns_packets.h"
#include "dns_process.h"
#include "ferry/dns/wire_types.h"
#include "loopback_client.h"

namespace ferry::dns::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class DnsServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    objects_ = std::filesystem::temp_directory_path() /
               ("ferry-dns-objects-" + std::to_string(getpid()) + ".json");
    std::ofstream(objects_) << clusterObjects().dump();
    server_ = new DnsProcess("objects: " + objects_.string() +
                             "\nworkers: 2\ntcp-idle-timeout-ms: 1500\n");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
    std::filesystem::remove(objects_);
  }
  static uint16_t port() { return server_->port(); }

  static inline DnsProcess* server_ = nullptr;
  static inline std::filesystem::path objects_;
};

TEST_F(DnsServerTest, DigOverUdpGetsEveryRecordKind) {
  EXPECT_EQ(dig(port(), {"+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
  EXPECT_EQ(dig(port(), {"+short", "web.default.svc.cluster.local", "AAAA"}), "fd00::10\n");
  EXPECT_EQ(dig(port(), {"+short", "_http._tcp.web.default.svc.cluster.local", "SRV"}),
            "0 100 80 web.default.svc.cluster.local.\n");
  EXPECT_THAT(lines(dig(port(), {"+short", "db.apps.svc.cluster.local", "A"})),
              UnorderedElementsAre("10.244.1.5", "10.244.1.6"));
  EXPECT_EQ(dig(port(), {"+short", "db-0.db.apps.svc.cluster.local", "A"}), "10.244.1.5\n");
  EXPECT_EQ(dig(port(), {"+short", "ext.default.svc.cluster.local", "CNAME"}), "example.com.\n");
  EXPECT_EQ(dig(port(), {"+short", "-x", "10.96.0.10"}), "web.default.svc.cluster.local.\n");
  EXPECT_EQ(dig(port(), {"+short", "-x", "fd00::10"}), "web.default.svc.cluster.local.\n");
  EXPECT_EQ(dig(port(), {"+short", "10-244-9-9.default.pod.cluster.local", "A"}), "10.244.9.9\n");
  EXPECT_EQ(dig(port(), {"+short", "dns-version.cluster.local", "TXT"}), "\"1.0.1\"\n");
}

TEST_F(DnsServerTest, NegativeAnswersCarryTheSoa) {
  const std::string nx = dig(port(), {"nope.default.svc.cluster.local", "A"});
  EXPECT_THAT(nx, HasSubstr("status: NXDOMAIN"));
  EXPECT_THAT(nx, HasSubstr("AUTHORITY: 1"));
  const std::string nodata = dig(port(), {"web.default.svc.cluster.local", "TXT"});
  EXPECT_THAT(nodata, HasSubstr("status: NOERROR"));
  EXPECT_THAT(nodata, HasSubstr("ANSWER: 0, AUTHORITY: 1"));
  EXPECT_THAT(dig(port(), {"example.com", "A"}), HasSubstr("status: REFUSED"));
}

TEST_F(DnsServerTest, DigAndKdigOverTcp) {
  EXPECT_EQ(dig(port(), {"+tcp", "+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
  EXPECT_EQ(kdig(port(), {"+tcp", "+short", "web.default.svc.cluster.local", "A"}), "10.96.0.10\n");
  EXPECT_THAT(lines(kdig(port(), {"+tcp", "+short", "_pg._tcp.db.apps.svc.cluster.local", "SRV"})),
              UnorderedElementsAre("0 100 5432 db-0.db.apps.svc.cluster.local.",
                                   "0 100 5432 10-244-1-6.db.apps.svc.cluster.local."));
  // kdig sends several queries down one kept-open connection.
  const auto both =
      lines(kdig(port(), {"+tcp", "+keepopen", "+short", "web.default.svc.cluster.local", "A",
                          "db-0.db.apps.svc.cluster.local", "A"}));
  EXPECT_THAT(both, UnorderedElementsAre("10.96.0.10", "10.244.1.5"));
}

TEST_F(DnsServerTest, TruncatedUdpAnswerIsRetriedOverTcp) {
  // Without EDNS0 the 60 addresses do not fit 512 bytes.
  const std::string only_udp =
      dig(port(), {"+noedns", "+ignore", "big.apps.svc.cluster.local", "A"});
  EXPECT_THAT(only_udp, ::testing::MatchesRegex("(.|\n)*flags: qr aa tc rd;(.|\n)*"));
  EXPECT_THAT(only_udp, HasSubstr("ANSWER: 0"));

  const std::string retried = dig(port(), {"+noedns", "big.apps.svc.cluster.local", "A"});
  EXPECT_THAT(retried, HasSubstr("Truncated, retrying in TCP mode"));
  EXPECT_THAT(retried, HasSubstr("ANSWER: " + std::to_string(kBigEndpoints)));

  // With a 4096-byte EDNS0 buffer the same answer fits UDP.
  const std::string big = dig(port(), {"+bufsize=4096", "big.apps.svc.cluster.local", "A"});
  EXPECT_THAT(big, ::testing::Not(HasSubstr("Truncated")));
  EXPECT_THAT(big, HasSubstr("ANSWER: " + std::to_string(kBigEndpoints)));
  EXPECT_THAT(big, HasSubstr("udp: 4096"));
}

TEST_F(DnsServerTest, PipelinedTcpQueriesAreAnsweredInOrder) {
  TcpClient tcp(port());
  std::vector<std::vector<uint8_t>> queries;
  for (uint16_t id = 1; id <= 5; ++id) {
    QueryOptions o = withId(id);
    queries.push_back(
        makeQuery(id % 2 ? "web.default.svc.cluster.local" : "nope.cluster.local", rrtype::kA, o));
  }
  tcp.sendAll(queries);
  for (uint16_t id = 1; id <= 5; ++id) {
    auto reply = tcp.receive(5s);
    ASSERT_TRUE(reply.has_value()) << "answer " << id;
    auto decoded = decodeResponse(*reply);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->id, id);
    EXPECT_EQ(decoded->rcode, id % 2 ? 0 : 3);
  }
}

TEST_F(DnsServerTest, IdleTcpConnectionsAreClosed) {
  TcpClient tcp(port());
  tcp.sendAll({makeQuery("web.default.svc.cluster.local", rrtype::kA)});
  ASSERT_TRUE(tcp.receive(5s).has_value());
  // Configured idle timeout is 1.5 s; allow generous slack, never wait without a condition.
  EXPECT_TRUE(tcp.closedByPeer(10s));
}

TEST_F(DnsServerTest, MalformedPacketsGetFormErrOrSilenceAndAreCounted) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA);
  std::vector<uint8_t> no_question(query.begin(), query.begin() + 12);
  auto formerr = udpExchange(port(), no_question, 2s);
  ASSERT_TRUE(formerr.has_value());
  EXPECT_EQ(decodeResponse(*formerr)->rcode, 1);
  std::vector<uint8_t> loop = no_question;
  loop.insert(loop.end(), {0xC0, 12, 0, 1, 0, 1});  // a pointer to itself
  EXPECT_EQ(decodeResponse(udpExchange(port(), loop, 2s).value())->rcode, 1);
  EXPECT_FALSE(udpExchange(port(), {1, 2, 3}, 300ms).has_value());  // runt: dropped
  // Still serving.
  EXPECT_EQ(decodeResponse(udpExchange(port(), query, 2s).value())->rcode, 0);

  auto metrics = httpGet(server_->metricsPort(), "/metrics", 5s);
  ASSERT_TRUE(metrics.has_value());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_THAT(metrics->body, HasSubstr("ferry_dns_malformed_total{problem=\"bad_name\"}"));
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      metrics->body, m,
      std::regex("ferry_dns_responses_total\\{qtype=\"A\",rcode=\"NOERROR\"\\} ([0-9]+)")));
  EXPECT_GE(std::stoi(m[1]), 1);
  ASSERT_TRUE(std::regex_search(
      metrics->body, m,
      std::regex("ferry_dns_malformed_total\\{problem=\"short_header\"\\} ([0-9]+)")));
  EXPECT_GE(std::stoi(m[1]), 1);
  EXPECT_THAT(metrics->body, HasSubstr("ferry_dns_zone_synced 1"));
  EXPECT_EQ(httpGet(server_->metricsPort(), "/readyz", 5s).value().status, 200);
}

// A burst sent without waiting reaches the server as one recvmmsg() batch (or a few): every
// query, from several client sockets, gets its own answer at its own address, the runt in the
// middle is dropped without disturbing its neighbours, and a FORMERR goes to the right client.
TEST_F(DnsServerTest, BurstsFromSeveralClientsAreAnsweredOneByOne) {
  constexpr int kClients = 4;
  constexpr int kPerClient = 25;
  std::vector<int> fds;
  for (int c = 0; c < kClients; ++c) {
    const int fd = socket(AF_INET, SOCK_DGRAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to), 0);
    fds.push_back(fd);
  }
  const auto queryFor = [](int c, int i) {
    const uint16_t id = static_cast<uint16_t>(c * 1000 + i);
    if (i == 7) {  // a question-less header: FORMERR for this one only
      auto q = makeQuery("web.default.svc.cluster.local", rrtype::kA, withId(id));
      q.resize(12);
      return q;
    }
    const std::string name =
        i % 2 ? "web.default.svc.cluster.local" : "nope.default.svc.cluster.local";
    return makeQuery(name, rrtype::kA, withId(id));
  };
  for (int i = 0; i < kPerClient; ++i) {
    for (int c = 0; c < kClients; ++c) {
      const auto q = queryFor(c, i);
      ASSERT_EQ(send(fds[c], q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
      if (i == 3) {
        ASSERT_EQ(send(fds[c], "\x01\x02\x03", 3, 0), 3);  // runt: dropped
      }
    }
  }
  for (int c = 0; c < kClients; ++c) {
    timeval tv{5, 0};
    setsockopt(fds[c], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::set<uint16_t> seen;
    for (int n = 0; n < kPerClient; ++n) {
      std::vector<uint8_t> buf(4096);
      const ssize_t got = recv(fds[c], buf.data(), buf.size(), 0);
      ASSERT_GT(got, 0) << "client " << c << " got " << n << " of " << kPerClient << " answers";
      buf.resize(static_cast<size_t>(got));
      const auto r = decodeResponse(buf);
      ASSERT_TRUE(r.has_value());
      ASSERT_GE(r->id, c * 1000);
      ASSERT_LT(r->id, c * 1000 + kPerClient) << "an answer reached the wrong client";
      const int i = r->id - c * 1000;
      EXPECT_EQ(r->rcode, i == 7 ? 1 : (i % 2 ? 0 : 3)) << "query " << i;
      EXPECT_TRUE(seen.insert(r->id).second) << "query " << i << " answered twice";
    }
    close(fds[c]);
  }
}

TEST(DnsServerWithoutSource, AnswersServFailUntilSynced) {
  DnsProcess server("workers: 1\n");
  EXPECT_THAT(dig(server.port(), {"web.default.svc.cluster.local", "A"}),
              HasSubstr("status: SERVFAIL"));
  EXPECT_THAT(dig(server.port(), {"example.com", "A"}), HasSubstr("status: REFUSED"));
  EXPECT_EQ(httpGet(server.metricsPort(), "/readyz", 5s).value().status, 503);
}

TEST(DnsServerFlags, ZoneAndTtlFromFlagsWinOverTheConfigFile) {
  const auto objects = std::filesystem::temp_directory_path() /
                       ("ferry-dns-objects-flags-" + std::to_string(getpid()) + ".json");
  std::ofstream(objects) << clusterObjects().dump();
  DnsProcess server("zone: example.internal\nttl: 7\nobjects: " + objects.string() + "\n",
                    {"--ttl", "42"});
  const std::string out =
      dig(server.port(), {"+noall", "+answer", "web.default.svc.example.internal", "A"});
  EXPECT_THAT(
      out,
      ::testing::MatchesRegex(
          "web\\.default\\.svc\\.example\\.internal\\.\\s+42\\s+IN\\s+A\\s+10\\.96\\.0\\.10\n"));
  std::filesystem::remove(objects);
}

TEST(DnsServerFlags, HelpListsTheFlags) {
  const auto help = ferry::testing::runCommand({FERRY_DNS_BINARY, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("--listen"));
  EXPECT_THAT(help.out, HasSubstr("--objects"));
  const auto bad = ferry::testing::runCommand({FERRY_DNS_BINARY, "--pods", "sometimes"});
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace ferry::dns::testing

namespace ferry::dns::testing {
namespace {

TEST(DnsServerLimits, ConnectionsOverTheLimitAreClosedAndCounted) {
  DnsProcess server("workers: 1\nmax-tcp-connections: 1\n");
  TcpClient first(server.port());
  first.sendAll({makeQuery("dns-version.cluster.local", rrtype::kTxt)});
  ASSERT_TRUE(first.receive(std::chrono::seconds(5)).has_value());  // accepted and counted
  TcpClient second(server.port());
  EXPECT_TRUE(second.closedByPeer(std::chrono::seconds(5)));
  const auto metrics = httpGet(server.metricsPort(), "/metrics", std::chrono::seconds(5));
  ASSERT_TRUE(metrics.has_value());
  EXPECT_THAT(metrics->body, ::testing::HasSubstr("ferry_dns_tcp_rejected_total 1"));
}

}  // namespace
}  // namespace ferry::dns::testing
