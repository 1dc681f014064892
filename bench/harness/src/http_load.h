// Load generators for the controlplane suite: keep-alive HTTPS writes from C concurrent
// connections, and a watch fan-out of W streaming connections fed by one writer. One client
// code path for both systems under test; only the request shapes differ (Kubernetes REST for
// ferry-controlplane, the v3 JSON gateway for etcd).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace ferry::bench {

enum class Api {
  kKubernetes,   // POST /api/v1/namespaces/<ns>/configmaps, GET …?watch=1
  kEtcdGateway,  // POST /v3/kv/put, POST /v3/watch
};

struct Target {
  Api api = Api::kKubernetes;
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string ca_file;       // PEM trust anchor; the server's certificate must verify against it
  std::string token;         // bearer token (Kubernetes only)
  std::string ns = "bench";  // namespace of the ConfigMaps; etcd keys mirror kube-apiserver's
                             // layout: /registry/configmaps/<ns>/<name>
  pid_t server_pid = 0;      // whose CPU time to account (0: none)
};

struct WriteOptions {
  int concurrency = 1;
  uint64_t count = 1000;           // measured writes
  uint64_t warmup = 50;            // unmeasured writes first, spread over the connections
  double max_seconds = 20;         // the measured phase stops issuing writes after this
  std::size_t object_bytes = 256;  // size of the ConfigMap JSON document (= etcd value)
};

struct WatchOptions {
  int watchers = 100;
  int events = 20;          // measured events (plus one unmeasured sync event first)
  double interval_ms = 20;  // spacing between writes
  double max_seconds = 60;  // bound on the whole run, connection set-up included
  std::size_t object_bytes = 256;
  int connect_parallelism = 32;
};

// Both return the raw per-operation samples (microseconds) and CPU accounting as JSON; the
// harness computes the statistics. They never throw for server-side failures: errors are
// counted in the result ("errors", "first_error"); they throw std::runtime_error only when
// the run cannot start at all (bad CA file, nothing listening).
nlohmann::json runWrites(const Target& target, const WriteOptions& options);
nlohmann::json runWatchFanout(const Target& target, const WatchOptions& options);

}  // namespace ferry::bench
