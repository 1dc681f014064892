// Starts a real ferry-controlplane on a free loopback port with a fresh data directory, and
// runs the real kubectl against it.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ferry/testing/process.h"

#ifndef FERRY_CONTROLPLANE_BINARY
#error "FERRY_CONTROLPLANE_BINARY must name the ferry-controlplane executable"
#endif

namespace ferry::testing {

inline uint16_t freeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class ControlPlane {
 public:
  // `wait_ready`: start() returns once /readyz answers 200; otherwise once the server answers
  // at all (/healthz), for a server that is not meant to be ready yet (a mirror whose upstream
  // is down).
  explicit ControlPlane(std::vector<std::string> extra_flags = {}, bool wait_ready = true) {
    wait_ready_ = wait_ready;
    char tmpl[] = "/tmp/ferry-cp-XXXXXX";
    dir_ = mkdtemp(tmpl);
    port_ = freeLoopbackPort();
    feed_port_ = freeLoopbackPort();
    extra_ = std::move(extra_flags);
    start();
  }
  ~ControlPlane() {
    proc_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start() {
    std::vector<std::string> argv = {FERRY_CONTROLPLANE_BINARY, "--data-dir", dir_, "--bind-address", "127.0.0.1",
                                     "--secure-port", std::to_string(port_), "--advertise-address", "127.0.0.1",
                                     "--feed-port", std::to_string(feed_port_)};
    argv.insert(argv.end(), extra_.begin(), extra_.end());
    proc_ = std::make_unique<Subprocess>(argv);
    // Ready when /readyz (or /healthz) answers through kubectl with the kubeconfig the server
    // wrote.
    const std::string probe = wait_ready_ ? "/readyz" : "/healthz";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!proc_->running()) break;
      if (std::filesystem::exists(kubeconfig()) && kubectl({"get", "--raw", probe}).ok()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // polling a condition, with a deadline
    }
    auto res = proc_->stop(SIGKILL);
    FAIL() << "ferry-controlplane did not become ready; stderr:\n" << res.err;
  }
  CommandResult stop(int sig = SIGTERM) { return proc_->stop(sig); }
  Subprocess& process() { return *proc_; }

  std::string kubeconfig() const { return dir_ + "/admin.kubeconfig"; }
  const std::string& dir() const { return dir_; }
  uint16_t port() const { return port_; }
  uint16_t feedPort() const { return feed_port_; }

  CommandResult kubectl(std::vector<std::string> args, const std::string& stdin_data = {}) const {
    std::vector<std::string> argv = {"kubectl", "--kubeconfig", kubeconfig(), "--cache-dir", dir_ + "/kubectl-cache",
                                     "--request-timeout=10s"};
    argv.insert(argv.end(), args.begin(), args.end());
    RunOptions opts;
    opts.timeout = std::chrono::seconds(30);
    opts.stdin_data = stdin_data;
    return runCommand(argv, opts);
  }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  uint16_t feed_port_ = 0;
  std::vector<std::string> extra_;
  bool wait_ready_ = true;
  std::unique_ptr<Subprocess> proc_;
};

}  // namespace ferry::testing
