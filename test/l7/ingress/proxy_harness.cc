#include "proxy_harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace ferry::ingress::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr auto kStartDeadline = 20s;

int connectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Polls GET `path` until it answers 200 or the deadline passes.
bool waitForOk(uint16_t port, const std::string& path, ferry::testing::Subprocess& process) {
  const auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!process.running()) return false;
    const std::string reply =
        rawExchange(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1s);
    if (statusOf(reply) == 200) return true;
    std::this_thread::sleep_for(20ms);  // poll interval, not a readiness stand-in
  }
  return false;
}

fs::path uniqueDir() {
  static std::atomic<int> counter{0};
  fs::path dir = fs::temp_directory_path() / ("ferry-ingress-e2e-" + std::to_string(getpid()) +
                                              "-" + std::to_string(counter++));
  fs::create_directories(dir);
  return dir;
}

}  // namespace

uint16_t freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0) {
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t len = sizeof(sa);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return ntohs(sa.sin_port);
}

std::string rawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout) {
  const int fd = connectLoopback(port);
  if (fd < 0) return "";
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

int statusOf(const std::string& raw) {
  if (raw.size() < 12 || raw.compare(0, 5, "HTTP/") != 0) return 0;
  const size_t space = raw.find(' ');
  if (space == std::string::npos) return 0;
  return std::atoi(raw.c_str() + space + 1);
}

EchoBackend::EchoBackend(std::string pod) : pod_(std::move(pod)), port_(freeLoopbackPort()) {
  process_ = std::make_unique<ferry::testing::Subprocess>(std::vector<std::string>{
      FERRY_ECHO_BINARY, "--pod-name", pod_, "--http-port", std::to_string(port_), "--bind",
      "127.0.0.1", "--udp-port", "0", "--log-level", "warn"});
  if (!waitForOk(port_, "/healthz", *process_)) {
    throw std::runtime_error("ferry-echo did not come up: " + process_->wait(1s).err);
  }
}

Json ingressClass(const std::string& name) {
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "IngressClass"},
          {"metadata", {{"name", name}}},
          {"spec", {{"controller", "ferry.io/ingress-controller"}}}};
}

Json service(const std::string& ns, const std::string& name, const std::string& cluster_ip,
             int port) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec",
           {{"type", "ClusterIP"},
            {"clusterIP", cluster_ip},
            {"clusterIPs", {cluster_ip}},
            {"ipFamilies", {"IPv4"}},
            {"ports", {{{"name", "http"}, {"port", port}, {"protocol", "TCP"}}}}}}};
}

Json endpointSlice(const std::string& ns, const std::string& name, const std::string& service,
                   int target_port, const std::vector<std::string>& addresses) {
  Json endpoints = Json::array();
  for (const auto& a : addresses) {
    endpoints.push_back({{"addresses", {a}}, {"conditions", {{"ready", true}}}});
  }
  return {
      {"apiVersion", "discovery.k8s.io/v1"},
      {"kind", "EndpointSlice"},
      {"metadata",
       {{"namespace", ns}, {"name", name}, {"labels", {{"kubernetes.io/service-name", service}}}}},
      {"addressType", "IPv4"},
      {"ports", {{{"name", "http"}, {"port", target_port}, {"protocol", "TCP"}}}},
      {"endpoints", endpoints}};
}

namespace {

Json backendOf(const PathRule& p) {
  return {{"service", {{"name", p.service}, {"port", {{"number", p.port}}}}}};
}

}  // namespace

Json ingress(const std::string& ns, const std::string& name, const std::vector<HostRule>& rules,
             const std::map<std::string, std::string>& annotations,
             const std::optional<PathRule>& default_backend) {
  Json jrules = Json::array();
  for (const HostRule& r : rules) {
    Json paths = Json::array();
    for (const PathRule& p : r.paths) {
      paths.push_back({{"path", p.path}, {"pathType", p.type}, {"backend", backendOf(p)}});
    }
    Json rule = {{"http", {{"paths", paths}}}};
    if (!r.host.empty()) rule["host"] = r.host;
    jrules.push_back(rule);
  }
  Json spec = {{"ingressClassName", "ferry"}, {"rules", jrules}};
  if (default_backend) spec["defaultBackend"] = backendOf(*default_backend);
  Json meta = {{"namespace", ns}, {"name", name}};
  if (!annotations.empty()) meta["annotations"] = annotations;
  return {{"apiVersion", "networking.k8s.io/v1"},
          {"kind", "Ingress"},
          {"metadata", meta},
          {"spec", spec}};
}

IngressProcess::IngressProcess(const std::vector<Json>& objects, std::vector<std::string> extra)
    : dir_(uniqueDir()), port_(freeLoopbackPort()), metrics_port_(freeLoopbackPort()) {
  const fs::path file = dir_ / "objects.json";
  Json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", objects}};
  std::ofstream(file) << list.dump(2);
  std::vector<std::string> argv = {FERRY_INGRESS_BINARY,
                                   "--http-listen",
                                   "127.0.0.1:" + std::to_string(port_),
                                   "--https-listen",
                                   "",
                                   "--metrics-listen",
                                   "127.0.0.1:" + std::to_string(metrics_port_),
                                   "--workers",
                                   "1",
                                   "--objects",
                                   file.string(),
                                   "--log-level",
                                   "warn"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  process_ = std::make_unique<ferry::testing::Subprocess>(argv);
  if (!waitForOk(metrics_port_, "/readyz", *process_)) {
    throw std::runtime_error("ferry-ingress did not become ready: " + process_->wait(1s).err);
  }
}

IngressProcess::~IngressProcess() {
  process_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string IngressProcess::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string IngressProcess::metrics() const {
  return rawExchange(metrics_port_,
                     "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

CurlResult curl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-s", "--max-time", "20", "-w", "\n%{http_code}"};
  argv.insert(argv.end(), args.begin(), args.end());
  ferry::testing::RunOptions options;
  options.timeout = 30s;
  options.max_output = 64 << 20;
  const auto r = ferry::testing::runCommand(argv, options);
  CurlResult out;
  out.stderr_text = r.err;
  const size_t nl = r.out.rfind('\n');
  if (nl == std::string::npos) return out;
  out.status = std::atoi(r.out.c_str() + nl + 1);
  out.body = r.out.substr(0, nl);
  return out;
}

}  // namespace ferry::ingress::testing
