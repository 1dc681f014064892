// What ferry-echo is told at start: who it is (the pod it plays) and where it listens.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace ferry::echo {

struct EchoOptions {
  std::string pod_name;
  std::string namespace_name = "default";
  // "::" listens dual-stack (IPv4 as v4-mapped); "0.0.0.0" or any single address also works.
  std::string bind = "::";
  uint16_t http_port = 8080;  // HTTP/1.1, h2c, WebSocket and /metrics; 0 picks a free port
  uint16_t udp_port = 9090;   // 0: no UDP echo
  bool udp_enabled = true;
  unsigned threads = 1;
  // When set, /readyz answers 503 while this file does not exist (tests and demos flip it).
  std::string ready_file;
  // SIGTERM: requests in flight get this long to finish before connections are cut.
  std::chrono::milliseconds drain_timeout{1800};
};

}  // namespace ferry::echo
