#include "ferry/echo/echo_server.h"

// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "connections.h"
#include "echo_context.h"
#include "ferry/runtime/log.h"

namespace ferry::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

// The largest UDP payload over IPv4 (65535 - 20 - 8).
constexpr size_t kMaxUdpPayload = 65507;

std::string peerOf(const tcp::socket& socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  auto address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return formatPeer(address.to_string(), peer.port());
}

// Reads until the first bytes either are the HTTP/2 preface or cannot be; then hands over.
awaitable<void> serveConnection(EchoContext& context, tcp::socket socket) {
  auto hook = context.track(socket.get_executor());
  const std::string client = peerOf(socket);
  boost::system::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer buffer;
  bool h2 = false;
  {
    DrainGuard guard(*hook);
    hook->on_drain = [&socket] {
      boost::system::error_code ignored;
      socket.cancel(ignored);
    };
    if (hook->draining()) co_return;
    for (;;) {
      const auto data = buffer.data();
      const std::string_view seen(static_cast<const char*>(data.data()), data.size());
      const size_t n = std::min(seen.size(), kH2Preface.size());
      if (seen.substr(0, n) != kH2Preface.substr(0, n)) break;
      if (n == kH2Preface.size()) {
        h2 = true;
        break;
      }
      const size_t got = co_await socket.async_read_some(buffer.prepare(4096),
                                                         asio::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      buffer.commit(got);
    }
  }
  if (h2) {
    co_await serveH2c(context, hook, std::move(socket), std::move(buffer), client);
  } else {
    co_await serveHttp1(context, hook, std::move(socket), std::move(buffer), client);
  }
}

}  // namespace

struct EchoServer::Impl {
  explicit Impl(EchoOptions o)
      : options(o),
        context(std::move(o), runtime::Registry::global()),
        acceptor(asio::make_strand(io)),
        udp_socket(asio::make_strand(io)) {}

  api::Result<bool> bind();
  void receiveDatagram();
  awaitable<void> acceptLoop();

  // The context outlives the io_context: destroying the io_context destroys suspended
  // connection coroutines, whose hooks unregister from the context.
  EchoOptions options;
  EchoContext context;
  asio::io_context io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  tcp::acceptor acceptor;
  udp::socket udp_socket;
  std::array<char, 65536> udp_in{};
  std::string udp_out;
  udp::endpoint udp_peer;
  std::vector<std::thread> threads;
};

api::Result<bool> EchoServer::Impl::bind() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options.bind, ec);
  if (ec) return api::Error{"--bind is not an IP address: " + options.bind};
  // "::" on a host (or netns) without IPv6 falls back to every IPv4 address.
  const bool any = address.is_unspecified();
  {
    tcp::acceptor probe(io);
    if (any && address.is_v6() && (probe.open(tcp::v6(), ec), ec)) {
      FERRY_LOG(kWarn, "no IPv6: listening on IPv4 only", {{"error", ec.message()}});
      address = asio::ip::address_v4::any();
    }
  }
  const tcp::endpoint http_endpoint(address, options.http_port);
  acceptor.open(http_endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6() && any) acceptor.set_option(asio::ip::v6_only(false), ec);
  if (!ec) acceptor.bind(http_endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return api::Error{"listening on " + options.bind + " port " +
                      std::to_string(options.http_port) + ": " + ec.message()};
  }
  if (!options.udp_enabled) return true;
  const udp::endpoint udp_endpoint(address, options.udp_port);
  udp_socket.open(udp_endpoint.protocol(), ec);
  if (!ec && address.is_v6() && any) udp_socket.set_option(asio::ip::v6_only(false), ec);
  if (!ec) udp_socket.bind(udp_endpoint, ec);
  if (ec) {
    return api::Error{"binding UDP " + options.bind + " port " + std::to_string(options.udp_port) +
                      ": " + ec.message()};
  }
  return true;
}

// One datagram at a time: answered, then the next is read. Each answer goes to its sender.
void EchoServer::Impl::receiveDatagram() {
  udp_socket.async_receive_from(
      asio::buffer(udp_in), udp_peer, [this](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || !udp_socket.is_open()) return;
        if (ec) {
          context.metrics().udp_errors.inc();
          receiveDatagram();
          return;
        }
        udp_out.assign("pod=").append(context.who().pod).push_back(' ');
        const size_t room = kMaxUdpPayload > udp_out.size() ? kMaxUdpPayload - udp_out.size() : 0;
        udp_out.append(udp_in.data(), std::min(n, room));
        udp_socket.async_send_to(asio::buffer(udp_out), udp_peer,
                                 [this](const boost::system::error_code& send_ec, size_t) {
                                   if (send_ec == asio::error::operation_aborted) return;
                                   if (send_ec) {
                                     context.metrics().udp_errors.inc();
                                   } else {
                                     context.metrics().udp_datagrams.inc();
                                   }
                                   receiveDatagram();
                                 });
      });
}

awaitable<void> EchoServer::Impl::acceptLoop() {
  while (acceptor.is_open()) {
    boost::system::error_code ec;
    // Each connection on its own strand: its coroutines never run on two threads at once.
    tcp::socket socket(asio::make_strand(io));
    co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open() || ec == asio::error::operation_aborted) break;
      FERRY_LOG(kWarn, "accept failed", {{"error", ec.message()}});
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, serveConnection(context, std::move(socket)), asio::detached);
  }
}

EchoServer::EchoServer(EchoOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

EchoServer::~EchoServer() {
  if (!impl_->threads.empty()) shutdown();
}

api::Result<bool> EchoServer::bind() {
  return impl_->bind();
}

uint16_t EchoServer::httpPort() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

uint16_t EchoServer::udpPort() const {
  boost::system::error_code ec;
  if (!impl_->udp_socket.is_open()) return 0;
  const auto endpoint = impl_->udp_socket.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void EchoServer::start() {
  Impl& s = *impl_;
  s.work.emplace(s.io.get_executor());
  asio::co_spawn(s.acceptor.get_executor(), s.acceptLoop(), asio::detached);
  if (s.udp_socket.is_open()) {
    asio::post(s.udp_socket.get_executor(), [&s] { s.receiveDatagram(); });
  }
  const unsigned n = std::max(1u, s.options.threads);
  for (unsigned i = 0; i < n; ++i) s.threads.emplace_back([&s] { s.io.run(); });
}

bool EchoServer::shutdown() {
  Impl& s = *impl_;
  if (s.threads.empty()) return true;
  const auto deadline = std::chrono::steady_clock::now() + s.options.drain_timeout;
  asio::post(s.acceptor.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
  });
  asio::post(s.udp_socket.get_executor(), [&s] {
    boost::system::error_code ignored;
    s.udp_socket.close(ignored);
  });
  s.context.drainAll();
  const bool drained = s.context.waitForConnections(deadline);
  if (!drained) FERRY_LOG(kWarn, "drain timed out: closing the connections left", {});
  s.work.reset();
  s.io.stop();
  for (auto& thread : s.threads) thread.join();
  s.threads.clear();
  return drained;
}

}  // namespace ferry::echo
