#include "dns_process.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <stdexcept>

#include "dns_packets.h"
#include "loopback_client.h"

namespace ferry::dns::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kStartDeadline = 20s;

fs::path uniqueDir() {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() /
                 ("ferry-dns-e2e-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

DnsProcess::DnsProcess(const std::string& config_yaml, const std::vector<std::string>& extra_args)
    : dir_(uniqueDir()), port_(freeLoopbackPort()), metrics_port_(freeLoopbackPort()) {
  const fs::path config = dir_ / "ferry-dns.yaml";
  std::ofstream(config) << config_yaml << "\nlisten: 127.0.0.1:" << port_
                        << "\nmetrics-listen: 127.0.0.1:" << metrics_port_ << "\n";
  std::vector<std::string> argv = {FERRY_DNS_BINARY, "--config", config.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ferry::testing::Subprocess>(argv);

  // Ready when a query gets any answer (SERVFAIL counts: an unsynced server is up too).
  const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  const auto probe = makeQuery("dns-version.cluster.local", 16);
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) {
      throw std::runtime_error("ferry-dns exited: " + process_->wait(1s).err);
    }
    if (udpExchange(port_, probe, 200ms)) return;
  }
  throw std::runtime_error("ferry-dns did not answer on port " + std::to_string(port_));
}

DnsProcess::~DnsProcess() {
  if (process_) process_->stop(SIGTERM);
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string DnsProcess::stop() {
  auto result = process_->stop(SIGTERM);
  process_.reset();
  return result.err;
}

std::string dig(uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"dig",     "@127.0.0.1", "-p", std::to_string(port),
                                   "+time=2", "+tries=1"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ferry::testing::runOrThrow(argv);
}

std::string kdig(uint16_t port, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"kdig",    "@127.0.0.1", "-p", std::to_string(port),
                                   "+time=2", "+retry=0"};
  argv.insert(argv.end(), args.begin(), args.end());
  return ferry::testing::runOrThrow(argv);
}

}  // namespace ferry::dns::testing
