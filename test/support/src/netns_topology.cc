#include "ferry/testing/netns_topology.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "ferry/testing/packet_builder.h"
#include "ferry/testing/packet_checks.h"

namespace ferry::testing {
namespace {

constexpr const char* kNetnsDir = "/run/netns";
// Host numbers inside each subnet (see TopologyOptions).
constexpr uint64_t kGatewayHost = 1;
constexpr uint64_t kFirstPodHost = 2;
constexpr uint64_t kFirstNodeFabricHost = 10;
constexpr uint64_t kFirstExternalFabricHost = 200;
constexpr std::size_t kMaxIfnameLen = 15;  // IFNAMSIZ - 1

// Namespaces of live topologies of this process, so sweepStale() run by one topology spares its
// siblings (their owner pid is alive: ours) but still removes leftovers of an earlier process
// that happened to have our pid.
std::mutex g_registry_mutex;
std::set<std::string> g_live_prefixes;
std::atomic<unsigned> g_run_counter{0};

std::string base36(uint64_t v) {
  const char* digits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  do {
    out.insert(out.begin(), digits[v % 36]);
    v /= 36;
  } while (v != 0);
  return out;
}

std::optional<uint64_t> parseBase36(const std::string& s) {
  uint64_t v = 0;
  if (s.empty() || s.size() > 12) return std::nullopt;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'z')
      d = c - 'a' + 10;
    else
      return std::nullopt;
    v = v * 36 + static_cast<uint64_t>(d);
  }
  return v;
}

// The scheme's sweepable names: "fy<pid>-<run>-<role>".
const std::regex& sweepableName() {
  static const std::regex re(
      "^fy([0-9a-z]{1,12})-([0-9a-z]{1,12})-(fab|n[0-9]+|n[0-9]+p[0-9]+|ext[0-9]+)$");
  return re;
}

std::vector<std::string> listNamespaces() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(kNetnsDir, ec))
    out.push_back(entry.path().filename().string());
  return out;
}

// Deletes a namespace, first killing processes still inside: they would keep it (and its veths)
// alive, unnamed, after the name is gone. Those processes were started by this helper's users
// inside a namespace this helper created.
bool deleteNamespace(const std::string& name) {
  CommandResult pids = runCommand({"ip", "netns", "pids", name});
  if (pids.ok()) {
    std::istringstream in(pids.out);
    long pid;
    while (in >> pid) {
      if (pid > 1 && pid != ::getpid()) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
  }
  CommandResult del = runCommand({"ip", "netns", "del", name});
  if (!del.ok() && std::filesystem::exists(std::string(kNetnsDir) + "/" + name)) {
    std::cerr << "ferry::testing: could not delete netns " << name << ": " << del.err;
    return false;
  }
  return del.ok();
}

// False while an `ip netns add` may still be in progress: it creates the file first and binds the
// namespace onto it a moment later, and deleting the file in between makes that add fail. An
// unmounted file that has been sitting there a while is litter of an `ip` that was killed.
bool settled(const std::string& name) {
  const std::string path = std::string(kNetnsDir) + "/" + name;
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) == 0 && fs.f_type == static_cast<decltype(fs.f_type)>(NSFS_MAGIC))
    return true;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return ::time(nullptr) - st.st_mtime > 30;
}

struct Cidr {
  Bytes addr;  // network byte order, host bits cleared
  int prefix = 0;
};

Cidr parseCidr(const std::string& text, std::size_t want_len, const char* what) {
  auto slash = text.find('/');
  if (slash == std::string::npos)
    throw std::invalid_argument(std::string(what) + ": '" + text + "' is not address/prefix");
  Cidr c;
  try {
    c.addr = parseIp(text.substr(0, slash));
    c.prefix = std::stoi(text.substr(slash + 1));
  } catch (const std::exception&) {
    throw std::invalid_argument(std::string(what) + ": '" + text + "' is not address/prefix");
  }
  if (c.addr.size() != want_len || c.prefix < 0 || c.prefix > static_cast<int>(want_len * 8))
    throw std::invalid_argument(std::string(what) + ": '" + text + "' is not an IPv" +
                                (want_len == 4 ? "4" : "6") + " prefix");
  for (std::size_t bit = static_cast<std::size_t>(c.prefix); bit < want_len * 8; ++bit)
    c.addr[bit / 8] &= static_cast<uint8_t>(~(0x80u >> (bit % 8)));
  return c;
}

uint32_t toU32(const Bytes& a) {
  return (uint32_t{a[0]} << 24) | (uint32_t{a[1]} << 16) | (uint32_t{a[2]} << 8) | a[3];
}

std::string formatV4(uint32_t v) {
  char buf[INET_ADDRSTRLEN];
  uint8_t b[4] = {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                  static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
  ::inet_ntop(AF_INET, b, buf, sizeof buf);
  return buf;
}

// An IPv6 address from its two 64-bit halves.
std::string formatV6(uint64_t hi, uint64_t lo) {
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  char buf[INET6_ADDRSTRLEN];
  ::inet_ntop(AF_INET6, b, buf, sizeof buf);
  return buf;
}

uint64_t hi64(const Bytes& a) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | a[static_cast<std::size_t>(i)];
  return v;
}

// A locally administered MAC derived from an IPv4 address, so captures are easy to read and
// fixtures can predict the MAC of a pod: 02:<kind>:a.b.c.d in hex.
std::string macFor(uint8_t kind, uint32_t v4) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "02:%02x:%02x:%02x:%02x:%02x", kind, (v4 >> 24) & 0xff,
                (v4 >> 16) & 0xff, (v4 >> 8) & 0xff, v4 & 0xff);
  return buf;
}

void writeProcFile(const std::string& path, const std::string& value) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, value.data(), value.size());
  int e = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    throw std::runtime_error("write " + path + ": " + std::strerror(e));
}

// The address plan, validated once up front so that option mistakes fail before anything exists.
struct Plan {
  uint32_t pod_v4 = 0;
  int node_prefix_v4 = 24;
  uint64_t max_pods = 0;
  uint64_t pod_v6_hi = 0;
  uint32_t fabric_v4 = 0;
  int fabric_prefix_v4 = 24;
  uint64_t fabric_v6_hi = 0;
  int fabric_prefix_v6 = 64;

  uint32_t nodeSubnetV4(int node) const {
    return pod_v4 + (static_cast<uint32_t>(node) << (32 - node_prefix_v4));
  }
};

Plan makePlan(const TopologyOptions& o) {
  if (o.nodes < 1) throw std::invalid_argument("TopologyOptions: nodes must be at least 1");
  if (o.pods_per_node < 0 || o.externals < 0)
    throw std::invalid_argument("TopologyOptions: pods_per_node and externals must be >= 0");
  if (o.mtu < 68) throw std::invalid_argument("TopologyOptions: mtu below 68");
  Plan p;
  Cidr pod4 = parseCidr(o.pod_cidr_v4, 4, "pod_cidr_v4");
  p.pod_v4 = toU32(pod4.addr);
  p.node_prefix_v4 = o.node_pod_prefix_v4;
  if (p.node_prefix_v4 < pod4.prefix || p.node_prefix_v4 > 29)
    throw std::invalid_argument(
        "TopologyOptions: node_pod_prefix_v4 must be within pod_cidr_v4 "
        "and at most 29");
  if (static_cast<uint64_t>(o.nodes) > (uint64_t{1} << (p.node_prefix_v4 - pod4.prefix)))
    throw std::invalid_argument("TopologyOptions: pod_cidr_v4 has room for fewer nodes");
  p.max_pods = (uint64_t{1} << (32 - p.node_prefix_v4)) - kFirstPodHost - 1;  // minus broadcast
  if (static_cast<uint64_t>(o.pods_per_node) > p.max_pods)
    throw std::invalid_argument("TopologyOptions: a node pod subnet has room for fewer pods");

  Cidr fab4 = parseCidr(o.fabric_cidr_v4, 4, "fabric_cidr_v4");
  p.fabric_v4 = toU32(fab4.addr);
  p.fabric_prefix_v4 = fab4.prefix;
  uint64_t fab_hosts = (uint64_t{1} << (32 - fab4.prefix)) - 2;
  if (kFirstNodeFabricHost + static_cast<uint64_t>(o.nodes) > kFirstExternalFabricHost ||
      kFirstExternalFabricHost + static_cast<uint64_t>(o.externals) > fab_hosts + 1)
    throw std::invalid_argument(
        "TopologyOptions: fabric_cidr_v4 is too small (nodes use hosts "
        "10.., externals 200..)");
  if (o.ipv6) {
    Cidr pod6 = parseCidr(o.pod_cidr_v6, 16, "pod_cidr_v6");
    Cidr fab6 = parseCidr(o.fabric_cidr_v6, 16, "fabric_cidr_v6");
    if (pod6.prefix > 64 - 1 || fab6.prefix > 64)
      throw std::invalid_argument(
          "TopologyOptions: pod_cidr_v6 must be shorter than /64 and "
          "fabric_cidr_v6 at most /64");
    if (64 - pod6.prefix < 32 &&
        static_cast<uint64_t>(o.nodes) > (uint64_t{1} << (64 - pod6.prefix)))
      throw std::invalid_argument("TopologyOptions: pod_cidr_v6 has room for fewer nodes");
    p.pod_v6_hi = hi64(pod6.addr);
    p.fabric_v6_hi = hi64(fab6.addr);
    p.fabric_prefix_v6 = fab6.prefix;
  }
  if (!o.persistent_tag.empty()) {
    static const std::regex tag("^[a-z0-9]{1,8}$");
    if (!std::regex_match(o.persistent_tag, tag))
      throw std::invalid_argument("TopologyOptions: persistent_tag must match [a-z0-9]{1,8}");
  }
  return p;
}

}  // namespace

std::string NetnsTopology::processPrefix() {
  return "fy" + base36(static_cast<uint64_t>(::getpid())) + "-";
}

NetnsTopology::NetnsTopology(TopologyOptions options) : options_(std::move(options)) {
  try {
    build();
  } catch (...) {
    // The destructor does not run for a constructor that throws; undo here.
    teardown();
    throw;
  }
}

NetnsTopology::~NetnsTopology() {
  teardown();
}

void NetnsTopology::step(const std::string& what) const {
  if (options_.on_step) options_.on_step(what);
}

void NetnsTopology::ip(const std::string& netns, std::vector<std::string> args) const {
  args.insert(args.begin(), {"ip", "-n", netns});
  runOrThrow(args);
}

void NetnsTopology::createNamespace(const std::string& name, bool router) {
  runOrThrow({"ip", "netns", "add", name});
  // Recorded only once it exists, so a name clash never makes teardown delete someone else's.
  owned_.push_back(name);
  ip(name, {"link", "set", "lo", "up"});
  runInNetns(name, [&] {
    const std::string v4 = "/proc/sys/net/ipv4/";
    const std::string v6 = "/proc/sys/net/ipv6/";
    if (options_.ipv6) {
      // No duplicate address detection: addresses are usable at once (no tentative state) and
      // nothing else shares these links.
      writeProcFile(v6 + "conf/all/accept_dad", "0");
      writeProcFile(v6 + "conf/default/accept_dad", "0");
    } else {
      writeProcFile(v6 + "conf/all/disable_ipv6", "1");
      writeProcFile(v6 + "conf/default/disable_ipv6", "1");
    }
    // Explicit either way: new namespaces inherit IPv4 settings from the root namespace, which
    // on a Kubernetes host usually forwards; a pod or external host must not.
    writeProcFile(v4 + "ip_forward", router ? "1" : "0");
    if (router) {
      // Strict reverse-path filtering (inherited the same way) would drop the asymmetric flows
      // (DSR, VIPs) that later tests build on these nodes.
      writeProcFile(v4 + "conf/all/rp_filter", "0");
      writeProcFile(v4 + "conf/default/rp_filter", "0");
      if (options_.ipv6) writeProcFile(v6 + "conf/all/forwarding", "1");
    }
  });
}

void NetnsTopology::build() {
  const Plan plan = makePlan(options_);
  const std::string mtu = std::to_string(options_.mtu);

  if (options_.persistent_tag.empty()) {
    prefix_ = processPrefix() + base36(g_run_counter.fetch_add(1));
  } else {
    prefix_ = "fyk" + options_.persistent_tag;
    for (const std::string& ns : listNamespaces()) {
      if (ns.rfind(prefix_ + "-", 0) == 0)
        throw std::runtime_error("a topology named " + prefix_ +
                                 " already exists; NetnsTopology::removeNamespaces(\"" + prefix_ +
                                 "\") first");
    }
  }
  {
    std::lock_guard<std::mutex> lock(g_registry_mutex);
    g_live_prefixes.insert(prefix_);
    registered_ = true;
  }
  sweepStale();

  step("fabric");
  fabric_netns_ = prefix_ + "-fab";
  createNamespace(fabric_netns_, false);
  // Multicast snooping off: with no querier it can stop forwarding IPv6 neighbour discovery.
  ip(fabric_netns_, {"link", "add", "fbr0", "type", "bridge", "mcast_snooping", "0"});
  ip(fabric_netns_, {"link", "set", "fbr0", "up"});

  nodes_.resize(static_cast<std::size_t>(options_.nodes));
  for (int i = 0; i < options_.nodes; ++i) {
    step("node " + std::to_string(i));
    Node& n = nodes_[static_cast<std::size_t>(i)];
    n.index = i;
    n.netns = prefix_ + "-n" + std::to_string(i);
    const uint32_t node_v4 =
        plan.fabric_v4 + static_cast<uint32_t>(kFirstNodeFabricHost) + static_cast<uint32_t>(i);
    n.ipv4 = formatV4(node_v4);
    n.mac = macFor(0x00, node_v4);
    n.fabric_port = "vn" + std::to_string(i);
    const uint32_t subnet = plan.nodeSubnetV4(i);
    n.pod_cidr_v4 = formatV4(subnet) + "/" + std::to_string(plan.node_prefix_v4);
    n.gateway_v4 = formatV4(subnet + kGatewayHost);
    if (options_.ipv6) {
      n.ipv6 = formatV6(plan.fabric_v6_hi, kFirstNodeFabricHost + static_cast<uint64_t>(i));
      n.pod_cidr_v6 = formatV6(plan.pod_v6_hi + static_cast<uint64_t>(i), 0) + "/64";
      n.gateway_v6 = formatV6(plan.pod_v6_hi + static_cast<uint64_t>(i), kGatewayHost);
    }

    createNamespace(n.netns, true);
    ip(fabric_netns_, {"link", "add", n.fabric_port, "mtu", mtu, "type", "veth", "peer", "name",
                       n.ifname, "mtu", mtu, "netns", n.netns});
    ip(fabric_netns_, {"link", "set", n.fabric_port, "master", "fbr0", "up"});
    ip(n.netns, {"link", "set", n.ifname, "address", n.mac, "up"});
    ip(n.netns,
       {"addr", "add", n.ipv4 + "/" + std::to_string(plan.fabric_prefix_v4), "dev", n.ifname});
    if (options_.ipv6)
      ip(n.netns, {"addr", "add", n.ipv6 + "/" + std::to_string(plan.fabric_prefix_v6), "dev",
                   n.ifname, "nodad"});

    ip(n.netns, {"link", "add", n.bridge, "mtu", mtu, "type", "bridge", "mcast_snooping", "0"});
    ip(n.netns, {"link", "set", n.bridge, "address", macFor(0x01, subnet + kGatewayHost), "up"});
    ip(n.netns,
       {"addr", "add", n.gateway_v4 + "/" + std::to_string(plan.node_prefix_v4), "dev", n.bridge});
    if (options_.ipv6) ip(n.netns, {"addr", "add", n.gateway_v6 + "/64", "dev", n.bridge, "nodad"});

    for (int j = 0; j < options_.pods_per_node; ++j) addPodTo(n);
  }

  step("routes");
  for (const Node& from : nodes_) {
    for (const Node& to : nodes_) {
      if (from.index == to.index) continue;
      ip(from.netns, {"route", "add", to.pod_cidr_v4, "via", to.ipv4});
      if (options_.ipv6) ip(from.netns, {"-6", "route", "add", to.pod_cidr_v6, "via", to.ipv6});
    }
  }

  for (int k = 0; k < options_.externals; ++k) {
    step("external " + std::to_string(k));
    External x;
    x.index = k;
    x.netns = prefix_ + "-ext" + std::to_string(k);
    const uint32_t v4 =
        plan.fabric_v4 + static_cast<uint32_t>(kFirstExternalFabricHost) + static_cast<uint32_t>(k);
    x.ipv4 = formatV4(v4);
    x.mac = macFor(0x00, v4);
    x.fabric_port = "vx" + std::to_string(k);
    if (options_.ipv6)
      x.ipv6 = formatV6(plan.fabric_v6_hi, kFirstExternalFabricHost + static_cast<uint64_t>(k));
    createNamespace(x.netns, false);
    ip(fabric_netns_, {"link", "add", x.fabric_port, "mtu", mtu, "type", "veth", "peer", "name",
                       x.ifname, "mtu", mtu, "netns", x.netns});
    ip(fabric_netns_, {"link", "set", x.fabric_port, "master", "fbr0", "up"});
    ip(x.netns, {"link", "set", x.ifname, "address", x.mac, "up"});
    ip(x.netns,
       {"addr", "add", x.ipv4 + "/" + std::to_string(plan.fabric_prefix_v4), "dev", x.ifname});
    if (options_.ipv6)
      ip(x.netns, {"addr", "add", x.ipv6 + "/" + std::to_string(plan.fabric_prefix_v6), "dev",
                   x.ifname, "nodad"});
    if (options_.external_routes_to_pods) {
      for (const Node& n : nodes_) {
        ip(x.netns, {"route", "add", n.pod_cidr_v4, "via", n.ipv4});
        if (options_.ipv6) ip(x.netns, {"-6", "route", "add", n.pod_cidr_v6, "via", n.ipv6});
      }
    }
    externals_.push_back(std::move(x));
  }
}

void NetnsTopology::addPodTo(Node& n) {
  const Plan plan = makePlan(options_);
  const std::string mtu = std::to_string(options_.mtu);
  const int j = static_cast<int>(n.pods.size());
  step("pod " + std::to_string(n.index) + "/" + std::to_string(j));
  if (static_cast<uint64_t>(j) >= plan.max_pods)
    throw std::runtime_error("node " + std::to_string(n.index) + "'s pod subnet " + n.pod_cidr_v4 +
                             " is full");
  Pod p;
  p.node = n.index;
  p.index = j;
  p.netns = n.netns + "p" + std::to_string(j);
  p.host_ifname = "vp" + std::to_string(j);
  const uint32_t v4 =
      plan.nodeSubnetV4(n.index) + static_cast<uint32_t>(kFirstPodHost) + static_cast<uint32_t>(j);
  p.ipv4 = formatV4(v4);
  p.mac = macFor(0x00, v4);
  if (options_.ipv6)
    p.ipv6 = formatV6(plan.pod_v6_hi + static_cast<uint64_t>(n.index),
                      kFirstPodHost + static_cast<uint64_t>(j));
  if (p.host_ifname.size() > kMaxIfnameLen) throw std::runtime_error("too many pods");

  createNamespace(p.netns, false);
  bool veth_made = false;
  try {
    ip(n.netns, {"link", "add", p.host_ifname, "mtu", mtu, "type", "veth", "peer", "name", p.ifname,
                 "mtu", mtu, "netns", p.netns});
    veth_made = true;
    ip(n.netns, {"link", "set", p.host_ifname, "master", n.bridge, "up"});
    ip(p.netns, {"link", "set", p.ifname, "address", p.mac, "up"});
    ip(p.netns,
       {"addr", "add", p.ipv4 + "/" + std::to_string(plan.node_prefix_v4), "dev", p.ifname});
    ip(p.netns, {"route", "add", "default", "via", n.gateway_v4});
    if (options_.ipv6) {
      ip(p.netns, {"addr", "add", p.ipv6 + "/64", "dev", p.ifname, "nodad"});
      ip(p.netns, {"-6", "route", "add", "default", "via", n.gateway_v6});
    }
  } catch (...) {
    // Undo this pod now, not at teardown, so that addPod() can be retried: the kernel removes a
    // deleted namespace's veths asynchronously, and a lingering node-side end would block the
    // name. Only what this call made is removed.
    if (veth_made) runCommand({"ip", "-n", n.netns, "link", "del", p.host_ifname});
    deleteNamespace(p.netns);
    owned_.pop_back();
    throw;
  }
  n.pods.push_back(std::move(p));
}

const NetnsTopology::Pod& NetnsTopology::addPod(int node_index) {
  Node& n = nodes_.at(static_cast<std::size_t>(node(node_index).index));
  addPodTo(n);
  return n.pods.back();
}

const NetnsTopology::Node& NetnsTopology::node(int i) const {
  if (i < 0 || i >= nodeCount())
    throw std::out_of_range("NetnsTopology: no node " + std::to_string(i));
  return nodes_[static_cast<std::size_t>(i)];
}

const NetnsTopology::Pod& NetnsTopology::pod(int node_index, int index) const {
  const Node& n = node(node_index);
  if (index < 0 || index >= static_cast<int>(n.pods.size()))
    throw std::out_of_range("NetnsTopology: no pod " + std::to_string(index) + " on node " +
                            std::to_string(node_index));
  return n.pods[static_cast<std::size_t>(index)];
}

const NetnsTopology::External& NetnsTopology::external(int i) const {
  if (i < 0 || i >= externalCount())
    throw std::out_of_range("NetnsTopology: no external host " + std::to_string(i));
  return externals_[static_cast<std::size_t>(i)];
}

CommandResult NetnsTopology::exec(const std::string& netns, const std::vector<std::string>& argv,
                                  const RunOptions& options) const {
  std::vector<std::string> full{"ip", "netns", "exec", netns};
  full.insert(full.end(), argv.begin(), argv.end());
  return runCommand(full, options);
}

Subprocess NetnsTopology::spawn(const std::string& netns,
                                const std::vector<std::string>& argv) const {
  std::vector<std::string> full{"ip", "netns", "exec", netns};
  full.insert(full.end(), argv.begin(), argv.end());
  return Subprocess(full);
}

std::vector<std::string> NetnsTopology::release() {
  if (options_.persistent_tag.empty())
    throw std::logic_error(
        "NetnsTopology::release() needs TopologyOptions::persistent_tag: "
        "sweepStale() would delete the namespaces of an ordinary run");
  std::vector<std::string> out = std::move(owned_);
  owned_.clear();
  return out;
}

void NetnsTopology::teardown() noexcept {
  // Reverse order: pods before their node, nodes before the fabric, mirroring how they were
  // attached (any order works: deleting a namespace removes both ends of its veths).
  for (auto it = owned_.rbegin(); it != owned_.rend(); ++it) {
    try {
      deleteNamespace(*it);
    } catch (const std::exception& e) {
      std::cerr << "ferry::testing: teardown of " << *it << ": " << e.what() << "\n";
    }
  }
  owned_.clear();
  if (registered_) {
    std::lock_guard<std::mutex> lock(g_registry_mutex);
    g_live_prefixes.erase(prefix_);
    registered_ = false;
  }
}

int NetnsTopology::sweepStale() {
  int removed = 0;
  const uint64_t self = static_cast<uint64_t>(::getpid());
  for (const std::string& ns : listNamespaces()) {
    std::smatch m;
    if (!std::regex_match(ns, m, sweepableName())) continue;
    auto pid = parseBase36(m[1].str());
    if (!pid) continue;
    bool stale;
    if (*pid == self) {
      std::lock_guard<std::mutex> lock(g_registry_mutex);
      stale = g_live_prefixes.count("fy" + m[1].str() + "-" + m[2].str()) == 0;
    } else {
      // ESRCH: no such process. EPERM would mean alive (and not ours to judge).
      stale = *pid > 0 && *pid < (1u << 22) + 1 && ::kill(static_cast<pid_t>(*pid), 0) != 0 &&
              errno == ESRCH;
    }
    if (stale && settled(ns) && deleteNamespace(ns)) ++removed;
  }
  return removed;
}

int NetnsTopology::removeNamespaces(const std::string& prefix) {
  if (prefix.size() < 3 || prefix.rfind("fy", 0) != 0)
    throw std::invalid_argument("removeNamespaces: '" + prefix + "' is not a topology prefix");
  int removed = 0;
  auto names = listNamespaces();
  // Reverse lexical order deletes pods ("...-n0p1") before their node ("...-n0").
  std::sort(names.rbegin(), names.rend());
  for (const std::string& ns : names) {
    if (ns.rfind(prefix + "-", 0) == 0 && deleteNamespace(ns)) ++removed;
  }
  return removed;
}

void runInNetns(const std::string& netns, const std::function<void()>& fn) {
  std::exception_ptr error;
  // A throwaway thread: setns() changes only the calling thread, and a thread that switched
  // namespaces should not go back to running unrelated work.
  std::thread worker([&] {
    try {
      std::string path = std::string(kNetnsDir) + "/" + netns;
      int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) throw std::runtime_error("open " + path + ": " + std::strerror(errno));
      int r = ::setns(fd, CLONE_NEWNET);
      int e = errno;
      ::close(fd);
      if (r != 0) throw std::runtime_error("setns " + netns + ": " + std::strerror(e));
      fn();
    } catch (...) {
      error = std::current_exception();
    }
  });
  worker.join();
  if (error) std::rethrow_exception(error);
}

bool icmpEcho(const std::string& netns, const std::string& address,
              std::chrono::milliseconds timeout) {
  static std::atomic<uint16_t> sequence{1};
  const Bytes dst = parseIp(address);
  const bool v6 = dst.size() == 16;
  const uint16_t id = static_cast<uint16_t>(::getpid() ^ 0x5a5a);
  const uint16_t seq = sequence.fetch_add(1);
  const char body[] = "ferry-icmp-echo!";

  return inNetns(netns, [&]() -> bool {
    int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
                      v6 ? int{IPPROTO_ICMPV6} : int{IPPROTO_ICMP});
    if (fd < 0) throw std::runtime_error(std::string("raw ICMP socket: ") + std::strerror(errno));
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};

    Bytes req(8);
    req[0] = v6 ? 128 : 8;
    req[4] = static_cast<uint8_t>(id >> 8);
    req[5] = static_cast<uint8_t>(id);
    req[6] = static_cast<uint8_t>(seq >> 8);
    req[7] = static_cast<uint8_t>(seq);
    req.insert(req.end(), body, body + sizeof body - 1);
    if (!v6) {
      // The kernel fills the ICMPv6 checksum of a raw socket itself (RFC 3542 §3.1), not ICMPv4.
      uint16_t c = internetChecksum(req);
      req[2] = static_cast<uint8_t>(c >> 8);
      req[3] = static_cast<uint8_t>(c);
    }
    sockaddr_storage to{};
    socklen_t to_len;
    if (v6) {
      auto* sa = reinterpret_cast<sockaddr_in6*>(&to);
      sa->sin6_family = AF_INET6;
      std::memcpy(&sa->sin6_addr, dst.data(), 16);
      to_len = sizeof(sockaddr_in6);
    } else {
      auto* sa = reinterpret_cast<sockaddr_in*>(&to);
      sa->sin_family = AF_INET;
      std::memcpy(&sa->sin_addr, dst.data(), 4);
      to_len = sizeof(sockaddr_in);
    }
    if (::sendto(fd, req.data(), req.size(), 0, reinterpret_cast<sockaddr*>(&to), to_len) < 0)
      return false;  // e.g. ENETUNREACH: no route, which is an answer too

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    uint8_t buf[2048];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0) continue;
      std::size_t off = 0;
      if (!v6) {
        off = (buf[0] & 0x0f) * 4u;  // IPv4 raw sockets deliver the IP header too
        if (std::memcmp(&reinterpret_cast<sockaddr_in*>(&from)->sin_addr, dst.data(), 4) != 0)
          continue;
      } else if (std::memcmp(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, dst.data(), 16) !=
                 0) {
        continue;
      }
      if (static_cast<std::size_t>(n) < off + 8) continue;
      const uint8_t* icmp = buf + off;
      const uint8_t reply = v6 ? 129 : 0;
      if (icmp[0] == reply && icmp[4] == req[4] && icmp[5] == req[5] && icmp[6] == req[6] &&
          icmp[7] == req[7])
        return true;
    }
  });
}

}  // namespace ferry::testing
