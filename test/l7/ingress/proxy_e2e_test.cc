// ferry-ingress end to end: the real binary, configured by an --objects file, in front of real
// ferry-echo backends on loopback, driven by curl and raw sockets.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <regex>
#include <set>

#include "ferry/api/base64.h"
#include "proxy_harness.h"

namespace ferry::ingress::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Two echo pods; Services over them; one Ingress per set of annotations.
class ProxyE2eTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    a_ = new EchoBackend("pod-a");
    b_ = new EchoBackend("pod-b");
    closed_port_ = freeLoopbackPort();  // nothing listens there
    const std::vector<Json> objects = {
        ingressClass(),
        service("default", "web-a", "10.96.0.10", 80),
        endpointSlice("default", "web-a-1", "web-a", a_->port()),
        service("default", "web-b", "10.96.0.11", 80),
        endpointSlice("default", "web-b-1", "web-b", b_->port()),
        service("default", "both", "10.96.0.12", 80),
        endpointSlice("default", "both-a", "both", a_->port()),
        endpointSlice("default", "both-b", "both", b_->port()),
        service("default", "empty", "10.96.0.13", 80),
        endpointSlice("default", "empty-1", "empty", 8080, {}),
        service("default", "down", "10.96.0.14", 80),
        endpointSlice("default", "down-1", "down", closed_port_),
        ingress("default", "main",
                {{"a.example.com", {{"/", "Prefix", "web-a"}}},
                 {"b.example.com", {{"/", "Prefix", "web-b"}, {"/exact", "Exact", "web-a"}}},
                 {"*.wild.example.com", {{"/", "Prefix", "web-b"}}},
                 {"paths.example.com",
                  {{"/app", "Prefix", "web-a"}, {"/app/admin", "Prefix", "web-b"}}},
                 {"rr.example.com", {{"/", "Prefix", "both"}}},
                 {"empty.example.com", {{"/", "Prefix", "empty"}}},
                 {"down.example.com", {{"/", "Prefix", "down"}}}}),
        ingress("default", "slow", {{"slow.example.com", {{"/", "Prefix", "web-a"}}}},
                {{"ferry.io/upstream-timeout", "1"}}),
        ingress("default", "small", {{"small.example.com", {{"/", "Prefix", "web-a"}}}},
                {{"ferry.io/proxy-body-size", "1k"}}),
        ingress("default", "big", {{"big.example.com", {{"/", "Prefix", "web-a"}}}},
                {{"ferry.io/proxy-body-size", "0"}}),
    };
    proxy_ = new IngressProcess(objects, {"--header-timeout-s", "2"});
  }
  static void TearDownTestSuite() {
    delete proxy_;
    delete a_;
    delete b_;
  }

  static CurlResult get(const std::string& host, const std::string& path,
                        std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-H", "Host: " + host};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(proxy_->url(path));
    return curl(args);
  }
  static std::string podOf(const CurlResult& r) {
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("pod=(\\S+)")) ? m[1].str() : "";
  }

  static inline EchoBackend* a_ = nullptr;
  static inline EchoBackend* b_ = nullptr;
  static inline uint16_t closed_port_ = 0;
  static inline IngressProcess* proxy_ = nullptr;
};

TEST_F(ProxyE2eTest, RoutesByHostToDifferentBackends) {
  const auto a = get("a.example.com", "/hello");
  const auto b = get("b.example.com", "/hello");
  ASSERT_EQ(a.status, 200) << a.stderr_text;
  ASSERT_EQ(b.status, 200) << b.stderr_text;
  EXPECT_EQ(podOf(a), "pod-a");
  EXPECT_EQ(podOf(b), "pod-b");
  EXPECT_THAT(a.body, HasSubstr("path=/hello"));
  EXPECT_THAT(a.body, HasSubstr("host=a.example.com"));
  // Case and port of the Host header do not matter.
  EXPECT_EQ(podOf(get("B.Example.COM:8080", "/")), "pod-b");
}

TEST_F(ProxyE2eTest, ExactBeatsPrefixOnlyForTheExactPath) {
  EXPECT_EQ(podOf(get("b.example.com", "/exact")), "pod-a");
  EXPECT_EQ(podOf(get("b.example.com", "/exact?x=1")), "pod-a");
  EXPECT_EQ(podOf(get("b.example.com", "/exact/more")), "pod-b");
  EXPECT_EQ(podOf(get("b.example.com", "/exactly")), "pod-b");
}

TEST_F(ProxyE2eTest, LongestPrefixWinsOnSegments) {
  EXPECT_EQ(podOf(get("paths.example.com", "/app")), "pod-a");
  EXPECT_EQ(podOf(get("paths.example.com", "/app/admin/users")), "pod-b");
  EXPECT_EQ(podOf(get("paths.example.com", "/app/administrator")), "pod-a");
  EXPECT_EQ(get("paths.example.com", "/application").status, 404);
}

TEST_F(ProxyE2eTest, WildcardHostMatchesOneLabel) {
  EXPECT_EQ(podOf(get("x.wild.example.com", "/")), "pod-b");
  EXPECT_EQ(get("wild.example.com", "/").status, 404);
  EXPECT_EQ(get("a.b.wild.example.com", "/").status, 404);
}

TEST_F(ProxyE2eTest, NoRouteIs404) {
  const auto r = get("nowhere.example.com", "/");
  EXPECT_EQ(r.status, 404);
  EXPECT_THAT(proxy_->metrics(),
              HasSubstr("ferry_ingress_requests_total{backend=\"\",code=\"4xx\"}"));
}

TEST_F(ProxyE2eTest, NoEndpointsIs503) {
  EXPECT_EQ(get("empty.example.com", "/").status, 503);
}

TEST_F(ProxyE2eTest, BackendDownIs502AndCounted) {
  EXPECT_EQ(get("down.example.com", "/").status, 502);
  const std::string m = proxy_->metrics();
  EXPECT_THAT(m, Not(HasSubstr("ferry_ingress_upstream_connect_failures_total 0\n")));
  EXPECT_THAT(m, HasSubstr("ferry_ingress_upstream_connect_failures_total"));
}

TEST_F(ProxyE2eTest, SlowBackendIs504AfterUpstreamTimeout) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = get("slow.example.com", "/delay/3000");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 504);
  EXPECT_LT(took, std::chrono::milliseconds(2900));
  // Within the timeout it passes.
  EXPECT_EQ(get("slow.example.com", "/delay/100").status, 200);
}

TEST_F(ProxyE2eTest, BackendStatusPassesThrough) {
  EXPECT_EQ(get("a.example.com", "/status/418").status, 418);
  EXPECT_EQ(get("a.example.com", "/status/204").status, 204);
}

TEST_F(ProxyE2eTest, ForwardedHeadersReachTheBackend) {
  const auto r = get("a.example.com", "/h",
                     {"-H", "X-Forwarded-For: 203.0.113.7", "-H", "Connection: X-Secret", "-H",
                      "X-Secret: 1", "-H", "Keep-Alive: timeout=5"});
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("header: x-forwarded-for=203.0.113.7, 127.0.0.1\n"));
  EXPECT_THAT(r.body, HasSubstr("header: x-forwarded-proto=http\n"));
  EXPECT_THAT(r.body, HasSubstr("header: x-forwarded-host=a.example.com\n"));
  EXPECT_THAT(r.body,
              HasSubstr("header: x-forwarded-port=" + std::to_string(proxy_->port()) + "\n"));
  EXPECT_THAT(r.body, HasSubstr("header: via=1.1 ferry\n"));
  EXPECT_TRUE(std::regex_search(r.body, std::regex("header: x-request-id=[0-9a-f]{32}\n")))
      << r.body;
  // Hop-by-hop: Connection, what it names, Keep-Alive.
  EXPECT_THAT(r.body, Not(HasSubstr("x-secret")));
  EXPECT_THAT(r.body, Not(HasSubstr("keep-alive=")));

  const auto kept = get("a.example.com", "/h", {"-H", "X-Request-Id: abc-123"});
  EXPECT_THAT(kept.body, HasSubstr("header: x-request-id=abc-123\n"));
}

TEST_F(ProxyE2eTest, ResponseCarriesVia) {
  const auto r = get("a.example.com", "/", {"-D", "-"});
  EXPECT_THAT(r.body, HasSubstr("Via: 1.1 ferry"));
  EXPECT_THAT(r.body, HasSubstr("X-Pod-Name: pod-a"));
}

TEST_F(ProxyE2eTest, KeepAliveReusesTheClientConnection) {
  const auto r =
      curl({"-v", "-H", "Host: a.example.com", proxy_->url("/one"), proxy_->url("/two")});
  EXPECT_THAT(r.stderr_text, HasSubstr("Re-using existing connection"));
  EXPECT_THAT(r.body, HasSubstr("path=/one"));
  EXPECT_THAT(r.body, HasSubstr("path=/two"));
}

TEST_F(ProxyE2eTest, UpstreamConnectionsAreReused) {
  // The backend reports the proxy's source port: the same port means the same pooled
  // connection, even across two client connections.
  auto client = [](const CurlResult& r) {
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("client=(\\S+)")) ? m[1].str() : "";
  };
  const auto first = get("a.example.com", "/one");
  const auto second = get("a.example.com", "/two");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_FALSE(client(first).empty());
  EXPECT_EQ(client(first), client(second));
}

TEST_F(ProxyE2eTest, HeadGetsHeadersOnly) {
  const auto r = curl({"-I", "-H", "Host: a.example.com", proxy_->url("/head")});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("Via: 1.1 ferry"));
  // The connection stays usable: a HEAD response has no body to wait for.
  const auto two =
      curl({"-v", "-I", "-H", "Host: a.example.com", proxy_->url("/h1"), proxy_->url("/h2")});
  EXPECT_THAT(two.stderr_text, HasSubstr("Re-using existing connection"));
}

TEST_F(ProxyE2eTest, PipelinedRequestsAnsweredInOrder) {
  const std::string one = "GET /first HTTP/1.1\r\nHost: a.example.com\r\n\r\n";
  const std::string two =
      "GET /second HTTP/1.1\r\nHost: b.example.com\r\nConnection: close\r\n\r\n";
  const std::string raw = rawExchange(proxy_->port(), one + two);
  const size_t first = raw.find("path=/first");
  const size_t second = raw.find("path=/second");
  ASSERT_NE(first, std::string::npos) << raw;
  ASSERT_NE(second, std::string::npos) << raw;
  EXPECT_LT(first, second);
  // Each report starts "pod=<name> ... path=<path>".
  EXPECT_EQ(raw.rfind("pod=pod-a", first), raw.rfind("pod=", first));
  EXPECT_EQ(raw.rfind("pod=pod-b", second), raw.rfind("pod=", second));
}

TEST_F(ProxyE2eTest, RoundRobinAlternatesEndpoints) {
  std::vector<std::string> pods;
  for (int i = 0; i < 6; ++i) pods.push_back(podOf(get("rr.example.com", "/")));
  for (size_t i = 1; i < pods.size(); ++i) {
    EXPECT_NE(pods[i], pods[i - 1]) << "request " << i;
    EXPECT_TRUE(pods[i] == "pod-a" || pods[i] == "pod-b") << pods[i];
  }
}

TEST_F(ProxyE2eTest, BodyOverRouteLimitIs413) {
  const std::string body(4096, 'x');
  const auto r =
      curl({"-H", "Host: small.example.com", "--data-binary", body, proxy_->url("/upload")});
  EXPECT_EQ(r.status, 413);
  const auto ok = curl({"-H", "Host: small.example.com", "--data-binary", std::string(512, 'y'),
                        proxy_->url("/upload")});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, std::string(512, 'y'));
  // Chunked: the limit applies while the body streams. The echo backend answers as soon as it
  // has the request header, so the limit may trip after its response began: then the exchange
  // is cut (no complete response reaches the client) instead of answered 413.
  const std::string chunked =
      "POST /upload HTTP/1.1\r\nHost: small.example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
      "800\r\n" +
      std::string(0x800, 'z') + "\r\n0\r\n\r\n";
  for (int i = 0; i < 5; ++i) {
    const std::string raw = rawExchange(proxy_->port(), chunked);
    const bool refused = statusOf(raw) == 413;
    const bool cut = statusOf(raw) == 200 && !raw.ends_with("\r\n0\r\n\r\n") &&
                     raw.find(std::string(0x800, 'z')) == std::string::npos;
    EXPECT_TRUE(refused || cut) << raw.substr(0, 300);
  }
  EXPECT_THAT(proxy_->metrics(),
              HasSubstr("ferry_ingress_rejections_total{reason=\"body_too_large\"}"));
}

TEST_F(ProxyE2eTest, HugeHeaderIs431) {
  const auto r = get("a.example.com", "/", {"-H", "X-Big: " + std::string(40000, 'h')});
  EXPECT_EQ(r.status, 431);
  std::string many = "GET / HTTP/1.1\r\nHost: a.example.com\r\n";
  for (int i = 0; i < 150; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), many + "\r\n")), 431);
}

TEST_F(ProxyE2eTest, LongRequestLineIs414) {
  const std::string line =
      "GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: a.example.com\r\n\r\n";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), line)), 414);
  const std::string huge =
      "GET /" + std::string(40000, 'a') + " HTTP/1.1\r\nHost: a.example.com\r\n\r\n";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), huge)), 414);
}

TEST_F(ProxyE2eTest, SmugglingVectorsAre400) {
  const std::string cl_te =
      "POST / HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: 5\r\n"
      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), cl_te)), 400);
  const std::string te_cl =
      "POST / HTTP/1.1\r\nHost: a.example.com\r\nTransfer-Encoding: chunked\r\n"
      "Content-Length: 5\r\n\r\n0\r\n\r\n";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), te_cl)), 400);
  const std::string two_cl =
      "POST / HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
      "hello!";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), two_cl)), 400);
  const std::string bad_te =
      "POST / HTTP/1.1\r\nHost: a.example.com\r\nTransfer-Encoding: gzip\r\n\r\nxx";
  EXPECT_EQ(statusOf(rawExchange(proxy_->port(), bad_te)), 400);
  EXPECT_THAT(proxy_->metrics(),
              HasSubstr("ferry_ingress_rejections_total{reason=\"ambiguous_framing\"}"));
  EXPECT_TRUE(proxy_->running());
}

TEST_F(ProxyE2eTest, SlowHeadersGet408) {
  const auto start = std::chrono::steady_clock::now();
  const std::string raw =
      rawExchange(proxy_->port(), "GET / HTTP/1.1\r\nHost: a.exa", std::chrono::seconds(6));
  EXPECT_EQ(statusOf(raw), 408) << raw;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Writes `size` random bytes to a file under /tmp and returns its path.
std::string randomFile(size_t size, const std::string& name) {
  std::mt19937_64 rng(42);
  std::string data(size, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  const std::string path = "/tmp/ferry-ingress-e2e-" + std::to_string(getpid()) + "-" + name;
  std::ofstream(path, std::ios::binary) << data;
  return path;
}

std::string sha256(const std::string& path) {
  const auto r = ferry::testing::runCommand({"sha256sum", path});
  return r.out.substr(0, 64);
}

long peakRssKb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::atol(line.c_str() + 6);
  }
  return 0;
}

TEST_F(ProxyE2eTest, TenMiBPostEchoedIntactContentLengthAndChunked) {
  const long hwm_before = peakRssKb(proxy_->pid());
  ASSERT_GT(hwm_before, 0);
  const std::string in = randomFile(10 << 20, "in");
  const std::string out = in + ".out";
  for (const bool chunked : {false, true}) {
    std::vector<std::string> args = {"-H", "Host: big.example.com", "--data-binary", "@" + in, "-o",
                                     out};
    if (chunked) args.insert(args.end(), {"-H", "Transfer-Encoding: chunked"});
    args.push_back(proxy_->url("/upload"));
    const auto r = curl(args);
    EXPECT_EQ(r.status, 200) << "chunked=" << chunked << " " << r.stderr_text;
    EXPECT_EQ(sha256(out), sha256(in)) << "chunked=" << chunked;
  }
  std::remove(in.c_str());
  std::remove(out.c_str());
  // Streaming, not buffering: the proxy's peak RSS grows far less than the body size.
  const long hwm_after = peakRssKb(proxy_->pid());
  EXPECT_LT(hwm_after - hwm_before, 4 * 1024) << hwm_before << " kB -> " << hwm_after << " kB";
}

TEST_F(ProxyE2eTest, MetricsAndHealth) {
  const std::string m = proxy_->metrics();
  EXPECT_THAT(m, HasSubstr("ferry_ingress_config_ready 1"));
  EXPECT_THAT(m,
              HasSubstr("ferry_ingress_requests_total{backend=\"default/web-a:80\",code=\"2xx\"}"));
  EXPECT_THAT(m, HasSubstr("ferry_ingress_active_connections"));
  EXPECT_THAT(m, HasSubstr("ferry_ingress_config_reloads_total"));
  EXPECT_EQ(statusOf(rawExchange(proxy_->metricsPort(),
                                 "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
            200);
}

// A separate proxy: spec.defaultBackend catches what no rule matches.
TEST(ProxyDefaultBackendE2eTest, DefaultBackendTakesUnmatchedRequests) {
  EchoBackend a("pod-a");
  EchoBackend b("pod-b");
  IngressProcess proxy({ingressClass(), service("default", "web-a", "10.96.0.10", 80),
                        endpointSlice("default", "web-a-1", "web-a", a.port()),
                        service("default", "web-b", "10.96.0.11", 80),
                        endpointSlice("default", "web-b-1", "web-b", b.port()),
                        ingress("default", "main", {{"a.example.com", {{"/", "Prefix", "web-a"}}}},
                                {}, PathRule{"", "", "web-b", 80})});
  auto pod = [&](const std::string& host) {
    const auto r = curl({"-H", "Host: " + host, proxy.url("/x")});
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("pod=(\\S+)")) ? m[1].str() : "";
  };
  EXPECT_EQ(pod("a.example.com"), "pod-a");
  EXPECT_EQ(pod("other.example.com"), "pod-b");
}

// --max-connections: a connection over the per-worker limit is closed at accept, and counted.
TEST(ProxyLimitsE2eTest, ConnectionsOverTheLimitAreRefused) {
  EchoBackend a("pod-a");
  IngressProcess proxy(
      {ingressClass(), service("default", "web-a", "10.96.0.10", 80),
       endpointSlice("default", "web-a-1", "web-a", a.port()),
       ingress("default", "main", {{"a.example.com", {{"/", "Prefix", "web-a"}}}})},
      {"--max-connections", "1"});
  // One connection held open (a keep-alive exchange done on it proves it is accepted).
  const int held = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(proxy.port());
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(held, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)), 0);
  const std::string req = "GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n";
  ASSERT_EQ(::send(held, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  char buf[4096];
  ASSERT_GT(::recv(held, buf, sizeof(buf), 0), 0);
  EXPECT_EQ(statusOf(std::string(buf, 12)), 200);

  const auto refused = curl({"-H", "Host: a.example.com", proxy.url("/")});
  EXPECT_EQ(refused.status, 0);
  EXPECT_THAT(proxy.metrics(),
              HasSubstr("ferry_ingress_rejections_total{reason=\"max_connections\"} 1"));
  ::close(held);
}

// A certificate for `cn` made with the openssl CLI: {cert PEM, key PEM}.
std::pair<std::string, std::string> makeCertificate(const std::string& cn) {
  const std::string base = "/tmp/ferry-ingress-e2e-" + std::to_string(getpid()) + "-" + cn;
  ferry::testing::runOrThrow({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj",
                              "/CN=" + cn, "-keyout", base + ".key", "-out", base + ".crt"});
  auto slurp = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::pair<std::string, std::string> out{slurp(base + ".crt"), slurp(base + ".key")};
  std::remove((base + ".crt").c_str());
  std::remove((base + ".key").c_str());
  return out;
}

Json tlsSecret(const std::string& name, const std::pair<std::string, std::string>& pem) {
  return {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", {{"namespace", "default"}, {"name", name}}},
      {"type", "kubernetes.io/tls"},
      {"data",
       {{"tls.crt", api::base64Encode(pem.first)}, {"tls.key", api::base64Encode(pem.second)}}}};
}

// TLS termination: SNI picks the certificate (the Secret's, else the generated default), the
// Host header picks the route, and the backend sees X-Forwarded-Proto: https.
TEST(ProxyTlsE2eTest, SniPicksCertificateHostPicksRoute) {
  EchoBackend a("pod-a");
  EchoBackend b("pod-b");
  Json secure = ingress("default", "secure",
                        {{"secure.example.com", {{"/", "Prefix", "web-a"}}},
                         {"x.wild.example.com", {{"/", "Prefix", "web-b"}}}});
  secure["spec"]["tls"] = {{{"hosts", {"secure.example.com"}}, {"secretName", "secure-tls"}},
                           {{"hosts", {"*.wild.example.com"}}, {"secretName", "wild-tls"}}};
  const uint16_t https_port = freeLoopbackPort();
  IngressProcess proxy({ingressClass(), service("default", "web-a", "10.96.0.10", 80),
                        endpointSlice("default", "web-a-1", "web-a", a.port()),
                        service("default", "web-b", "10.96.0.11", 80),
                        endpointSlice("default", "web-b-1", "web-b", b.port()),
                        tlsSecret("secure-tls", makeCertificate("secure.example.com")),
                        tlsSecret("wild-tls", makeCertificate("*.wild.example.com")), secure},
                       {"--https-listen", "127.0.0.1:" + std::to_string(https_port)});
  const std::string port = std::to_string(https_port);
  auto get = [&](const std::string& sni, const std::string& host) {
    return curl({"-v", "-k", "--resolve", sni + ":" + port + ":127.0.0.1", "-H", "Host: " + host,
                 "https://" + sni + ":" + port + "/tls"});
  };

  const auto r = get("secure.example.com", "secure.example.com");
  ASSERT_EQ(r.status, 200) << r.stderr_text;
  EXPECT_THAT(r.stderr_text, HasSubstr("subject: CN=secure.example.com"));
  EXPECT_THAT(r.body, HasSubstr("pod=pod-a"));
  EXPECT_THAT(r.body, HasSubstr("header: x-forwarded-proto=https\n"));

  const auto wild = get("x.wild.example.com", "x.wild.example.com");
  EXPECT_EQ(wild.status, 200);
  EXPECT_THAT(wild.stderr_text, HasSubstr("subject: CN=*.wild.example.com"));
  EXPECT_THAT(wild.body, HasSubstr("pod=pod-b"));

  // An unknown SNI name gets the default certificate; the Host header still routes.
  const auto other = get("other.example.com", "secure.example.com");
  EXPECT_EQ(other.status, 200);
  EXPECT_THAT(other.stderr_text, HasSubstr("subject: CN=ferry-ingress-default"));
  EXPECT_THAT(other.body, HasSubstr("pod=pod-a"));

  // TLS 1.2 works too (1.3 is curl's default).
  const auto tls12 =
      curl({"-k", "--tls-max", "1.2", "--resolve", "secure.example.com:" + port + ":127.0.0.1",
            "https://secure.example.com:" + port + "/"});
  EXPECT_EQ(tls12.status, 200);
  EXPECT_THAT(proxy.metrics(), HasSubstr("ferry_ingress_tls_handshakes_total 4"));
}

// Least request and Maglev pick endpoints that exist; Maglev sticks to one for one client.
TEST(ProxyBalancingE2eTest, MaglevSticksToOneEndpointPerClient) {
  EchoBackend a("pod-a");
  EchoBackend b("pod-b");
  IngressProcess proxy({ingressClass(), service("default", "both", "10.96.0.12", 80),
                        endpointSlice("default", "both-a", "both", a.port()),
                        endpointSlice("default", "both-b", "both", b.port()),
                        ingress("default", "mg", {{"mg.example.com", {{"/", "Prefix", "both"}}}},
                                {{"ferry.io/load-balance", "maglev"}}),
                        ingress("default", "lr", {{"lr.example.com", {{"/", "Prefix", "both"}}}},
                                {{"ferry.io/load-balance", "least-request"}})});
  auto pod = [&](const std::string& host) {
    const auto r = curl({"-H", "Host: " + host, proxy.url("/")});
    std::smatch m;
    return std::regex_search(r.body, m, std::regex("pod=(\\S+)")) ? m[1].str() : "";
  };
  const std::string first = pod("mg.example.com");
  ASSERT_TRUE(first == "pod-a" || first == "pod-b") << first;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pod("mg.example.com"), first);
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) seen.insert(pod("lr.example.com"));
  EXPECT_EQ(seen, (std::set<std::string>{"pod-a", "pod-b"}));
}

}  // namespace
}  // namespace ferry::ingress::testing
