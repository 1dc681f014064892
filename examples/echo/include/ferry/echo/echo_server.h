// ferry-echo's server: the demo workload `scripts/up` runs as pods and the ingress and L4 tests
// use as backends. One TCP port speaks HTTP/1.1, h2c (prior knowledge) and WebSocket; one UDP
// port echoes datagrams. Every answer names the pod, so tests can tell backends apart.
#pragma once

#include <cstdint>
#include <memory>

#include "ferry/api/result.h"
#include "ferry/echo/echo_options.h"

namespace ferry::echo {

class EchoServer {
 public:
  explicit EchoServer(EchoOptions options);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  // Opens the listeners (so a port 0 is known before start()).
  api::Result<bool> bind();
  uint16_t httpPort() const;
  uint16_t udpPort() const;  // 0 when UDP is off

  // Serves on options.threads threads until shutdown().
  void start();
  // Stops accepting, lets connections finish their requests for up to options.drain_timeout,
  // then cuts what is left and joins the threads. True when every connection ended by itself.
  bool shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::echo
