#include "dns_process.h"

#include <unistd.h>

#include <algorithm>
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
  // Tests never reach the machine's resolvers: without an explicit upstream, forwarding is off.
  const bool has_upstream =
      config_yaml.find("upstream") != std::string::npos ||
      std::find(extra_args.begin(), extra_args.end(), "--upstream") != extra_args.end();
  std::ofstream(config) << config_yaml << (has_upstream ? "" : "\nupstream: none")
                        << "\nlisten: 127.0.0.1:" << port_
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
    // A real response (QR set, our ID), not our own datagram looped back by a socket that
    // got port_ as its ephemeral port; and the metrics listener up too.
    const auto reply = udpExchange(port_, probe, 200ms);
    const auto decoded = reply ? decodeResponse(*reply) : std::nullopt;
    if (decoded && (decoded->flags & 0x8000) && decoded->id == 0x1234) {
      const auto health = httpGet(metrics_port_, "/healthz", 1s);
      if (health && health->status == 200) return;
    }
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
