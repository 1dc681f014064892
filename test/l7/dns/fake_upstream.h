// A stand-in upstream resolver on a loopback port (UDP and TCP), so forwarding tests never
// leave the machine and can count what reaches the upstream. Answers are built byte by byte
// here, independent of the server's codec. For names under example.test:
//   nx*    NXDOMAIN with an SOA (TTL 60, MINIMUM = `negative_ttl`) in authority
//   big*   over UDP: TC=1 and no records; over TCP: two A records
//   other  A 192.0.2.44 with TTL `positive_ttl`
// Anything else: REFUSED. `setSilent(true)` makes it swallow queries (a dead upstream).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace ferry::dns::testing {

class FakeUpstream {
 public:
  explicit FakeUpstream(uint32_t positive_ttl = 60, uint32_t negative_ttl = 60);
  ~FakeUpstream();
  FakeUpstream(const FakeUpstream&) = delete;
  FakeUpstream& operator=(const FakeUpstream&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void setSilent(bool silent) { silent_ = silent; }
  // Queries received for a lower-case dotted name ("www.example.test."), per transport.
  int udpQueries(const std::string& name) const;
  int tcpQueries(const std::string& name) const;

 private:
  void serve();
  std::string answer(const std::string& query, bool tcp);

  uint32_t positive_ttl_;
  uint32_t negative_ttl_;
  uint16_t port_ = 0;
  int udp_ = -1;
  int tcp_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> silent_{false};
  mutable std::mutex mu_;
  std::map<std::string, int> udp_counts_;
  std::map<std::string, int> tcp_counts_;
  std::thread thread_;
};

}  // namespace ferry::dns::testing
