// healthCheckNodePort, as kube-proxy serves it: for every LoadBalancer Service with
// externalTrafficPolicy: Local the control plane allocates a port, and every node answers HTTP
// on it with 200 when it has a ready endpoint of that Service and 503 when it has none, so
// the cloud load balancer sends traffic only to nodes that keep the client's source address
// and still have somewhere to send it. The body is kube-proxy's JSON:
//   {"service":{"namespace":"ns","name":"web"},"localEndpoints":2,"serviceProxyHealthy":true}
//
// Fed like a fast path: each snapshot opens the ports new Services need, closes the ones whose
// Services went, and updates the counts; requests are answered on the server's own thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "ferry/agent/fast_path.h"

namespace ferry::agent {

struct HealthCheckOptions {
  std::string node_name;                 // endpoints on this node count as local
  std::string bind_address = "0.0.0.0";  // kube-proxy listens on every address
};

// What one port reports.
struct HealthCheckEntry {
  std::string ns, name;
  uint32_t local_endpoints = 0;
  bool operator==(const HealthCheckEntry&) const = default;
};

// port -> entry for every Service of `snapshot` with a healthCheckNodePort: ready endpoints on
// `node_name`, the largest count over the Service's ports (kube-proxy keeps one per Service).
std::map<uint16_t, HealthCheckEntry> healthCheckPorts(const model::ServiceSnapshot& snapshot,
                                                      const std::string& node_name);

class HealthCheckServer final : public FastPath {
 public:
  explicit HealthCheckServer(HealthCheckOptions options);
  ~HealthCheckServer() override;
  HealthCheckServer(const HealthCheckServer&) = delete;
  HealthCheckServer& operator=(const HealthCheckServer&) = delete;

  const char* name() const override { return "health-check-node-ports"; }
  // Opens and closes listeners to match `snapshot`; false (with `error` naming the ports)
  // when a port could not be bound — the others are served regardless.
  bool program(const model::ServiceSnapshot& snapshot, std::string& error) override;

  size_t listening() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::agent
