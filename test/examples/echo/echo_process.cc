#include "echo_process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>

namespace ferry::echo::testing {

using namespace std::chrono_literals;

namespace {

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

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

std::filesystem::path uniqueTempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  auto dir =
      std::filesystem::temp_directory_path() /
      ("ferry-echo-" + tag + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  return dir;
}

ferry::testing::CommandResult curl(const std::vector<std::string>& args,
                                   std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {"curl", "--max-time",
                                   std::to_string(timeout.count() / 1000 + 1)};
  argv.insert(argv.end(), args.begin(), args.end());
  ferry::testing::RunOptions options;
  options.timeout = timeout + 2s;
  options.max_output = 32 << 20;
  return ferry::testing::runCommand(argv, options);
}

int httpStatus(const std::string& url) {
  const auto result = curl({"-s", "-o", "/dev/null", "-w", "%{http_code}", url}, 5s);
  try {
    return std::stoi(result.out);
  } catch (const std::exception&) {
    return 0;
  }
}

std::optional<std::string> udpExchange(uint16_t port, const std::string& payload,
                                       std::chrono::milliseconds timeout) {
  Fd fd(socket(AF_INET, SOCK_DGRAM, 0));
  const sockaddr_in addr = loopback(port);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    return std::nullopt;
  }
  if (send(fd.get(), payload.data(), payload.size(), 0) != static_cast<ssize_t>(payload.size())) {
    return std::nullopt;
  }
  pollfd p{fd.get(), POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
  std::string reply(65536, '\0');
  const ssize_t n = recv(fd.get(), reply.data(), reply.size(), 0);
  if (n < 0) return std::nullopt;
  reply.resize(static_cast<size_t>(n));
  return reply;
}

EchoProcess::EchoProcess(std::string pod, std::vector<std::string> extra_args)
    : pod_(std::move(pod)), http_port_(freeLoopbackPort()), udp_port_(freeLoopbackPort()) {
  std::vector<std::string> argv = {FERRY_ECHO_BINARY,
                                   "--pod-name",
                                   pod_,
                                   "--namespace",
                                   "demo",
                                   "--http-port",
                                   std::to_string(http_port_),
                                   "--udp-port",
                                   std::to_string(udp_port_)};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  process_ = std::make_unique<ferry::testing::Subprocess>(argv);
  // Ready when /healthz answers; a dead child fails at once with its stderr.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process_->running()) {
      throw std::runtime_error("ferry-echo exited: " + process_->wait(1s).err);
    }
    if (httpStatus(url("/healthz")) == 200) return;
  }
  throw std::runtime_error("ferry-echo did not answer on port " + std::to_string(http_port_));
}

EchoProcess::~EchoProcess() {
  if (process_) process_->stop(SIGTERM, 3s);
}

std::string EchoProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(http_port_) + path;
}

}  // namespace ferry::echo::testing
