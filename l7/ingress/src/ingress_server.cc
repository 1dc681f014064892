#include "ingress_server.h"

#include <random>

namespace ferry::ingress {

IngressServer::IngressServer(ProxyOptions options, unsigned workers,
                             const ConfigPublisher& publisher, ProxyMetrics& metrics,
                             std::optional<PemPair> tls_fallback)
    : options_(options),
      worker_count_(std::max(1u, workers)),
      publisher_(publisher),
      metrics_(metrics),
      tls_fallback_(std::move(tls_fallback)) {}

IngressServer::~IngressServer() {
  stop();
}

api::Result<bool> IngressServer::bind(const boost::asio::ip::tcp::endpoint& http,
                                      const std::optional<boost::asio::ip::tcp::endpoint>& https) {
  std::random_device seeds;
  try {
    auto endpoint = http;
    auto tls_endpoint = https.value_or(boost::asio::ip::tcp::endpoint{});
    for (unsigned i = 0; i < worker_count_; ++i) {
      const uint64_t seed = (uint64_t{seeds()} << 32) | seeds();
      auto worker = std::make_unique<ProxyWorker>(
          options_, publisher_, metrics_, seed, https && tls_fallback_ ? &*tls_fallback_ : nullptr);
      worker->listen(endpoint);
      endpoint.port(worker->port());
      if (https && tls_fallback_) {
        worker->listenTls(tls_endpoint);
        tls_endpoint.port(worker->tlsPort());
      }
      workers_.push_back(std::move(worker));
    }
    port_ = endpoint.port();
    tls_port_ = tls_endpoint.port();
    return true;
  } catch (const boost::system::system_error& e) {
    workers_.clear();
    return api::Error{std::string("bind: ") + e.what()};
  }
}

void IngressServer::start() {
  for (auto& worker : workers_) {
    worker->start();
    threads_.emplace_back([w = worker.get()] { w->run(); });
  }
}

void IngressServer::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  workers_.clear();
}

}  // namespace ferry::ingress
