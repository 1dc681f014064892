#include "loopback_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace ferry::dns::testing {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

int remainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

bool waitReadable(int fd, Clock::time_point deadline) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, remainingMs(deadline)) == 1;
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

uint16_t freeLoopbackPort() {
  for (int attempt = 0; attempt < 32; ++attempt) {
    Fd udp(socket(AF_INET, SOCK_DGRAM, 0));
    sockaddr_in addr = loopback(0);
    if (bind(udp.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) continue;
    socklen_t len = sizeof(addr);
    getsockname(udp.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    Fd tcp(socket(AF_INET, SOCK_STREAM, 0));
    if (bind(tcp.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
      return ntohs(addr.sin_port);
    }
  }
  throw std::runtime_error("no free loopback port");
}

std::optional<std::vector<uint8_t>> udpExchange(uint16_t port, const std::vector<uint8_t>& query,
                                                std::chrono::milliseconds timeout) {
  Fd fd(socket(AF_INET, SOCK_DGRAM, 0));
  const sockaddr_in addr = loopback(port);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return std::nullopt;
  }
  if (send(fd.get(), query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
    return std::nullopt;
  }
  if (!waitReadable(fd.get(), Clock::now() + timeout)) return std::nullopt;
  std::vector<uint8_t> reply(65535);
  const ssize_t n = recv(fd.get(), reply.data(), reply.size(), 0);
  if (n <= 0) return std::nullopt;
  reply.resize(static_cast<size_t>(n));
  return reply;
}

TcpClient::TcpClient(uint16_t port) : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
  const sockaddr_in addr = loopback(port);
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd_);
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  }
}

TcpClient::~TcpClient() {
  close(fd_);
}

void TcpClient::sendAll(const std::vector<std::vector<uint8_t>>& queries) {
  std::vector<uint8_t> wire;
  for (const auto& q : queries) {
    wire.push_back(static_cast<uint8_t>(q.size() >> 8));
    wire.push_back(static_cast<uint8_t>(q.size()));
    wire.insert(wire.end(), q.begin(), q.end());
  }
  size_t sent = 0;
  while (sent < wire.size()) {
    const ssize_t n = send(fd_, wire.data() + sent, wire.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    sent += static_cast<size_t>(n);
  }
}

bool TcpClient::readExact(uint8_t* data, size_t n, Clock::time_point deadline) {
  size_t got = 0;
  while (got < n) {
    if (!waitReadable(fd_, deadline)) return false;
    const ssize_t r = recv(fd_, data + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

std::optional<std::vector<uint8_t>> TcpClient::receive(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  uint8_t prefix[2];
  if (!readExact(prefix, 2, deadline)) return std::nullopt;
  std::vector<uint8_t> message((size_t{prefix[0]} << 8) | prefix[1]);
  if (!readExact(message.data(), message.size(), deadline)) return std::nullopt;
  return message;
}

bool TcpClient::closedByPeer(std::chrono::milliseconds timeout) {
  if (!waitReadable(fd_, Clock::now() + timeout)) return false;
  uint8_t byte;
  return recv(fd_, &byte, 1, 0) == 0;
}

std::optional<HttpReply> httpGet(uint16_t port, const std::string& path,
                                 std::chrono::milliseconds timeout) {
  Fd fd(socket(AF_INET, SOCK_STREAM, 0));
  const sockaddr_in addr = loopback(port);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return std::nullopt;
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  if (send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return std::nullopt;
  }
  // The server closes after one response, so read to EOF.
  const auto deadline = Clock::now() + timeout;
  std::string raw;
  char buf[4096];
  while (waitReadable(fd.get(), deadline)) {
    const ssize_t n = recv(fd.get(), buf, sizeof(buf), 0);
    if (n <= 0) break;
    raw.append(buf, static_cast<size_t>(n));
  }
  const size_t header_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || header_end == std::string::npos) return std::nullopt;
  return HttpReply{std::stoi(raw.substr(9, 3)), raw.substr(header_end + 4)};
}

}  // namespace ferry::dns::testing
