// Feed propagation for the `feed` suite: a ferry-controlplane populated with S Services and S
// EndpointSlices (E endpoints each) through its REST API, then N simulated node agents that
// either subscribe to the agents' gRPC feed (--mode feed) or watch the REST API the way
// kube-proxy watches kube-apiserver (--mode rest). Measures a new agent's full-snapshot time,
// the latency from an acknowledged Service update to each agent receiving it, and the server's
// CPU per delivered event.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "http_load.h"

namespace ferry::bench {

struct FeedOptions {
  std::string mode = "feed";  // "feed": gRPC Subscribe; "rest": GET …?watch=1 (+ LIST snapshots)
  uint16_t feed_port = 0;     // gRPC feed listener (mode feed)
  std::string agent_token;    // the node agents' bearer token (system:nodes)
  int agents = 20;
  int services = 200;
  int endpoints_per_service = 10;
  int events = 20;          // measured Service updates (plus one unmeasured sync update first)
  double interval_ms = 50;  // spacing of the updates
  int snapshot_agents = 5;  // new agents timed one after another for the full-snapshot time
  int populate_concurrency = 16;
  double max_seconds = 300;  // bound on the whole run, population included
};

nlohmann::json runFeedFanout(const Target& admin, const FeedOptions& options);

}  // namespace ferry::bench
