#include "proxy_worker.h"

#include <boost/asio/socket_base.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proxy_session.h"

namespace ferry::ingress {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

ProxyWorker::ProxyWorker(const ProxyOptions& options, const ConfigPublisher& publisher,
                         ProxyMetrics& metrics, uint64_t seed, const PemPair* tls_fallback)
    : options_(options),
      publisher_(publisher),
      metrics_(metrics),
      pool_(io_, options.upstream_idle_timeout, options.max_idle_per_endpoint),
      picker_(seed),
      rng_(seed ^ 0x9e3779b97f4a7c15ULL) {
  if (tls_fallback) tls_ = std::make_unique<TlsContexts>(publisher, *tls_fallback);
}

ProxyWorker::~ProxyWorker() {
  destroying_ = true;
  io_.stop();
}

namespace {

void listenOn(tcp::acceptor& acceptor, const tcp::endpoint& endpoint) {
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.set_option(ReusePort(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

}  // namespace

void ProxyWorker::listen(const tcp::endpoint& endpoint) {
  listenOn(acceptor_, endpoint);
}

void ProxyWorker::listenTls(const tcp::endpoint& endpoint) {
  listenOn(tls_acceptor_, endpoint);
}

void ProxyWorker::start() {
  accept(acceptor_, false);
  if (tls_ && tls_acceptor_.is_open()) accept(tls_acceptor_, true);
}

void ProxyWorker::accept(tcp::acceptor& acceptor, bool tls) {
  acceptor.async_accept([this, &acceptor, tls](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (connections_ >= options_.max_connections) {
        metrics_.reject(Rejection::kMaxConnections);
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        ++connections_;
        metrics_.connections_accepted.inc();
        metrics_.active_connections.add(1);
        auto stream = tls ? ClientStream(std::move(socket), tls_->defaultContext())
                          : ClientStream(std::move(socket));
        std::make_shared<ProxySession>(*this, std::move(stream))->start();
      }
    }
    if (!ec) return accept(acceptor, tls);
    // EMFILE and friends: retry shortly, without spinning while descriptors are exhausted.
    metrics_.accept_errors.inc();
    auto retry = std::make_shared<asio::steady_timer>(io_, std::chrono::milliseconds(50));
    retry->async_wait(
        [this, &acceptor, tls, retry](boost::system::error_code) { accept(acceptor, tls); });
  });
}

void ProxyWorker::connectionClosed() {
  if (destroying_) return;
  --connections_;
  metrics_.active_connections.add(-1);
}

}  // namespace ferry::ingress
