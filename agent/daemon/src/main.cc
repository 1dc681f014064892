// ferry-agent: one per node, replacing kube-proxy. Subscribes to the control plane's feed,
// compiles Services and EndpointSlices into the shared model and programs the eBPF fast path;
// serves /healthz (kube-proxy's port and answer) and Prometheus /metrics.
#include <linux/magic.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "ferry/agent/ebpf_fast_path.h"
#include "ferry/agent/health_check_server.h"
#include "ferry/agent/sync_loop.h"
#include "ferry/feed/feed_client.h"
#include "ferry/feed/grpc_runtime.h"
#include "ferry/feed/kubeconfig.h"
#include "ferry/feed/node_heartbeat.h"
#include "ferry/runtime/daemon_flags.h"
#include "ferry/runtime/log.h"
#include "ferry/runtime/status_server.h"

namespace {

using namespace ferry;

struct Flags {
  std::string config;
  std::string kubeconfig = "/var/lib/ferry/controlplane/agent.kubeconfig";
  std::string feed_address;
  uint16_t feed_port = 6444;
  std::string node_name;
  std::string health_check_bind_address = "0.0.0.0";
  std::vector<std::string> node_ips;
  std::vector<std::string> pod_cidrs;
  unsigned heartbeat_interval_s = 10;
  bool register_node = true;
  std::string cgroup = "/sys/fs/cgroup/unified";
  std::string pin_dir = "/sys/fs/bpf/ferry";
  bool unpin_on_exit = false;
  std::string healthz_bind_address = "0.0.0.0:10256";
  std::string metrics_bind_address = "127.0.0.1:10249";
  uint32_t map_services = 65536;
  uint32_t map_backends = 65536;
  std::string log_level = "info";
};

std::atomic<bool> g_stop{false};
std::mutex g_stop_mu;
std::condition_variable g_stop_cv;

void onSignal(int) {
  g_stop = true;
  g_stop_cv.notify_all();  // not strictly async-signal-safe; the wait below also polls
}

std::string hostname() {
  char buf[256] = {};
  ::gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// bpffs at `dir` (the pins' parent), mounted when it is not (it is not at boot here, and
// Cilium's agent does the same). "" on success, else what went wrong.
std::string ensureBpffs(const std::filesystem::path& dir) {
  struct statfs st {};
  if (::statfs(dir.c_str(), &st) == 0 && st.f_type == BPF_FS_MAGIC) return {};
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (::mount("bpf", dir.c_str(), "bpf", 0, nullptr) != 0)
    return "mount bpffs at " + dir.string() + ": " + std::strerror(errno);
  return {};
}

int fail(const std::string& what) {
  FERRY_LOG(kError, "ferry-agent cannot start", {{"error", what}});
  std::cerr << "ferry-agent: " << what << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ferry::feed::tuneGrpcRuntime();
  Flags f;
  CLI::App app{
      "ferry-agent: the node agent that replaces kube-proxy (eBPF service load balancing)"};
  app.add_option("--config", f.config, "YAML file of flag values (command-line flags win)");
  app.add_option("--kubeconfig", f.kubeconfig, "control plane URL, CA and node token")
      ->capture_default_str();
  app.add_option("--feed-address", f.feed_address,
                 "host:port of the control plane's feed (default: kubeconfig host)");
  app.add_option("--feed-port", f.feed_port, "feed port on the kubeconfig's host")
      ->capture_default_str();
  app.add_option("--hostname-override,--node-name", f.node_name,
                 "this node's name (default: the hostname)");
  app.add_option("--node-ip", f.node_ips, "this node's addresses (NodePort frontends)")
      ->delimiter(',');
  app.add_option("--pod-cidr", f.pod_cidrs, "this node's pod CIDRs (published on its Node object)")
      ->delimiter(',');
  app.add_option("--register-node", f.register_node, "create and heartbeat this node's Node object")
      ->capture_default_str();
  app.add_option("--node-status-update-frequency", f.heartbeat_interval_s,
                 "seconds between node heartbeats")
      ->capture_default_str();
  app.add_option("--cgroup", f.cgroup, "cgroup v2 directory whose processes are balanced")
      ->capture_default_str();
  app.add_option(
         "--bpf-pin-dir", f.pin_dir,
         "bpffs directory for maps and links, so restarts never stop balancing (\"\": none)")
      ->capture_default_str();
  app.add_flag("--unpin-on-exit", f.unpin_on_exit,
               "remove the pins at exit: balancing stops with the agent");
  app.add_option("--healthz-bind-address", f.healthz_bind_address, "host:port of /healthz")
      ->capture_default_str();
  app.add_option("--health-check-bind-address", f.health_check_bind_address,
                 "address the healthCheckNodePort listeners bind (every address by default)")
      ->capture_default_str();
  app.add_option("--metrics-bind-address", f.metrics_bind_address, "host:port of /metrics")
      ->capture_default_str();
  app.add_option("--map-services", f.map_services, "capacity of the service maps")
      ->capture_default_str();
  app.add_option("--map-backends", f.map_backends, "capacity of the backend map")
      ->capture_default_str();
  app.add_option("--log-level", f.log_level, "debug, info, warn or error")->capture_default_str();
  if (auto exit_code = runtime::parseDaemonFlags(app, argc, argv)) return *exit_code;
  if (auto exit_code = runtime::startDaemonLogging("agent", f.log_level)) return *exit_code;
  if (f.node_name.empty()) f.node_name = hostname();

  auto creds = feed::readKubeconfig(f.kubeconfig);
  if (!creds.ok()) return fail(creds.error());
  std::vector<model::IpAddress> node_ips;
  for (const auto& text : f.node_ips) {
    auto ip = model::IpAddress::parse(text);
    if (!ip) return fail("--node-ip: not an IP address: " + text);
    node_ips.push_back(*ip);
  }

  runtime::Registry& metrics = runtime::Registry::global();
  agent::EbpfFastPathOptions eo;
  eo.cgroup_path = f.cgroup;
  eo.node_name = f.node_name;
  eo.node_addresses = node_ips;
  eo.sizes.services = f.map_services;
  eo.sizes.slots = f.map_backends * 4;
  eo.sizes.backends = f.map_backends;
  eo.sizes.rev_nat = f.map_services;
  eo.pin_dir = f.pin_dir;
  if (!f.pin_dir.empty()) {
    if (auto mounted = ensureBpffs(std::filesystem::path(f.pin_dir).parent_path());
        !mounted.empty())
      return fail(mounted);
  }
  std::string error;
  auto ebpf_path = agent::EbpfFastPath::create(eo, error);
  if (!ebpf_path) return fail("eBPF fast path: " + error);
  if (ebpf_path->adoptedEntries() > 0)
    FERRY_LOG(kInfo, "took over the running datapath",
              {{"entries", ebpf_path->adoptedEntries()}, {"pins", f.pin_dir}});

  // healthCheckNodePort listeners (LoadBalancer Services with externalTrafficPolicy: Local).
  agent::HealthCheckServer health_checks(
      {.node_name = f.node_name, .bind_address = f.health_check_bind_address});

  agent::CompilerOptions co;
  co.node_name = f.node_name;
  agent::SyncLoop loop(co, {ebpf_path.get(), &health_checks}, metrics);

  feed::FeedClientOptions fo = feed::feedOptionsFrom(*creds, f.feed_port, f.feed_address);
  fo.node_name = f.node_name;
  fo.kinds = {"Service", "EndpointSlice", "Node"};
  feed::FeedClient client(fo, [&loop](const feed::FeedState& st, const feed::FeedUpdate& u) {
    loop.onFeedUpdate(st, u);
  });

  // kube-proxy's /healthz: 200 with lastUpdated/currentTime once programmed, 503 before.
  runtime::StatusServer healthz, metrics_server;
  auto health = [&loop] {
    const auto last = loop.lastProgrammed();
    const bool ok = last.time_since_epoch().count() != 0;
    nlohmann::json body = {{"lastUpdated", ok ? rfc3339(last) : ""},
                           {"currentTime", rfc3339(std::chrono::system_clock::now())}};
    return runtime::StatusReply{ok ? 200 : 503, "application/json", body.dump()};
  };
  healthz.handle("/healthz", health);
  healthz.handle("/livez", [] {
    return runtime::StatusReply{200, "text/plain; charset=utf-8", "ok\n"};
  });
  metrics_server.serveMetrics(metrics, [&] {
    metrics.gauge("ferry_agent_feed_connected", "1 while the feed stream is up.")
        .set(client.connected() ? 1 : 0);
    metrics.gauge("ferry_agent_feed_connects", "Feed streams opened since start.")
        .set(static_cast<double>(client.connects()));
    metrics.gauge("ferry_agent_feed_snapshots", "Full snapshots received since start.")
        .set(static_cast<double>(client.snapshots()));
    const auto s = ebpf_path->lastStats();
    if (auto snapshot = loop.current()) ebpf_path->exportMetrics(*snapshot, metrics);
    metrics.gauge("ferry_agent_ebpf_frontends", "Frontend entries in the eBPF maps.")
        .set(static_cast<double>(s.frontends));
    metrics.gauge("ferry_agent_ebpf_backends", "Backend entries in the eBPF maps.")
        .set(static_cast<double>(s.backends));
  });
  metrics_server.handle("/healthz", health);
  for (auto [server, address] : {std::pair{&healthz, &f.healthz_bind_address},
                                 std::pair{&metrics_server, &f.metrics_bind_address}}) {
    if (address->empty()) continue;
    if (auto r = server->listen(*address); !r.ok()) return fail(r.error());
    server->start();
  }

  std::signal(SIGINT, onSignal);
  std::signal(SIGTERM, onSignal);
  client.start();
  std::unique_ptr<feed::NodeHeartbeat> heartbeat;
  if (f.register_node) {
    feed::NodeHeartbeatOptions ho;
    ho.connection = fo;
    for (const auto& ip : f.node_ips) ho.addresses.emplace_back("InternalIP", ip);
    ho.addresses.emplace_back("Hostname", f.node_name);
    ho.pod_cidrs = f.pod_cidrs;
    ho.interval = std::chrono::seconds(std::max(1u, f.heartbeat_interval_s));
    ho.agent_version = "0.1.0";
    heartbeat = std::make_unique<feed::NodeHeartbeat>(ho);
    heartbeat->start();
  }
  FERRY_LOG(kInfo, "agent running",
            {{"node", f.node_name},
             {"feed", fo.target},
             {"cgroup", f.cgroup},
             {"healthz", f.healthz_bind_address},
             {"metrics", f.metrics_bind_address}});
  {
    std::unique_lock lock(g_stop_mu);
    while (!g_stop) g_stop_cv.wait_for(lock, std::chrono::milliseconds(200));
  }
  FERRY_LOG(kInfo, "agent stopping", {});
  if (heartbeat) heartbeat->stop();
  if (f.unpin_on_exit) ebpf_path->unpin();
  client.stop();
  healthz.stop();
  metrics_server.stop();
  return 0;
}
