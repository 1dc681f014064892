// Plain-socket clients for the server tests: one UDP exchange, a TCP connection that can send
// several length-prefixed queries at once (pipelining), and a one-shot HTTP GET. Every call has
// a deadline; none sleeps.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ferry::dns::testing {

// A port free for both UDP and TCP on 127.0.0.1 right now.
uint16_t freeLoopbackPort();

std::optional<std::vector<uint8_t>> udpExchange(uint16_t port, const std::vector<uint8_t>& query,
                                                std::chrono::milliseconds timeout);

class TcpClient {
 public:
  explicit TcpClient(uint16_t port);  // throws std::runtime_error if it cannot connect
  ~TcpClient();
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  // Writes all queries, each with its 2-byte length, in a single send.
  void sendAll(const std::vector<std::vector<uint8_t>>& queries);
  // One length-prefixed message, or nullopt on EOF/timeout.
  std::optional<std::vector<uint8_t>> receive(std::chrono::milliseconds timeout);
  // True once the server closed the connection (read returned 0) within the timeout.
  bool closedByPeer(std::chrono::milliseconds timeout);

 private:
  bool readExact(uint8_t* data, size_t n, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
};

// The body of GET <path>, with the status code; nullopt if no HTTP response came.
struct HttpReply {
  int status = 0;
  std::string body;
};
std::optional<HttpReply> httpGet(uint16_t port, const std::string& path,
                                 std::chrono::milliseconds timeout);

}  // namespace ferry::dns::testing
