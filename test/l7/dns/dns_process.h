// The real ferry-dns binary on free loopback ports, started for a test and waited on (by
// querying it, with a deadline) until it answers.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ferry/testing/process.h"

namespace ferry::dns::testing {

class DnsProcess {
 public:
  // Writes `config_yaml` (plus listen addresses) to a config file and starts the server with
  // `--config` and `extra_args`. Throws if it does not answer within the deadline.
  DnsProcess(const std::string& config_yaml, const std::vector<std::string>& extra_args = {});
  ~DnsProcess();

  uint16_t port() const { return port_; }
  uint16_t metricsPort() const { return metrics_port_; }
  const std::filesystem::path& dir() const { return dir_; }
  // The server's stderr (JSON logs), after stopping it.
  std::string stop();

 private:
  std::filesystem::path dir_;
  uint16_t port_ = 0;
  uint16_t metrics_port_ = 0;
  std::unique_ptr<ferry::testing::Subprocess> process_;
};

// Runs dig (or kdig) against the server and returns its stdout; throws on a non-zero exit.
std::string dig(uint16_t port, const std::vector<std::string>& args);
std::string kdig(uint16_t port, const std::vector<std::string>& args);

}  // namespace ferry::dns::testing
