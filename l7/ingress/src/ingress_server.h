// The workers of ferry-ingress and their threads: each binds its own SO_REUSEPORT listener on
// the HTTP address, so the kernel balances new connections across them.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "ferry/api/result.h"
#include "proxy_worker.h"

namespace ferry::ingress {

class IngressServer {
 public:
  // `tls_fallback` (may be null: no HTTPS): the certificate for names without one.
  IngressServer(ProxyOptions options, unsigned workers, const ConfigPublisher& publisher,
                ProxyMetrics& metrics, std::optional<PemPair> tls_fallback);
  ~IngressServer();

  // Port 0 picks a free port (every worker then binds the first one's).
  api::Result<bool> bind(const boost::asio::ip::tcp::endpoint& http,
                         const std::optional<boost::asio::ip::tcp::endpoint>& https);
  uint16_t httpPort() const { return port_; }
  uint16_t httpsPort() const { return tls_port_; }
  void start();
  void stop();

 private:
  ProxyOptions options_;
  unsigned worker_count_;
  const ConfigPublisher& publisher_;
  ProxyMetrics& metrics_;
  std::optional<PemPair> tls_fallback_;
  uint16_t port_ = 0;
  uint16_t tls_port_ = 0;
  std::vector<std::unique_ptr<ProxyWorker>> workers_;
  std::vector<std::thread> threads_;
};

}  // namespace ferry::ingress
