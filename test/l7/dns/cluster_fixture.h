// One small cluster, as a kubectl-style List, shared by the answer tests and the server tests:
// a dual-stack ClusterIP service with named and unnamed ports, headless services with ready,
// unready, hostname and hostname-less endpoints in both families, an ExternalName, a pod, and a
// headless service large enough to overflow a 512-byte UDP answer.
#pragma once

#include <nlohmann/json.hpp>

namespace ferry::dns::testing {

// Endpoints of apps/big: 10.244.2.1 .. 10.244.2.<kBigEndpoints>.
inline constexpr int kBigEndpoints = 60;

nlohmann::json clusterObjects();

}  // namespace ferry::dns::testing
