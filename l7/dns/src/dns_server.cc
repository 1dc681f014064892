#include "dns_server.h"

#include <boost/system/system_error.hpp>

#include "dns_worker.h"

namespace ferry::dns {

DnsServer::DnsServer(DnsServerOptions options, const ZoneIndex& index, QueryMetrics& metrics,
                     ForwardMetrics& forward_metrics)
    : options_(std::move(options)),
      index_(index),
      metrics_(metrics),
      forward_metrics_(forward_metrics) {}

DnsServer::~DnsServer() {
  stop();
}

api::Result<bool> DnsServer::bind() {
  // With port 0 the first worker's UDP socket picks the port and the rest follow it; the TCP
  // side of that port may be taken, so try a few.
  constexpr int kAttempts = 16;
  std::string last_error;
  for (int attempt = 0; attempt < (options_.port == 0 ? kAttempts : 1); ++attempt) {
    workers_.clear();
    uint16_t port = options_.port;
    try {
      for (unsigned i = 0; i < std::max(1u, options_.workers); ++i) {
        auto worker = std::make_unique<DnsWorker>(options_, index_, metrics_, forward_metrics_);
        worker->bind({options_.address, port});
        port = worker->udpPort();
        workers_.push_back(std::move(worker));
      }
      port_ = port;
      return true;
    } catch (const boost::system::system_error& e) {
      last_error = e.what();
    }
  }
  workers_.clear();
  return api::Error{"bind " + options_.address.to_string() + ":" + std::to_string(options_.port) +
                    ": " + last_error};
}

void DnsServer::start() {
  for (auto& worker : workers_) threads_.emplace_back([w = worker.get()] { w->run(); });
}

void DnsServer::stop() {
  for (auto& worker : workers_) worker->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

}  // namespace ferry::dns
