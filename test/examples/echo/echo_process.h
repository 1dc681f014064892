// The real ferry-echo binary on free loopback ports, for tests that talk to it with real
// clients (curl, nghttp, sockets, a Beast WebSocket client).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ferry/testing/process.h"

namespace ferry::echo::testing {

// A port free for both TCP and UDP on 127.0.0.1 (and the wildcard) right now.
uint16_t freeLoopbackPort();

class EchoProcess {
 public:
  // Starts ferry-echo --pod-name <pod> on fresh HTTP and UDP ports plus `extra_args`, and waits
  // (bounded) until /healthz answers. Throws std::runtime_error if it never does.
  explicit EchoProcess(std::string pod, std::vector<std::string> extra_args = {});
  ~EchoProcess();
  EchoProcess(const EchoProcess&) = delete;
  EchoProcess& operator=(const EchoProcess&) = delete;

  uint16_t httpPort() const { return http_port_; }
  uint16_t udpPort() const { return udp_port_; }
  const std::string& pod() const { return pod_; }
  std::string url(const std::string& path) const;
  ferry::testing::Subprocess& process() { return *process_; }

 private:
  std::string pod_;
  uint16_t http_port_;
  uint16_t udp_port_;
  std::unique_ptr<ferry::testing::Subprocess> process_;
};

// curl with a bounded run time; returns the command's result.
ferry::testing::CommandResult curl(const std::vector<std::string>& args,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(20));

// The HTTP status of GET url over HTTP/1.1 (0 when nothing answered).
int httpStatus(const std::string& url);

// Sends one datagram to 127.0.0.1:port and waits up to `timeout` for the answer.
std::optional<std::string> udpExchange(uint16_t port, const std::string& payload,
                                       std::chrono::milliseconds timeout);

// Waits up to `timeout` for `condition`, polling; true once it holds.
template <class F>
bool eventually(F&& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    // A polling interval, not a readiness guess: the deadline bounds the wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

std::filesystem::path uniqueTempDir(const std::string& tag);

}  // namespace ferry::echo::testing
