// Processes for ferry-ingress's end-to-end tests: ferry-echo backends and a ferry-ingress fed
// an --objects file, on free loopback ports, each waited for by polling (bounded deadline).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ferry/testing/process.h"

namespace ferry::ingress::testing {

using Json = nlohmann::json;

uint16_t freeLoopbackPort();

// A plain HTTP/1.1 exchange on a fresh connection: the raw bytes sent, everything read until
// the peer closes or `timeout` passes.
std::string rawExchange(uint16_t port, const std::string& bytes,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
// The status code of the first response in `raw` (0 if none).
int statusOf(const std::string& raw);

// ferry-echo on 127.0.0.1, reporting `pod` as its pod name.
class EchoBackend {
 public:
  explicit EchoBackend(std::string pod);
  uint16_t port() const { return port_; }
  const std::string& pod() const { return pod_; }

 private:
  std::string pod_;
  uint16_t port_;
  std::unique_ptr<ferry::testing::Subprocess> process_;
};

// Cluster objects for the objects file.
Json ingressClass(const std::string& name = "ferry");
Json service(const std::string& ns, const std::string& name, const std::string& cluster_ip,
             int port);
// One slice per endpoint port (a slice has one port list; two echo processes differ by port).
Json endpointSlice(const std::string& ns, const std::string& name, const std::string& service,
                   int target_port, const std::vector<std::string>& addresses = {"127.0.0.1"});
struct PathRule {
  std::string path;
  std::string type;  // Exact, Prefix
  std::string service;
  int port = 80;
};
struct HostRule {
  std::string host;  // "" = any host
  std::vector<PathRule> paths;
};
Json ingress(const std::string& ns, const std::string& name, const std::vector<HostRule>& rules,
             const std::map<std::string, std::string>& annotations = {},
             const std::optional<PathRule>& default_backend = std::nullopt);

class IngressProcess {
 public:
  IngressProcess(const std::vector<Json>& objects, std::vector<std::string> extra_args = {});
  ~IngressProcess();
  uint16_t port() const { return port_; }
  uint16_t metricsPort() const { return metrics_port_; }
  std::string url(const std::string& path) const;
  std::string metrics() const;
  bool running() { return process_->running(); }
  pid_t pid() const { return process_->pid(); }

 private:
  std::filesystem::path dir_;
  uint16_t port_;
  uint16_t metrics_port_;
  std::unique_ptr<ferry::testing::Subprocess> process_;
};

struct CurlResult {
  int status = 0;
  std::string body;
  std::string stderr_text;
};
// curl -s with `args` (URL included), body to stdout and the status appended.
CurlResult curl(const std::vector<std::string>& args);

}  // namespace ferry::ingress::testing
