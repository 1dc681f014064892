#include "upstream_pool.h"

#include <sys/socket.h>

#include <cerrno>

namespace ferry::ingress {

namespace asio = boost::asio;

asio::ip::tcp::endpoint toAsio(const Endpoint& e) {
  if (e.address.family() == model::Family::kIpv4) {
    return {asio::ip::address_v4(e.address.v4HostOrder()), e.port};
  }
  return {asio::ip::address_v6(e.address.bytes()), e.port};
}

UpstreamPool::UpstreamPool(asio::io_context& io, std::chrono::seconds idle_timeout,
                           size_t max_idle_per_endpoint)
    : sweeper_(io), idle_timeout_(idle_timeout), max_idle_(max_idle_per_endpoint) {}

namespace {

// Still open and quiet: a peer's FIN or early bytes (a stray response) make it unusable.
bool stillUsable(asio::ip::tcp::socket& socket) {
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

}  // namespace

std::unique_ptr<UpstreamConnection> UpstreamPool::take(const Endpoint& endpoint) {
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  auto& queue = it->second;
  while (!queue.empty()) {
    // Most recently used first: it is the least likely to have been closed by the peer.
    Idle idle = std::move(queue.back());
    queue.pop_back();
    if (now - idle.since < idle_timeout_ && stillUsable(idle.connection->stream.socket())) {
      idle.connection->reused = true;
      if (queue.empty()) idle_.erase(it);
      return std::move(idle.connection);
    }
  }
  idle_.erase(it);
  return nullptr;
}

void UpstreamPool::put(std::unique_ptr<UpstreamConnection> connection) {
  auto& queue = idle_[connection->endpoint];
  if (queue.size() >= max_idle_) queue.pop_front();  // the oldest goes
  connection->stream.expires_never();
  queue.push_back({std::move(connection), std::chrono::steady_clock::now()});
  if (idle_.size() == 1 && queue.size() == 1) sweep();
}

size_t UpstreamPool::idleCount() const {
  size_t n = 0;
  for (const auto& [ep, queue] : idle_) n += queue.size();
  return n;
}

// Closes connections idle longer than the timeout; runs while the pool holds any.
void UpstreamPool::sweep() {
  sweeper_.expires_after(std::chrono::seconds(1) + idle_timeout_ / 4);
  sweeper_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    const auto now = std::chrono::steady_clock::now();
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& queue = it->second;
      while (!queue.empty() && now - queue.front().since >= idle_timeout_) queue.pop_front();
      it = queue.empty() ? idle_.erase(it) : std::next(it);
    }
    if (!idle_.empty()) sweep();
  });
}

}  // namespace ferry::ingress
