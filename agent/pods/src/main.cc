// ferry: the command line for a local ferry cluster's pods. `ferry pod run` starts a process as
// a pod on one of scripts/up's simulated nodes (its own network namespace with an address from
// the node's pod CIDR, the node's cgroup so the node agent's socket load balancer applies, a Pod
// object whose Ready condition follows a readiness probe) and supervises it in the foreground;
// `ferry pod exec` runs a command inside a pod like `kubectl exec`.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>

#include "ferry/agent/pods/ip_pool.h"
#include "ferry/agent/pods/pod_api.h"
#include "ferry/agent/pods/pod_network.h"
#include "ferry/agent/pods/pod_state.h"
#include "ferry/agent/pods/probe.h"
#include "ferry/agent/pods/subprocess.h"

namespace {

using namespace ferry::agent::pods;
using Clock = std::chrono::steady_clock;

struct Common {
  std::string kubeconfig;
  std::string context;
  std::string state_dir = defaultStateDir();
  std::string namespace_ = "default";

  PodApi api() const { return {kubeconfig, context}; }
};

void addCommon(CLI::App* cmd, Common& c, bool with_namespace = true) {
  cmd->add_option("--kubeconfig", c.kubeconfig,
                  "kubeconfig for the API (default: $KUBECONFIG, else ~/.kube/config)");
  cmd->add_option("--context", c.context, "kubeconfig context (default: the current one)");
  cmd->add_option("--state-dir", c.state_dir,
                  "scripts/up's state directory (default: $FERRY_STATE_DIR, else "
                  "/var/lib/ferry/local)")
      ->capture_default_str();
  if (with_namespace)
    cmd->add_option("-n,--namespace", c.namespace_, "the pod's namespace")->capture_default_str();
}

int fail(const std::string& what) {
  std::cerr << "ferry: " << what << "\n";
  return 1;
}

bool alive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const auto paren = line.rfind(')');
  return paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] != 'Z';
}

// RFC 1123 labels and subdomains, as Kubernetes validates namespaces and pod names.
bool validName(const std::string& s, bool subdomain) {
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static const std::regex dotted(
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  return !s.empty() && s.size() <= (subdomain ? 253u : 63u) &&
         std::regex_match(s, subdomain ? dotted : label);
}

// Removes what a pod left on this machine (namespace, veth, cgroup, record and, unless it is
// about to be replaced, its address); each step is idempotent, so a second teardown of the same
// pod is harmless.
void teardownLocal(const PodState& state, const PodRecord& pod, bool release_ip = true) {
  auto node = state.node(pod.node);
  if (!pod.cgroup.empty())
    if (auto e = removeCgroup(pod.cgroup); !e.empty()) std::cerr << "ferry: " << e << "\n";
  if (node) {
    if (auto e = removePodNetwork(pod, node->netns); !e.empty())
      std::cerr << "ferry: " << e << "\n";
    if (auto cidr = ferry::model::Cidr::parse(node->pod_cidr); cidr && release_ip) {
      IpPool pool(state.ipamPath(pod.node), *cidr);
      (void)pool.release(pod.namespace_ + "/" + pod.name);
    }
  } else if (netnsExists(pod.netns)) {
    (void)runCommand({"ip", "netns", "del", pod.netns});
  }
  state.removePod(pod.namespace_, pod.name);
}

// Signals for the supervisor, taken synchronously with sigtimedwait().
sigset_t supervisorSignals() {
  sigset_t s;
  sigemptyset(&s);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&s, sig);
  return s;
}

struct RunFlags {
  std::string name;
  std::string node;
  std::vector<std::string> labels;
  std::vector<std::string> ports;
  std::string readiness_http;
  std::vector<std::string> command;
};

int podRun(const Common& c, const RunFlags& f) {
  if (!validName(c.namespace_, false)) return fail("invalid namespace: " + c.namespace_);
  if (!validName(f.name, true)) return fail("invalid pod name: " + f.name);
  if (f.command.empty()) return fail("no command: ferry pod run NAME --node NODE -- CMD ARGS...");
  PodState state(c.state_dir);
  auto node = state.node(f.node);
  if (!node) return fail(node.error());
  auto cidr = ferry::model::Cidr::parse(node->pod_cidr);
  if (!cidr) return fail("node " + f.node + ": bad pod_cidr " + node->pod_cidr);

  PodSpec spec;
  spec.namespace_ = c.namespace_;
  spec.name = f.name;
  spec.node = node->name;
  spec.command = f.command;
  for (const auto& kv : f.labels) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return fail("--labels wants k=v: " + kv);
    spec.labels[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  static const std::regex port_re("(([a-z0-9-]+):)?([0-9]+)(/(TCP|UDP|SCTP|tcp|udp|sctp))?");
  for (const auto& p : f.ports) {
    std::smatch m;
    if (!std::regex_match(p, m, port_re)) return fail("--port wants NAME:PORT/PROTO: " + p);
    ContainerPort cp{m[2].str(), std::atoi(m[3].str().c_str()), "TCP"};
    if (m[5].matched) {
      cp.protocol = m[5].str();
      for (auto& ch : cp.protocol) ch = static_cast<char>(std::toupper(ch));
    }
    if (cp.port < 1 || cp.port > 65535) return fail("--port out of range: " + p);
    spec.ports.push_back(cp);
  }
  HttpProbe probe;
  if (!f.readiness_http.empty()) {
    probe = parseHttpProbe(f.readiness_http);
    if (probe.port == 0) return fail("--readiness-http wants PORT:/path: " + f.readiness_http);
  }

  // One supervisor per pod; a record whose supervisor is gone is a crash's leftover, and so is
  // the object that supervisor had created: both are replaced.
  const PodApi api = c.api();
  if (auto old = state.pod(c.namespace_, f.name)) {
    if (alive(old->supervisor)) {
      return fail("pod " + c.namespace_ + "/" + f.name + " is already running (supervisor pid " +
                  std::to_string(old->supervisor) + ")");
    }
    std::cerr << "ferry: replacing pod " << c.namespace_ << "/" << f.name
              << " left by supervisor pid " << old->supervisor << "\n";
    // Same node: the pod keeps its address (allocate() hands the held one back).
    teardownLocal(state, *old, /*release_ip=*/old->node != f.node);
    if (auto r = api.remove(c.namespace_, f.name); !r) return fail(r.error());
  }
  if (auto there = api.exists(c.namespace_, f.name); !there) {
    return fail(there.error());
  } else if (*there) {
    return fail("pod " + c.namespace_ + "/" + f.name +
                " already exists in the API and no supervisor on this machine owns it "
                "(ferry pod delete " +
                f.name + " -n " + c.namespace_ + " removes it)");
  }

  PodRecord pod;
  pod.namespace_ = c.namespace_;
  pod.name = f.name;
  pod.node = node->name;
  pod.netns = podNetnsName(node->netns, c.namespace_, f.name);
  if (pod.netns.empty()) return fail("pod name too long for a network namespace name");
  pod.cgroup = podCgroupPath(node->cgroup, c.namespace_, f.name);
  pod.supervisor = ::getpid();
  IpPool pool(state.ipamPath(node->name), *cidr);
  auto ip = pool.allocate(c.namespace_ + "/" + f.name);
  if (!ip) return fail(ip.error());
  pod.ip = ip->toString();
  pod.gateway = IpAllocations(*cidr).gateway().toString();
  pod.host_veth = podVethName(node->pod_cidr, pod.ip);
  if (!node->dns_server.empty()) {
    pod.resolv_conf = state.resolvConfPath(c.namespace_, f.name);
    const std::string domain = node->dns_search.empty() ? "cluster.local" : node->dns_search;
    std::filesystem::create_directories(std::filesystem::path(pod.resolv_conf).parent_path());
    std::ofstream(pod.resolv_conf)
        << "search " << c.namespace_ << ".svc." << domain << " svc." << domain << " " << domain
        << "\nnameserver " << node->dns_server << "\noptions ndots:5\n";
  }
  // The record first: whatever follows fails, `ferry pod delete` and scripts/down find it.
  if (auto e = state.savePod(pod); !e.empty()) {
    (void)pool.release(c.namespace_ + "/" + f.name);
    return fail(e);
  }
  auto abort = [&](const std::string& what) {
    teardownLocal(state, pod);
    return fail(what);
  };
  if (auto e = createCgroup(pod.cgroup); !e.empty()) return abort(e);
  if (auto e = createPodNetwork(pod, node->netns); !e.empty()) return abort(e);
  if (auto r = api.create(spec); !r) return abort(r.error());

  // From here on the signals are taken synchronously; the pod's process starts with them
  // unblocked again (spawnInPod).
  const sigset_t sigs = supervisorSignals();
  ::pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  PodContext ctx{pod.netns,
                 pod.cgroup,
                 pod.resolv_conf,
                 {{"POD_NAME", f.name},
                  {"POD_NAMESPACE", c.namespace_},
                  {"POD_IP", pod.ip},
                  {"NODE_NAME", node->name}},
                 /*die_with_parent=*/true};
  std::string error;
  pod.pid = spawnInPod(ctx, f.command, error);
  if (pod.pid < 0) {
    (void)api.remove(c.namespace_, f.name);
    return abort("start " + formatCommand(f.command) + ": " + error);
  }
  (void)state.savePod(pod);
  const bool probed = probe.port != 0;
  if (auto r = api.setStatus(spec, pod.ip, node->node_ip, !probed); !r)
    std::cerr << "ferry: " << r.error() << "\n";
  std::cerr << "ferry: pod " << c.namespace_ << "/" << f.name << " running on " << node->name
            << " at " << pod.ip << " (pid " << pod.pid << ", netns " << pod.netns << ")\n";

  // The readiness prober probes from the node's namespace, as the kubelet does, every second
  // with a one-second timeout, and writes the Ready condition only when it changes.
  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;
  std::thread prober;
  if (probed) {
    prober = std::thread([&] {
      bool ready = false;
      for (;;) {
        const auto next = Clock::now() + std::chrono::seconds(1);
        const bool ok = probeHttp(pod.ip, probe, std::chrono::seconds(1), node->netns);
        if (ok != ready) {
          if (auto r = api.setStatus(spec, pod.ip, node->node_ip, ok); r) {
            ready = ok;
            std::cerr << "ferry: pod " << f.name << (ok ? " ready\n" : " not ready\n");
          } else {
            std::cerr << "ferry: " << r.error() << "\n";
          }
        }
        std::unique_lock lock(mu);
        if (cv.wait_until(lock, next, [&] { return stop; })) return;
      }
    });
  }

  int exit_code = 0;
  bool exited = false;
  for (;;) {
    siginfo_t info{};
    const int sig = ::sigwaitinfo(&sigs, &info);
    if (sig == SIGCHLD) {
      int status = 0;
      if (::waitpid(pod.pid, &status, WNOHANG) == pod.pid) {
        exit_code = exitCodeOf(status);
        exited = true;
        std::cerr << "ferry: pod " << f.name << " command exited (" << exit_code << ")\n";
        break;
      }
      continue;
    }
    if (sig > 0) break;
  }
  {
    std::lock_guard lock(mu);
    stop = true;
  }
  cv.notify_all();
  if (prober.joinable()) prober.join();
  // The object goes first, so the Service stops sending traffic before the process stops.
  if (auto r = api.remove(c.namespace_, f.name); !r) std::cerr << "ferry: " << r.error() << "\n";
  if (!exited) {
    ::kill(pod.pid, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    int status = 0;
    while (Clock::now() < deadline && ::waitpid(pod.pid, &status, WNOHANG) == 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  teardownLocal(state, pod);  // cgroup.kill takes whatever is left
  if (!exited) (void)::waitpid(pod.pid, nullptr, WNOHANG);
  std::cerr << "ferry: pod " << c.namespace_ << "/" << f.name << " removed\n";
  return exit_code;
}

int podExec(const Common& c, const std::string& name, const std::vector<std::string>& command) {
  if (command.empty()) return fail("no command: ferry pod exec POD -- CMD ARGS...");
  PodState state(c.state_dir);
  auto pod = state.pod(c.namespace_, name);
  if (!pod) return fail(pod.error());
  if (!netnsExists(pod->netns)) return fail("pod " + name + ": its network namespace is gone");
  PodContext ctx{pod->netns,
                 pod->cgroup,
                 pod->resolv_conf,
                 {{"POD_NAME", name}, {"POD_NAMESPACE", c.namespace_}, {"POD_IP", pod->ip}},
                 false};
  if (!ctx.resolv_conf.empty() && !std::filesystem::exists(ctx.resolv_conf))
    ctx.resolv_conf.clear();
  std::string error;
  const pid_t pid = spawnInPod(ctx, command, error);
  if (pid < 0) return fail(error);
  // Ctrl-C is for the command (same process group); we wait for it and pass on its status.
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  return waitExit(pid);
}

int podList(const Common& c, bool all) {
  auto pods = c.api().list(all ? "" : c.namespace_);
  if (!pods) return fail(pods.error());
  std::printf("%-12s %-24s %-6s %-10s %-15s %s\n", "NAMESPACE", "NAME", "READY", "STATUS", "IP",
              "NODE");
  for (const auto& p : *pods) {
    std::printf("%-12s %-24s %-6s %-10s %-15s %s\n", p.namespace_.c_str(), p.name.c_str(),
                p.ready ? "1/1" : "0/1", p.phase.empty() ? "Pending" : p.phase.c_str(),
                p.ip.empty() ? "<none>" : p.ip.c_str(), p.node.empty() ? "<none>" : p.node.c_str());
  }
  return 0;
}

int podDelete(const Common& c, const std::string& name) {
  PodState state(c.state_dir);
  auto pod = state.pod(c.namespace_, name);
  if (pod && alive(pod->supervisor)) {
    // The supervisor tears the pod down itself on SIGTERM; wait (bounded) until it has.
    ::kill(pod->supervisor, SIGTERM);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (alive(pod->supervisor) && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (alive(pod->supervisor))
      return fail("supervisor " + std::to_string(pod->supervisor) + " did not stop within 30 s");
  } else if (pod) {
    teardownLocal(state, *pod);
  }
  if (auto r = c.api().remove(c.namespace_, name); !r) return fail(r.error());
  std::cout << "pod \"" << name << "\" deleted\n";
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{"ferry: pods on a local ferry cluster's simulated nodes (see docs/RUNNING.md)"};
  app.require_subcommand(1);
  auto* pod = app.add_subcommand("pod", "run, exec into, list and delete pods");
  pod->require_subcommand(1);

  Common common;
  RunFlags run;
  auto* run_cmd = pod->add_subcommand(
      "run",
      "start CMD as pod NAME on a node and supervise it in the foreground (SIGTERM: "
      "delete it)");
  addCommon(run_cmd, common);
  run_cmd->add_option("name", run.name, "pod name")->required();
  run_cmd->add_option("--node", run.node, "node to run on (scripts/up's node-1, node-2, ...)")
      ->required();
  run_cmd->add_option("-l,--labels", run.labels, "labels k=v[,k=v...]")->delimiter(',');
  run_cmd->add_option("--port", run.ports, "container port NAME:PORT[/PROTO], repeatable");
  run_cmd->add_option("--readiness-http", run.readiness_http,
                      "HTTP readiness probe PORT:/path (every 1 s, timeout 1 s); without it the "
                      "pod is Ready once started");
  run_cmd->add_option("command", run.command, "-- CMD ARGS...")->required();

  std::string target;
  std::vector<std::string> exec_command;
  auto* exec_cmd = pod->add_subcommand("exec",
                                       "run CMD inside a pod's network namespace and "
                                       "cgroup, like kubectl exec");
  addCommon(exec_cmd, common);
  exec_cmd->add_option("pod", target, "pod name")->required();
  exec_cmd->add_option("command", exec_command, "-- CMD ARGS...")->required();

  bool all = false;
  auto* list_cmd = pod->add_subcommand("list", "list pods (name, node, IP, ready)");
  addCommon(list_cmd, common);
  list_cmd->add_flag("-A,--all-namespaces", all, "every namespace");

  auto* delete_cmd = pod->add_subcommand("delete", "stop a pod and delete its object");
  addCommon(delete_cmd, common);
  delete_cmd->add_option("pod", target, "pod name")->required();

  CLI11_PARSE(app, argc, argv);
  if (run_cmd->parsed()) return podRun(common, run);
  if (exec_cmd->parsed()) return podExec(common, target, exec_command);
  if (list_cmd->parsed()) return podList(common, all);
  if (delete_cmd->parsed()) return podDelete(common, target);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ferry: " << e.what() << "\n";
    return 1;
  }
}
