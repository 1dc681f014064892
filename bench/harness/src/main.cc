// ferry-bench: the measuring end of the benchmark harness. Each subcommand runs one bounded
// measurement and prints one JSON object (raw samples included) on stdout; scripts/bench's
// orchestrator (bench/harness/py) starts the systems under test, alternates the runs and
// computes every statistic.
//
//   ferry-bench writes --api kubernetes|etcd --port P --ca FILE [--token T] [--server-pid PID]
//                      [--concurrency C] [--count N] [--warmup N] [--max-seconds S] [--object-bytes
//                      B]
//   ferry-bench watch  --api ... --watchers W --events K --interval-ms MS [--max-seconds S]
//   ferry-bench feed   --api kubernetes ... --mode feed|rest [--feed-port P] --agent-token T
//                      --agents N --services S --endpoints-per-service E --events K
//                      [--interval-ms MS] [--snapshot-agents A] [--max-seconds S]
//   ferry-bench xdp    --system ferry|direct --case new_flow|established --services N
//                      [--packets M] [--flows F] [--max-seconds S]         (root: bpf())
//   ferry-bench program --services N --endpoints-per-service E            (root: bpf())
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "feed_bench.h"
#include "ferry/feed/grpc_runtime.h"
#include "http_load.h"
#ifndef FERRY_BENCH_NO_BPF
#include "program_bench.h"
#include "xdp_bench.h"
#endif

namespace {

// 1000 watchers need 1000 sockets: lift the soft descriptor limit to the hard one.
void raiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

void addTargetOptions(CLI::App* cmd, ferry::bench::Target& t, std::string& api) {
  cmd->add_option("--api", api, "kubernetes (ferry-controlplane) or etcd (v3 JSON gateway)")
      ->required()
      ->check(CLI::IsMember({"kubernetes", "etcd"}));
  cmd->add_option("--host", t.host, "server address (loopback only)")->capture_default_str();
  cmd->add_option("--port", t.port, "server port")->required();
  cmd->add_option("--ca", t.ca_file, "PEM file the server certificate must verify against")
      ->required();
  cmd->add_option("--token", t.token, "bearer token (kubernetes)");
  cmd->add_option("--namespace", t.ns, "namespace of the ConfigMaps")->capture_default_str();
  cmd->add_option("--server-pid", t.server_pid, "process whose CPU time is accounted");
}

int run(int argc, char** argv) {
  raiseFileLimit();
  CLI::App app{"ferry-bench: one bounded measurement per call, JSON on stdout"};
  app.require_subcommand(1);

  ferry::bench::Target target;
  std::string api;
  ferry::bench::WriteOptions wo;
  auto* writes = app.add_subcommand("writes", "create throughput over keep-alive HTTPS");
  addTargetOptions(writes, target, api);
  writes->add_option("--concurrency", wo.concurrency, "connections")->capture_default_str();
  writes->add_option("--count", wo.count, "measured writes")->capture_default_str();
  writes->add_option("--warmup", wo.warmup, "unmeasured writes first")->capture_default_str();
  writes->add_option("--max-seconds", wo.max_seconds, "time bound")->capture_default_str();
  writes->add_option("--object-bytes", wo.object_bytes, "object document size")
      ->capture_default_str();

  ferry::bench::WatchOptions wa;
  auto* watch = app.add_subcommand("watch", "watch fan-out latency");
  addTargetOptions(watch, target, api);
  watch->add_option("--watchers", wa.watchers, "streaming connections")->capture_default_str();
  watch->add_option("--events", wa.events, "measured events")->capture_default_str();
  watch->add_option("--interval-ms", wa.interval_ms, "spacing of writes")->capture_default_str();
  watch->add_option("--max-seconds", wa.max_seconds, "time bound")->capture_default_str();
  watch->add_option("--object-bytes", wa.object_bytes, "object document size")
      ->capture_default_str();

  ferry::bench::FeedOptions fo;
  auto* feed = app.add_subcommand("feed", "agents' feed propagation (gRPC feed or REST watch)");
  addTargetOptions(feed, target, api);
  feed->add_option("--mode", fo.mode, "feed (gRPC Subscribe) or rest (LIST + watch)")
      ->check(CLI::IsMember({"feed", "rest"}))
      ->capture_default_str();
  feed->add_option("--feed-port", fo.feed_port, "gRPC feed port (mode feed)");
  feed->add_option("--agent-token", fo.agent_token, "node agents' bearer token")->required();
  feed->add_option("--agents", fo.agents, "simulated agents")->capture_default_str();
  feed->add_option("--services", fo.services, "Services (one EndpointSlice each)")
      ->capture_default_str();
  feed->add_option("--endpoints-per-service", fo.endpoints_per_service)->capture_default_str();
  feed->add_option("--events", fo.events, "measured Service updates")->capture_default_str();
  feed->add_option("--interval-ms", fo.interval_ms, "spacing of updates")->capture_default_str();
  feed->add_option("--snapshot-agents", fo.snapshot_agents, "new agents timed for the snapshot")
      ->capture_default_str();
  feed->add_option("--populate-concurrency", fo.populate_concurrency)->capture_default_str();
  feed->add_option("--max-seconds", fo.max_seconds, "time bound")->capture_default_str();

#ifndef FERRY_BENCH_NO_BPF
  ferry::bench::XdpOptions xo;
#else
  struct {
    uint32_t services = 0, backends_per_service = 0, flows = 0, active_services = 0, repeat = 1;
    uint64_t packets = 0;
    double max_seconds = 0;
  } xo;
#endif
  std::string system = "ferry", flow_case = "new_flow";
  auto* xdp = app.add_subcommand("xdp", "per-packet cost through BPF_PROG_TEST_RUN");
  xdp->add_option("--system", system)
      ->check(CLI::IsMember({"ferry", "direct"}))
      ->capture_default_str();
  xdp->add_option("--case", flow_case)
      ->check(CLI::IsMember({"new_flow", "established"}))
      ->capture_default_str();
  xdp->add_option("--services", xo.services)->capture_default_str();
  xdp->add_option("--backends-per-service", xo.backends_per_service)->capture_default_str();
  xdp->add_option("--packets", xo.packets, "measured packets (one BPF_PROG_TEST_RUN each)")
      ->capture_default_str();
  xdp->add_option("--flows", xo.flows, "distinct flows (established case)")->capture_default_str();
  xdp->add_option("--active-services", xo.active_services,
                  "services the packets go to, spread over the population (0: all)")
      ->capture_default_str();
  xdp->add_option("--max-seconds", xo.max_seconds, "time bound")->capture_default_str();
  xdp->add_option("--repeat", xo.repeat, "kernel repetitions per call (direct only: calibration)")
      ->capture_default_str();

#ifndef FERRY_BENCH_NO_BPF
  ferry::bench::ProgramOptions po;
  auto* program = app.add_subcommand("program", "time to program Services into the eBPF maps");
  program->add_option("--services", po.services)->capture_default_str();
  program->add_option("--endpoints-per-service", po.endpoints_per_service)->capture_default_str();
#endif

  CLI11_PARSE(app, argc, argv);
  target.api = api == "etcd" ? ferry::bench::Api::kEtcdGateway : ferry::bench::Api::kKubernetes;
  if (!target.host.starts_with("127.") && target.host != "::1") {
    std::cerr << "ferry-bench: refusing a non-loopback target " << target.host << "\n";
    return 2;
  }

  try {
    nlohmann::json out;
    if (*writes) {
      out = ferry::bench::runWrites(target, wo);
    } else if (*watch) {
      out = ferry::bench::runWatchFanout(target, wa);
    } else if (*feed) {
      out = ferry::bench::runFeedFanout(target, fo);
#ifndef FERRY_BENCH_NO_BPF
    } else if (*program) {
      out = ferry::bench::runProgram(po);
#endif
    } else {
#ifndef FERRY_BENCH_NO_BPF
      xo.system =
          system == "direct" ? ferry::bench::XdpSystem::kDirect : ferry::bench::XdpSystem::kFerry;
      xo.flow_case = flow_case == "established" ? ferry::bench::FlowCase::kEstablished
                                                : ferry::bench::FlowCase::kNewFlow;
      out = ferry::bench::runXdp(xo);
#else
      throw std::runtime_error("built with FERRY_BUILD_BPF=OFF: no xdp benchmark");
#endif
    }
    std::cout << out.dump() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "ferry-bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ferry::feed::tuneGrpcRuntime();
  std::signal(SIGPIPE, SIG_IGN);
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ferry-bench: " << e.what() << "\n";
    return 1;
  }
}
