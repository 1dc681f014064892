// The real ferry-echo on loopback, asked by the clients tests and users will point at it:
// curl (HTTP/1.1 keep-alive, h2c prior knowledge, big bodies), nghttp (streams multiplexed on
// one connection), a UDP socket and a Beast WebSocket client.
#include <gmock/gmock.h>
#include <sys/socket.h>

// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <csignal>
#include <fstream>
#include <future>
#include <random>
#include <regex>

#include "echo_process.h"

namespace ferry::echo::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using namespace std::chrono_literals;
using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> matches(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back(it->size() > 1 ? (*it)[1].str() : it->str());
  }
  return out;
}

// The value of one series in a Prometheus text exposition, -1 when absent.
long metricValue(const std::string& text, const std::string& series) {
  const std::string prefix = series + " ";
  size_t at = 0;
  while ((at = text.find(prefix, at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::stol(text.substr(at + prefix.size()));
    at += prefix.size();
  }
  return -1;
}

std::string sha256(const std::filesystem::path& file) {
  const auto out = ferry::testing::runOrThrow({"sha256sum", file.string()});
  return out.substr(0, 64);
}

class EchoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new EchoProcess("echo-a"); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static EchoProcess& server() { return *server_; }

  static inline EchoProcess* server_ = nullptr;
};

TEST(EchoCliTest, HelpExitsZeroAndListsEveryFlag) {
  const auto result = ferry::testing::runCommand({FERRY_ECHO_BINARY, "--help"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* flag : {"--pod-name", "--namespace", "--http-port", "--udp-port", "--bind",
                           "--threads", "--ready-file", "--log-level", "--config"}) {
    EXPECT_THAT(result.out, HasSubstr(flag));
  }
}

TEST(EchoCliTest, BadFlagValueExitsNonZero) {
  const auto result = ferry::testing::runCommand({FERRY_ECHO_BINARY, "--threads", "0"});
  EXPECT_NE(result.exit_code, 0);
  const auto bad_bind = ferry::testing::runCommand(
      {FERRY_ECHO_BINARY, "--bind", "not-an-address", "--http-port", "0", "--udp-port", "0"});
  EXPECT_EQ(bad_bind.exit_code, 1);
  EXPECT_THAT(bad_bind.err, HasSubstr("--bind"));
}

TEST_F(EchoTest, Http11KeepAliveAnswersTwoRequestsOnOneConnection) {
  const auto result = curl({"-sv", "-H", "X-Forwarded-For: 192.0.2.7", server().url("/first?x=1"),
                            server().url("/second")});
  ASSERT_TRUE(result.ok()) << result.err;
  EXPECT_THAT(result.err, HasSubstr("Re-using existing connection"));
  const auto reports = matches(result.out, "pod=[^\n]*\n");
  ASSERT_EQ(reports.size(), 2u) << result.out;
  const std::string host = "127.0.0.1:" + std::to_string(server().httpPort());
  EXPECT_THAT(reports[0], StartsWith("pod=echo-a namespace=demo proto=HTTP/1.1 method=GET "
                                     "path=/first?x=1 host=" +
                                     host + " client=127.0.0.1:"));
  EXPECT_THAT(reports[1], HasSubstr("path=/second "));
  // Both on one connection: the same client port.
  const auto clients = matches(result.out, "client=([0-9.:]+)");
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients[0], clients[1]);
  EXPECT_THAT(result.out, HasSubstr("header: x-forwarded-for=192.0.2.7\n"));
  EXPECT_THAT(result.out, HasSubstr("header: user-agent=curl/"));
  EXPECT_THAT(result.err, HasSubstr("X-Pod-Name: echo-a"));
}

TEST_F(EchoTest, H2cPriorKnowledgeAnswersWithTheSameReport) {
  const auto result = curl({"-s", "--http2-prior-knowledge", "-H", "X-Request-Id: abc", "-w",
                            "version=%{http_version} code=%{http_code}", server().url("/h2/path")});
  ASSERT_TRUE(result.ok()) << result.err;
  const std::string host = "127.0.0.1:" + std::to_string(server().httpPort());
  EXPECT_THAT(result.out, StartsWith("pod=echo-a namespace=demo proto=h2c method=GET "
                                     "path=/h2/path host=" +
                                     host + " client=127.0.0.1:"));
  EXPECT_THAT(result.out, HasSubstr("header: x-request-id=abc\n"));
  EXPECT_THAT(result.out, EndsWith("version=2 code=200"));
}

TEST_F(EchoTest, UpgradeToH2cServesTheRequestAsStreamOne) {
  const auto result = curl({"-sv", "--http2", "-w", "version=%{http_version}\n",
                            server().url("/upgraded"), server().url("/after")});
  ASSERT_TRUE(result.ok()) << result.err;
  EXPECT_THAT(result.err,
              AllOf(HasSubstr("< HTTP/1.1 101 Switching Protocols"), HasSubstr("< Upgrade: h2c")));
  EXPECT_THAT(result.out, AllOf(HasSubstr("proto=h2c method=GET path=/upgraded "),
                                HasSubstr("proto=h2c method=GET path=/after ")));
  EXPECT_EQ(matches(result.out, "version=2\n").size(), 2u) << result.out;
  // With a body the upgrade is declined and HTTP/1.1 answers (RFC 9110 §7.8 allows it).
  const auto post = curl(
      {"-s", "--http2", "-d", "payload", "-w", " version=%{http_version}", server().url("/post")});
  EXPECT_EQ(post.out, "payload version=1.1");
}

TEST_F(EchoTest, H2cMultiplexesStreamsOnOneConnection) {
  if (!ferry::testing::runCommand({"sh", "-c", "command -v nghttp"}).ok()) {
    GTEST_SKIP() << "nghttp (nghttp2-client) not installed";
  }
  const auto result =
      ferry::testing::runCommand({"nghttp", "--timeout=10", server().url("/one"),
                                  server().url("/two"), server().url("/status/503")});
  ASSERT_TRUE(result.ok()) << result.err;
  const auto reports = matches(result.out, "pod=[^\n]*\n");
  ASSERT_EQ(reports.size(), 3u) << result.out;
  const auto clients = matches(result.out, "client=([0-9.:]+)");
  ASSERT_EQ(clients.size(), 3u);
  EXPECT_EQ(clients[0], clients[1]);
  EXPECT_EQ(clients[1], clients[2]);
  EXPECT_THAT(result.out, AllOf(HasSubstr("proto=h2c method=GET path=/one "),
                                HasSubstr("path=/two "), HasSubstr("path=/status/503 ")));
}

TEST_F(EchoTest, PostOf10MiBComesBackIntactOverEveryProtocol) {
  const auto dir = uniqueTempDir("body");
  const auto body = dir / "body.bin";
  {
    std::mt19937_64 rng(42);
    std::ofstream out(body, std::ios::binary);
    for (size_t i = 0; i < (10u << 20) / 8; ++i) {
      const uint64_t word = rng();
      out.write(reinterpret_cast<const char*>(&word), sizeof(word));
    }
  }
  const std::string want = sha256(body);
  const std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
      {"content-length", {}},
      {"chunked", {"-H", "Transfer-Encoding: chunked"}},
      {"h2c", {"--http2-prior-knowledge"}},
      {"put", {"-X", "PUT"}},
  };
  for (const auto& [name, flags] : variants) {
    const auto echoed = dir / (name + ".out");
    std::vector<std::string> args = {"-sS", "--fail",       "--data-binary", "@" + body.string(),
                                     "-o",  echoed.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    args.push_back(server().url("/upload"));
    const auto result = curl(args, 60s);
    ASSERT_TRUE(result.ok()) << name << ": " << result.err;
    EXPECT_EQ(std::filesystem::file_size(echoed), 10u << 20) << name;
    EXPECT_EQ(sha256(echoed), want) << name;
  }
  std::filesystem::remove_all(dir);
}

TEST_F(EchoTest, StatusRouteAnswersTheCodeAsked) {
  EXPECT_EQ(httpStatus(server().url("/status/503")), 503);
  EXPECT_EQ(httpStatus(server().url("/status/204")), 204);
  EXPECT_EQ(httpStatus(server().url("/status/42")), 400);
  EXPECT_EQ(httpStatus(server().url("/status/abc")), 400);
  const auto h2 = curl({"-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w", "%{http_code}",
                        server().url("/status/418")});
  EXPECT_EQ(h2.out, "418");
  const auto body = curl({"-s", server().url("/status/500")});
  EXPECT_THAT(body.out, HasSubstr("pod=echo-a "));
}

TEST_F(EchoTest, HealthzAndHeadAnswerWithoutBodies) {
  const auto health = curl({"-s", server().url("/healthz")});
  EXPECT_EQ(health.out, "ok\n");
  const auto head = curl({"-sI", server().url("/")});
  ASSERT_TRUE(head.ok()) << head.err;
  EXPECT_THAT(head.out, AllOf(StartsWith("HTTP/1.1 200"), ContainsRegex("Content-Length: [1-9]")));
}

TEST(EchoDelayTest, DelayWaitsWithoutBlockingOtherRequests) {
  EchoProcess server("echo-delay");  // one serving thread: a blocking wait would stall it
  ferry::testing::Subprocess slow({"curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null", "-w",
                                   "%{http_code}", "--max-time", "10", server.url("/delay/1500")});
  const auto started = std::chrono::steady_clock::now();
  // Every poll is an HTTP/1.1 request answered while the h2c /delay is (or is about to be)
  // waiting; a blocked thread would miss this deadline.
  ASSERT_TRUE(eventually(
      [&] {
        return metricValue(curl({"-s", server.url("/metrics")}, 2s).out,
                           "ferry_echo_requests_total{proto=\"h2c\"}") == 1;
      },
      1000ms));
  const auto fast = curl({"-s", server.url("/")});
  EXPECT_THAT(fast.out, HasSubstr("pod=echo-delay"));
  const auto fast_done = std::chrono::steady_clock::now();
  const auto result = slow.wait(15s);
  const auto slow_done = std::chrono::steady_clock::now();
  EXPECT_EQ(result.out, "200");
  EXPECT_LT(fast_done - started, 1200ms);
  EXPECT_GE(slow_done - started, 1400ms);
  EXPECT_EQ(httpStatus(server.url("/delay/soon")), 400);
}

TEST_F(EchoTest, UdpDatagramComesBackPrefixedWithThePod) {
  const auto reply = udpExchange(server().udpPort(), "hello ferry", 5s);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, "pod=echo-a hello ferry");
  // The largest IPv4 payload: the answer is cut to fit.
  const std::string big(65507, 'x');
  const auto truncated = udpExchange(server().udpPort(), big, 5s);
  ASSERT_TRUE(truncated.has_value());
  EXPECT_EQ(truncated->size(), 65507u);
  EXPECT_THAT(*truncated, StartsWith("pod=echo-a xxx"));
}

// Connects to /ws, sends a text and a binary message, returns what came back (with its kind).
asio::awaitable<std::vector<std::pair<bool, std::string>>> webSocketRoundTrip(
    uint16_t port, std::vector<std::pair<bool, std::string>> messages, std::string* pod_header) {
  auto executor = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(executor);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  co_await beast::get_lowest_layer(ws).async_connect(endpoint, asio::use_awaitable);
  websocket::response_type response;
  const std::string host = "127.0.0.1:" + std::to_string(port);
  co_await ws.async_handshake(response, host, "/ws", asio::use_awaitable);
  *pod_header = std::string(response["X-Pod-Name"]);
  std::vector<std::pair<bool, std::string>> out;
  for (const auto& [text, payload] : messages) {
    ws.text(text);
    co_await ws.async_write(asio::buffer(payload), asio::use_awaitable);
    beast::flat_buffer buffer;
    co_await ws.async_read(buffer, asio::use_awaitable);
    out.emplace_back(ws.got_text(), beast::buffers_to_string(buffer.data()));
  }
  co_await ws.async_close(websocket::close_code::normal, asio::use_awaitable);
  co_return out;
}

TEST_F(EchoTest, WebSocketEchoesTextAndBinaryMessages) {
  std::string binary(200000, '\0');
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  const std::vector<std::pair<bool, std::string>> sent = {
      {true, "hello over websocket"}, {false, binary}, {true, "again"}};
  asio::io_context io;
  std::string pod;
  auto future =
      asio::co_spawn(io, webSocketRoundTrip(server().httpPort(), sent, &pod), asio::use_future);
  io.run_for(10s);
  ASSERT_EQ(future.wait_for(0s), std::future_status::ready) << "WebSocket exchange timed out";
  const auto got = future.get();
  EXPECT_EQ(got, sent);
  EXPECT_EQ(pod, "echo-a");
  // Without the upgrade, /ws says what it wants.
  EXPECT_EQ(httpStatus(server().url("/ws")), 426);
}

TEST_F(EchoTest, MetricsCountRequestsByProtocolAndDatagrams) {
  ASSERT_TRUE(udpExchange(server().udpPort(), "count me", 5s).has_value());
  ASSERT_TRUE(curl({"-s", "--http2-prior-knowledge", server().url("/")}).ok());
  const auto metrics = curl({"-s", server().url("/metrics")});
  ASSERT_TRUE(metrics.ok());
  EXPECT_THAT(metrics.out,
              AllOf(ContainsRegex("ferry_echo_requests_total\\{proto=\"HTTP/1.1\"\\} [1-9]"),
                    ContainsRegex("ferry_echo_requests_total\\{proto=\"h2c\"\\} [1-9]"),
                    ContainsRegex("ferry_echo_udp_datagrams_total [1-9]")));
}

TEST(EchoReadinessTest, ReadyzFollowsTheReadyFile) {
  const auto dir = uniqueTempDir("ready");
  const auto ready_file = dir / "ready";
  EchoProcess server("echo-ready", {"--ready-file", ready_file.string()});
  EXPECT_EQ(httpStatus(server.url("/readyz")), 503);
  EXPECT_EQ(httpStatus(server.url("/healthz")), 200);  // alive, just not ready
  std::ofstream(ready_file) << "";
  EXPECT_EQ(httpStatus(server.url("/readyz")), 200);
  std::filesystem::remove(ready_file);
  EXPECT_EQ(httpStatus(server.url("/readyz")), 503);
  std::filesystem::remove_all(dir);
}

TEST(EchoBindTest, DefaultBindIsDualStack) {
  EchoProcess server("echo-dual", {"--threads", "2"});
  const auto v4 = curl({"-s", server.url("/")});
  EXPECT_THAT(v4.out, HasSubstr("client=127.0.0.1:"));  // v4-mapped shown as IPv4
  const auto v6 = curl({"-s", "-g", "http://[::1]:" + std::to_string(server.httpPort()) + "/"});
  if (v6.exit_code == 7) GTEST_SKIP() << "no IPv6 loopback here";
  EXPECT_THAT(v6.out, HasSubstr("client=[::1]:"));
}

TEST(EchoBindTest, Ipv4OnlyBindWorksToo) {
  EchoProcess server("echo-v4", {"--bind", "0.0.0.0"});
  EXPECT_THAT(curl({"-s", server.url("/")}).out, HasSubstr("pod=echo-v4 "));
  EXPECT_EQ(udpExchange(server.udpPort(), "x", 5s).value_or(""), "pod=echo-v4 x");
}

// Opens /ws, reports the handshake through `connected`, then waits for the server to close;
// returns the close code it sent (-1 if the connection ended some other way).
asio::awaitable<int> webSocketCloseCode(uint16_t port, std::promise<void>* connected) {
  auto executor = co_await asio::this_coro::executor;
  websocket::stream<beast::tcp_stream> ws(executor);
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
  co_await beast::get_lowest_layer(ws).async_connect(endpoint, asio::use_awaitable);
  const std::string host = "127.0.0.1:" + std::to_string(port);
  co_await ws.async_handshake(host, "/ws", asio::use_awaitable);
  connected->set_value();
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
  co_return ec == websocket::error::closed ? static_cast<int>(ws.reason().code) : -1;
}

TEST(EchoShutdownTest, SigtermFinishesRequestsInFlightAndExitsZero) {
  EchoProcess server("echo-drain");
  // An idle keep-alive connection must not hold the exit up.
  asio::io_context io;
  asio::ip::tcp::socket idle(io);
  idle.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.httpPort()));

  // So must an open WebSocket: it gets a close frame, 1001 going away.
  asio::io_context ws_io;
  std::promise<void> ws_connected;
  auto ws_closed =
      asio::co_spawn(ws_io, webSocketCloseCode(server.httpPort(), &ws_connected), asio::use_future);
  std::thread ws_thread([&] { ws_io.run_for(15s); });
  struct JoinOnExit {  // also when an assertion below returns early
    asio::io_context& io;
    std::thread& thread;
    ~JoinOnExit() {
      io.stop();
      thread.join();
    }
  } join_on_exit{ws_io, ws_thread};
  ASSERT_EQ(ws_connected.get_future().wait_for(5s), std::future_status::ready);

  // Requests so far (the readiness polls); taken before the delayed ones start.
  const long baseline = metricValue(curl({"-s", server.url("/metrics")}, 5s).out,
                                    "ferry_echo_requests_total{proto=\"HTTP/1.1\"}");
  ASSERT_GT(baseline, 0);

  ferry::testing::Subprocess h2({"curl", "-s", "--http2-prior-knowledge", "-w",
                                 " code=%{http_code}", "--max-time", "10",
                                 server.url("/delay/800")});
  ferry::testing::Subprocess h1(
      {"curl", "-s", "-D", "-", "-o", "/dev/null", "--max-time", "10", server.url("/delay/800")});
  // Both requests have arrived once the counters show them; each poll is one HTTP/1.1
  // request itself.
  int polls = 0;
  ASSERT_TRUE(eventually(
      [&] {
        const auto m = curl({"-s", server.url("/metrics")}, 5s).out;
        ++polls;
        return metricValue(m, "ferry_echo_requests_total{proto=\"h2c\"}") == 1 &&
               metricValue(m, "ferry_echo_requests_total{proto=\"HTTP/1.1\"}") ==
                   baseline + polls + 1;
      },
      5s));
  const auto signalled = std::chrono::steady_clock::now();
  const auto stopped = server.process().stop(SIGTERM, 5s);
  const auto elapsed = std::chrono::steady_clock::now() - signalled;
  EXPECT_EQ(stopped.exit_code, 0) << stopped.err;
  EXPECT_LT(elapsed, 2000ms);
  EXPECT_THAT(stopped.err, HasSubstr("\"msg\":\"shutting down\""));

  const auto h2_result = h2.wait(10s);
  EXPECT_THAT(h2_result.out,
              AllOf(HasSubstr("proto=h2c method=GET path=/delay/800"), EndsWith("code=200")));
  const auto h1_result = h1.wait(10s);
  EXPECT_THAT(h1_result.out, AllOf(StartsWith("HTTP/1.1 200"), HasSubstr("Connection: close")));
  ASSERT_EQ(ws_closed.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ws_closed.get(), 1001);
  // The idle connection was closed, not left hanging.
  char byte = 0;
  boost::system::error_code ec;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
}

}  // namespace
}  // namespace ferry::echo::testing
