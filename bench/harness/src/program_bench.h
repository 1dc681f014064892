// ferry-bench program: how long the agent's eBPF projector takes to program N Services with E
// endpoints each into the load balancer's maps (from empty, then one Service changed), the
// figure compared with iptables-restore and nft -f of kube-proxy's rule sets for the same
// Services (the Python side builds and times those).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

namespace ferry::bench {

struct ProgramOptions {
  uint32_t services = 10000;
  uint32_t endpoints_per_service = 10;
};

// {"services", "endpoints", "full_seconds", "incremental_seconds", "map_writes", ...}
nlohmann::json runProgram(const ProgramOptions& options);

}  // namespace ferry::bench
