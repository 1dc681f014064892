#include "ferry/agent/pods/pod_network.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ferry/agent/pods/subprocess.h"
#include "ferry/model/address.h"

namespace fs = std::filesystem;

namespace ferry::agent::pods {
namespace {

// Runs each `ip` command in turn; the first failure is the error.
std::string runAll(const std::vector<std::vector<std::string>>& commands) {
  for (const auto& argv : commands) {
    auto r = runCommand(argv);
    if (!r.ok()) return formatCommand(argv) + ": " + (r.err.empty() ? r.out : r.err);
  }
  return {};
}

}  // namespace

std::string podNetnsName(const std::string& node_netns, const std::string& ns,
                         const std::string& pod) {
  std::string name = node_netns + "." + ns + "." + pod;
  return name.size() > 200 ? std::string() : name;
}

std::string podVethName(const std::string& pod_cidr, const std::string& ip) {
  auto cidr = model::Cidr::parse(pod_cidr);
  auto addr = model::IpAddress::parse(ip);
  if (!cidr || !addr || addr->family() != model::Family::kIpv4) return {};
  const int len = cidr->prefixLength();
  const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  return "fp" + std::to_string(addr->v4HostOrder() & ~mask);
}

std::string podCgroupPath(const std::string& node_cgroup, const std::string& ns,
                          const std::string& pod) {
  return node_cgroup + "/" + ns + "." + pod;
}

bool netnsExists(const std::string& name) {
  return !name.empty() && fs::exists("/run/netns/" + name);
}

std::string createPodNetwork(const PodRecord& pod, const std::string& node_netns) {
  if (!netnsExists(node_netns)) return "node network namespace " + node_netns + " does not exist";
  // A leftover of a supervisor that died without cleaning up: replace it.
  if (netnsExists(pod.netns)) (void)removePodNetwork(pod, node_netns);
  (void)runCommand({"ip", "-n", node_netns, "link", "del", pod.host_veth});
  auto r = runCommand({"ip", "netns", "add", pod.netns});
  if (!r.ok()) return "ip netns add " + pod.netns + ": " + r.err;
  const std::string& n = node_netns;
  const std::string& p = pod.netns;
  std::string error = runAll({
      // Created in the node's namespace with the peer moved straight into the pod's: nothing
      // ever appears in the host's namespace.
      {"ip", "-n", n, "link", "add", pod.host_veth, "type", "veth", "peer", "name", "eth0", "netns",
       p},
      {"ip", "-n", p, "link", "set", "lo", "up"},
      {"ip", "-n", p, "addr", "add", pod.ip + "/32", "dev", "eth0"},
      {"ip", "-n", p, "link", "set", "eth0", "up"},
      {"ip", "-n", p, "route", "add", pod.gateway, "dev", "eth0", "scope", "link"},
      {"ip", "-n", p, "route", "add", "default", "via", pod.gateway, "dev", "eth0"},
      // The node answers for the gateway on every pod link (a /32: no connected route), and
      // routes the pod's address to its link.
      {"ip", "-n", n, "addr", "add", pod.gateway + "/32", "dev", pod.host_veth},
      {"ip", "-n", n, "link", "set", pod.host_veth, "up"},
      {"ip", "-n", n, "route", "replace", pod.ip + "/32", "dev", pod.host_veth},
  });
  if (!error.empty()) (void)removePodNetwork(pod, node_netns);
  return error;
}

std::string removePodNetwork(const PodRecord& pod, const std::string& node_netns) {
  std::string error;
  if (netnsExists(pod.netns)) {
    auto r = runCommand({"ip", "netns", "del", pod.netns});
    if (!r.ok()) error = "ip netns del " + pod.netns + ": " + r.err;
  }
  // Deleting the namespace destroys eth0 and with it the peer; a veth whose pod namespace was
  // lost some other way is removed here.
  if (!pod.host_veth.empty() && netnsExists(node_netns))
    (void)runCommand({"ip", "-n", node_netns, "link", "del", pod.host_veth});
  return error;
}

std::string createCgroup(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  return ec ? "create cgroup " + path + ": " + ec.message() : std::string();
}

std::string removeCgroup(const std::string& path) {
  if (!fs::exists(path)) return {};
  // Children first (a pod has none unless its command made some).
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.is_directory()) (void)removeCgroup(e.path().string());
  for (int attempt = 0; attempt < 50; ++attempt) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY) return "rmdir " + path + ": " + errnoMessage(errno);
    // Still populated: cgroup.kill (Linux 5.14) SIGKILLs everything inside, then the kernel
    // needs a moment to reap them.
    std::ofstream(path + "/cgroup.kill") << "1";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return "rmdir " + path + ": still busy";
}

}  // namespace ferry::agent::pods
