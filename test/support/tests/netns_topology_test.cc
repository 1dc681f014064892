// Privileged: builds real namespaces, bridges and veths. All traffic stays inside namespaces the
// tests create; nothing is ever addressed outside the topology.
#include "ferry/testing/netns_topology.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "ferry/testing/packet_builder.h"

namespace ferry::testing {
namespace {

using namespace std::chrono_literals;

std::string base36(uint64_t v) {
  std::string out;
  do {
    out.insert(out.begin(), "0123456789abcdefghijklmnopqrstuvwxyz"[v % 36]);
    v /= 36;
  } while (v != 0);
  return out;
}

// What `ip netns list` shows (first word of each line).
std::vector<std::string> listedNamespaces() {
  std::vector<std::string> out;
  std::istringstream in(runOrThrow({"ip", "netns", "list"}));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string name;
    if (words >> name) out.push_back(name);
  }
  return out;
}

std::vector<std::string> namespacesStartingWith(const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& ns : listedNamespaces())
    if (ns.rfind(prefix, 0) == 0) out.push_back(ns);
  return out;
}

bool namespaceExists(const std::string& name) {
  auto all = listedNamespaces();
  return std::find(all.begin(), all.end(), name) != all.end();
}

// Link names in the root namespace (the test's own).
std::set<std::string> rootLinks() {
  std::set<std::string> out;
  std::istringstream in(runOrThrow({"ip", "-o", "link", "show"}));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string index, name;
    if (words >> index >> name) out.insert(name.substr(0, name.find_first_of(":@")));
  }
  return out;
}

// Deletes the named namespaces at scope exit, for namespaces a test makes by hand.
class NamespaceCleanup {
 public:
  explicit NamespaceCleanup(std::vector<std::string> names) : names_(std::move(names)) {}
  ~NamespaceCleanup() {
    for (const std::string& n : names_) runCommand({"ip", "netns", "del", n});
  }

 private:
  std::vector<std::string> names_;
};

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

TopologyOptions standardOptions() {
  TopologyOptions o;
  o.nodes = 2;
  o.pods_per_node = 2;
  o.externals = 1;
  return o;
}

class NetnsTopologyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
  }
  void TearDown() override {
    if (::geteuid() != 0) return;
    // Every test must leave nothing behind, whatever happened in it.
    EXPECT_EQ(namespacesStartingWith(NetnsTopology::processPrefix()), std::vector<std::string>{});
  }
};

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST_F(NetnsTopologyTest, AddressPlanAndNames) {
  const std::string root_forward = readFile("/proc/sys/net/ipv4/ip_forward");
  const std::string root_dad = readFile("/proc/sys/net/ipv6/conf/default/accept_dad");
  NetnsTopology t(standardOptions());
  const std::string& p = t.prefix();
  EXPECT_EQ(p.rfind(NetnsTopology::processPrefix(), 0), 0u) << p;

  ASSERT_EQ(t.nodeCount(), 2);
  ASSERT_EQ(t.externalCount(), 1);
  EXPECT_EQ(t.fabricNetns(), p + "-fab");
  EXPECT_EQ(t.node(1).netns, p + "-n1");
  EXPECT_EQ(t.node(1).ipv4, "172.31.255.11");
  EXPECT_EQ(t.node(1).ipv6, "fd00:ff::b");
  EXPECT_EQ(t.node(1).pod_cidr_v4, "10.244.1.0/24");
  EXPECT_EQ(t.node(1).pod_cidr_v6, "fd00:244:0:1::/64");
  EXPECT_EQ(t.node(1).gateway_v4, "10.244.1.1");
  EXPECT_EQ(t.node(1).gateway_v6, "fd00:244:0:1::1");
  EXPECT_EQ(t.podCount(1), 2);
  const auto& pod = t.pod(1, 1);
  EXPECT_EQ(pod.netns, p + "-n1p1");
  EXPECT_EQ(pod.ipv4, "10.244.1.3");
  EXPECT_EQ(pod.ipv6, "fd00:244:0:1::3");
  EXPECT_EQ(pod.mac, "02:00:0a:f4:01:03");
  EXPECT_EQ(pod.host_ifname, "vp1");
  EXPECT_EQ(t.external(0).netns, p + "-ext0");
  EXPECT_EQ(t.external(0).ipv4, "172.31.255.200");
  EXPECT_EQ(t.external(0).ipv6, "fd00:ff::c8");
  EXPECT_THROW(t.node(2), std::out_of_range);
  EXPECT_THROW(t.pod(0, 2), std::out_of_range);

  auto names = t.namespaces();
  EXPECT_EQ(names.size(), 1u + 2u + 4u + 1u);
  auto listed = namespacesStartingWith(p + "-");
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()),
            std::set<std::string>(names.begin(), names.end()));

  // The kernel agrees with the accessors.
  CommandResult addr = t.exec(pod.netns, {"ip", "-o", "addr", "show", "dev", "eth0"});
  ASSERT_TRUE(addr.ok()) << addr.err;
  EXPECT_NE(addr.out.find("inet 10.244.1.3/24"), std::string::npos) << addr.out;
  EXPECT_NE(addr.out.find("inet6 fd00:244:0:1::3/64"), std::string::npos) << addr.out;
  CommandResult route = t.exec(pod.netns, {"ip", "route", "show", "default"});
  EXPECT_NE(route.out.find("default via 10.244.1.1 dev eth0"), std::string::npos) << route.out;
  CommandResult link = t.exec(t.node(1).netns, {"ip", "-o", "link", "show", "vp1"});
  EXPECT_NE(link.out.find("master cbr0"), std::string::npos) << link.out;

  // Sysctls were set inside the namespaces (nodes forward, nobody does DAD), not in the root.
  EXPECT_EQ(t.exec(t.node(0).netns, {"cat", "/proc/sys/net/ipv4/ip_forward"}).out, "1\n");
  EXPECT_EQ(t.exec(t.node(0).netns, {"cat", "/proc/sys/net/ipv6/conf/all/forwarding"}).out, "1\n");
  EXPECT_EQ(t.exec(pod.netns, {"cat", "/proc/sys/net/ipv4/ip_forward"}).out, "0\n");
  EXPECT_EQ(t.exec(pod.netns, {"cat", "/proc/sys/net/ipv6/conf/eth0/accept_dad"}).out, "0\n");
  EXPECT_EQ(readFile("/proc/sys/net/ipv4/ip_forward"), root_forward);
  EXPECT_EQ(readFile("/proc/sys/net/ipv6/conf/default/accept_dad"), root_dad);
}

TEST_F(NetnsTopologyTest, PodToPodIcmpAcrossAndWithinNodes) {
  NetnsTopology t(standardOptions());
  for (int from_node = 0; from_node < 2; ++from_node) {
    for (int to_node = 0; to_node < 2; ++to_node) {
      const auto& from = t.pod(from_node, 0);
      const auto& to = t.pod(to_node, 1);
      EXPECT_TRUE(icmpEcho(from.netns, to.ipv4)) << from.netns << " -> " << to.ipv4;
      EXPECT_TRUE(icmpEcho(from.netns, to.ipv6)) << from.netns << " -> " << to.ipv6;
    }
  }
  // Pods reach the nodes' fabric addresses, and the external host reaches the nodes.
  EXPECT_TRUE(icmpEcho(t.pod(0, 0).netns, t.node(1).ipv4));
  EXPECT_TRUE(icmpEcho(t.external(0).netns, t.node(0).ipv4));
  EXPECT_TRUE(icmpEcho(t.external(0).netns, t.node(1).ipv6));
}

// A real TCP exchange through socat: pod on node 0 to pod on node 1, both families.
bool tcpEcho(const NetnsTopology& t, const NetnsTopology::Pod& from, const NetnsTopology::Pod& to,
             bool v6, int port) {
  const std::string p = std::to_string(port);
  Subprocess server = t.spawn(
      to.netns,
      {"socat", "-T", "5", (v6 ? "TCP6-LISTEN:" : "TCP4-LISTEN:") + p + ",reuseaddr", "EXEC:cat"});
  const std::string target = v6 ? "TCP6:[" + to.ipv6 + "]:" + p : "TCP4:" + to.ipv4 + ":" + p;
  RunOptions o;
  o.stdin_data = "ferry says hi\n";
  o.timeout = 3s;
  // The listener needs a moment to come up; a refused connection is cheap to retry.
  for (int attempt = 0; attempt < 30; ++attempt) {
    CommandResult r =
        t.exec(from.netns, {"socat", "-T", "2", "-", target + ",connect-timeout=1"}, o);
    if (r.ok() && r.out == o.stdin_data) return true;
    if (!server.running()) {
      CommandResult s = server.wait(0ms);
      ADD_FAILURE() << "socat server exited: " << s.exit_code << " " << s.err;
      return false;
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

TEST_F(NetnsTopologyTest, PodToPodTcpAcrossNodes) {
  NetnsTopology t(standardOptions());
  EXPECT_TRUE(tcpEcho(t, t.pod(0, 0), t.pod(1, 1), false, 7001));
  EXPECT_TRUE(tcpEcho(t, t.pod(0, 0), t.pod(1, 1), true, 7002));
}

TEST_F(NetnsTopologyTest, PingBinaryAcrossNodes) {
  if (!runCommand({"sh", "-c", "command -v ping"}).ok())
    GTEST_SKIP() << "iputils-ping is not installed (icmpEcho() covers ICMP without it)";
  NetnsTopology t(standardOptions());
  const auto& from = t.pod(0, 0);
  const auto& to = t.pod(1, 0);
  for (const std::string& addr : {to.ipv4, to.ipv6}) {
    CommandResult r = t.exec(from.netns, {"ping", "-c", "1", "-W", "1", addr});
    EXPECT_TRUE(r.ok()) << addr << ": " << r.out << r.err;
  }
}

TEST_F(NetnsTopologyTest, ExternalRoutesToPodsOption) {
  TopologyOptions o = standardOptions();
  o.pods_per_node = 1;
  o.external_routes_to_pods = true;
  NetnsTopology t(o);
  EXPECT_TRUE(icmpEcho(t.external(0).netns, t.pod(1, 0).ipv4));
  EXPECT_TRUE(icmpEcho(t.external(0).netns, t.pod(0, 0).ipv6));
}

TEST_F(NetnsTopologyTest, NoPathOffTheMachine) {
  NetnsTopology t(standardOptions());
  // Route lookups only (no packet is sent): outside the topology there is nowhere to go.
  std::vector<std::string> no_default = {t.fabricNetns(), t.node(0).netns, t.node(1).netns,
                                         t.external(0).netns};
  for (const std::string& ns : no_default) {
    EXPECT_FALSE(t.exec(ns, {"ip", "route", "get", "192.0.2.1"}).ok()) << ns;
    EXPECT_FALSE(t.exec(ns, {"ip", "-6", "route", "get", "2001:db8::1"}).ok()) << ns;
  }
  // The pods' only way out is their node, which has no default route.
  CommandResult routes = t.exec(t.pod(0, 0).netns, {"ip", "-4", "route", "show"});
  EXPECT_EQ(routes.out,
            "default via 10.244.0.1 dev eth0 \n"
            "10.244.0.0/24 dev eth0 proto kernel scope link src 10.244.0.2 \n");
}

TEST_F(NetnsTopologyTest, AddPodLater) {
  NetnsTopology t(standardOptions());
  const auto& added = t.addPod(1);
  EXPECT_EQ(added.index, 2);
  EXPECT_EQ(added.ipv4, "10.244.1.4");
  EXPECT_EQ(added.netns, t.prefix() + "-n1p2");
  EXPECT_EQ(t.podCount(1), 3);
  EXPECT_EQ(&t.pod(1, 2), &added);
  EXPECT_TRUE(icmpEcho(t.pod(0, 0).netns, added.ipv4));
  EXPECT_TRUE(icmpEcho(added.netns, t.pod(0, 1).ipv6));
  EXPECT_TRUE(namespaceExists(added.netns));
}

TEST_F(NetnsTopologyTest, FailedAddPodLeavesNothingAndCanBeRetried) {
  NetnsTopology t(standardOptions());
  const auto& node = t.node(0);
  const auto before = t.namespaces();
  // Something else already holds the node-side name of the next pod's veth: the kernel refuses
  // the veth after the pod namespace was made.
  runOrThrow({"ip", "-n", node.netns, "link", "add", "vp2", "type", "bridge"});
  try {
    t.addPod(0);
    ADD_FAILURE() << "addPod should have failed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("vp2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(t.namespaces(), before);
  EXPECT_FALSE(namespaceExists(node.netns + "p2"));
  EXPECT_EQ(t.podCount(0), 2);
  // The half-made pod's cleanup removed only what it made: the intruder is still there.
  EXPECT_TRUE(t.exec(node.netns, {"ip", "link", "show", "vp2", "type", "bridge"}).ok());
  runOrThrow({"ip", "-n", node.netns, "link", "del", "vp2"});

  const auto& pod = t.addPod(0);
  EXPECT_EQ(pod.index, 2);
  EXPECT_TRUE(icmpEcho(pod.netns, t.pod(1, 0).ipv4));
}

TEST_F(NetnsTopologyTest, ExecAndSpawn) {
  NetnsTopology t(standardOptions());
  const auto& pod = t.pod(0, 1);
  CommandResult r = t.exec(pod.netns, {"sh", "-c", "echo in-pod; exit 5"});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.out, "in-pod\n");
  RunOptions bounded;
  bounded.max_output = 10;
  CommandResult big = t.exec(pod.netns, {"head", "-c", "100000", "/dev/zero"}, bounded);
  EXPECT_EQ(big.out.size(), 10u);
  EXPECT_TRUE(big.truncated);

  // A server left running is killed by the teardown (the namespace would otherwise linger).
  Subprocess forgotten = t.spawn(pod.netns, {"sleep", "60"});
  EXPECT_TRUE(forgotten.running());
  // `ip netns exec` enters the namespace a moment after the fork.
  bool inside = false;
  for (int i = 0; i < 200 && !inside; ++i) {
    CommandResult pids = runCommand({"ip", "netns", "pids", pod.netns});
    std::istringstream in(pids.out);
    for (long pid; in >> pid;) inside = inside || pid == forgotten.pid();
    if (!inside) std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(inside);
}

TEST_F(NetnsTopologyTest, InNetnsRunsCodeInsideTheNamespace) {
  NetnsTopology t(standardOptions());
  const auto& pod = t.pod(1, 0);
  auto bindTo = [](const std::string& addr) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    ::inet_pton(AF_INET, addr.c_str(), &sa.sin_addr);
    int r = ::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    int e = r == 0 ? 0 : errno;
    ::close(fd);
    return e;
  };
  EXPECT_EQ(inNetns(pod.netns, [&] { return bindTo(pod.ipv4); }), 0);
  EXPECT_EQ(bindTo(pod.ipv4), EADDRNOTAVAIL);  // the test thread stayed in the root namespace
  EXPECT_THROW(inNetns(pod.netns, [] { throw std::logic_error("propagates"); }), std::logic_error);
  EXPECT_THROW(runInNetns(t.prefix() + "-nosuch", [] {}), std::runtime_error);
}

TEST_F(NetnsTopologyTest, DestroyRemovesEverythingAndRootIsUntouched) {
  const std::set<std::string> links_before = rootLinks();
  std::string prefix;
  std::vector<std::string> names;
  {
    NetnsTopology t(standardOptions());
    prefix = t.prefix();
    names = t.namespaces();
    ASSERT_EQ(namespacesStartingWith(prefix + "-").size(), names.size());
    // Interfaces are made inside their namespaces: the root namespace never sees them.
    EXPECT_EQ(rootLinks(), links_before);
    Subprocess server = t.spawn(t.pod(0, 0).netns, {"sleep", "60"});
    (void)server;
  }
  EXPECT_EQ(namespacesStartingWith(prefix), std::vector<std::string>{});
  for (const std::string& n : names) EXPECT_FALSE(namespaceExists(n)) << n;
  for (const std::string& l : rootLinks()) EXPECT_EQ(l.find(prefix), std::string::npos) << l;
  EXPECT_EQ(rootLinks(), links_before);
}

class FailMidwayTest : public NetnsTopologyTest,
                       public ::testing::WithParamInterface<const char*> {};

TEST_P(FailMidwayTest, LeavesNothingBehind) {
  const std::string fail_at = GetParam();
  TopologyOptions o = standardOptions();
  bool reached = false;
  o.on_step = [&](std::string_view step) {
    if (step == fail_at) {
      reached = true;
      throw std::runtime_error("injected failure at " + fail_at);
    }
  };
  EXPECT_THROW(NetnsTopology t(o), std::runtime_error);
  EXPECT_TRUE(reached);
  EXPECT_EQ(namespacesStartingWith(NetnsTopology::processPrefix()), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Steps, FailMidwayTest,
                         ::testing::Values("fabric", "node 0", "pod 0/1", "node 1", "pod 1/1",
                                           "routes", "external 0"));

TEST_F(NetnsTopologyTest, KernelRejectionMidwayLeavesNothingBehind) {
  // veth's maximum MTU is 65535: the kernel refuses the first veth, after the fabric and the
  // first node namespace already exist.
  TopologyOptions o = standardOptions();
  o.mtu = 70000;
  try {
    NetnsTopology t(o);
    ADD_FAILURE() << "construction should have failed";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("ip -n"), std::string::npos) << what;  // names the failed command
    EXPECT_NE(what.find("mtu"), std::string::npos) << what;
  }
  EXPECT_EQ(namespacesStartingWith(NetnsTopology::processPrefix()), std::vector<std::string>{});
}

TEST_F(NetnsTopologyTest, InvalidOptionsFailBeforeCreatingAnything) {
  auto with = [](std::function<void(TopologyOptions&)> change) {
    TopologyOptions o = standardOptions();
    change(o);
    return o;
  };
  EXPECT_THROW(NetnsTopology(with([](auto& o) { o.pod_cidr_v4 = "10.244.0.0"; })),
               std::invalid_argument);
  EXPECT_THROW(NetnsTopology(with([](auto& o) { o.pod_cidr_v6 = "10.0.0.0/8"; })),
               std::invalid_argument);
  EXPECT_THROW(NetnsTopology(with([](auto& o) { o.nodes = 0; })), std::invalid_argument);
  EXPECT_THROW(NetnsTopology(with([](auto& o) { o.externals = 60; })), std::invalid_argument);
  EXPECT_THROW(NetnsTopology(with([](auto& o) { o.persistent_tag = "Bad-Tag"; })),
               std::invalid_argument);
  EXPECT_THROW(NetnsTopology(with([](auto& o) {
                 o.pod_cidr_v4 = "10.244.0.0/24";
                 o.node_pod_prefix_v4 = 24;  // room for one node only
               })),
               std::invalid_argument);
}

TEST_F(NetnsTopologyTest, Ipv4Only) {
  TopologyOptions o = standardOptions();
  o.ipv6 = false;
  o.nodes = 2;
  o.pods_per_node = 1;
  NetnsTopology t(o);
  EXPECT_EQ(t.pod(0, 0).ipv6, "");
  EXPECT_TRUE(icmpEcho(t.pod(0, 0).netns, t.pod(1, 0).ipv4));
  CommandResult v6 = t.exec(t.pod(0, 0).netns, {"ip", "-6", "addr", "show", "dev", "eth0"});
  EXPECT_EQ(v6.out, "");
}

TEST_F(NetnsTopologyTest, SweepStaleRemovesLeftoversOfDeadProcesses) {
  pid_t dead = ::fork();
  ASSERT_GE(dead, 0);
  if (dead == 0) ::_exit(0);
  ::waitpid(dead, nullptr, 0);
  const std::string dead_ns = "fy" + base36(static_cast<uint64_t>(dead)) + "-0-n0p0";
  const std::string orphan_ns = NetnsTopology::processPrefix() + "zz-fab";     // ours, unowned
  const std::string foreign_ns = NetnsTopology::processPrefix() + "zz-other";  // not the scheme
  NamespaceCleanup cleanup({dead_ns, orphan_ns, foreign_ns});
  for (const std::string& n : {dead_ns, orphan_ns, foreign_ns})
    runOrThrow({"ip", "netns", "add", n});

  TopologyOptions o = standardOptions();
  o.nodes = 1;
  o.pods_per_node = 1;
  o.externals = 0;
  NetnsTopology live(o);  // sweeps on construction
  EXPECT_FALSE(namespaceExists(dead_ns));
  EXPECT_FALSE(namespaceExists(orphan_ns));
  EXPECT_TRUE(namespaceExists(foreign_ns));
  EXPECT_EQ(NetnsTopology::sweepStale(), 0);  // the live topology is not stale
  for (const std::string& n : live.namespaces()) EXPECT_TRUE(namespaceExists(n)) << n;
  runOrThrow({"ip", "netns", "del", foreign_ns});
}

TEST_F(NetnsTopologyTest, PersistentTopologyOutlivesItsObject) {
  TopologyOptions o = standardOptions();
  o.nodes = 1;
  o.pods_per_node = 1;
  o.externals = 0;
  o.persistent_tag = "t" + base36(static_cast<uint64_t>(::getpid()));
  const std::string prefix = "fyk" + o.persistent_tag;
  struct Remover {
    std::string prefix;
    ~Remover() { NetnsTopology::removeNamespaces(prefix); }
  } remover{prefix};

  std::vector<std::string> names;
  {
    NetnsTopology t(o);
    EXPECT_EQ(t.prefix(), prefix);
    names = t.release();
  }
  ASSERT_EQ(names.size(), 3u);
  for (const std::string& n : names) EXPECT_TRUE(namespaceExists(n)) << n;
  NetnsTopology::sweepStale();
  for (const std::string& n : names) EXPECT_TRUE(namespaceExists(n)) << n;
  EXPECT_THROW(NetnsTopology{o}, std::runtime_error);  // the name is taken
  EXPECT_EQ(NetnsTopology::removeNamespaces(prefix), 3);
  EXPECT_EQ(namespacesStartingWith(prefix), std::vector<std::string>{});
}

// The kernel as an independent judge of the builder's checksums: frames injected on a pod's
// veth are delivered (or answered) only if their checksums are right, and with transmit
// checksum offload off, the pod's replies must pass verifyL4Checksum().
class KernelChecksumTest : public NetnsTopologyTest {
 protected:
  void SetUp() override {
    NetnsTopologyTest::SetUp();
    if (IsSkipped()) return;
    TopologyOptions o;
    o.nodes = 1;
    o.pods_per_node = 1;
    topo_.emplace(o);
    pod_ = &topo_->pod(0, 0);
    node_ = &topo_->node(0);
    CommandResult r = topo_->exec(pod_->netns, {"ethtool", "-K", "eth0", "tx", "off"});
    ASSERT_TRUE(r.ok()) << r.err;
    tap_ = inNetns(node_->netns, [&] {
      int fd = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
      sockaddr_ll sll{};
      sll.sll_family = AF_PACKET;
      sll.sll_protocol = htons(ETH_P_ALL);
      sll.sll_ifindex = static_cast<int>(::if_nametoindex(pod_->host_ifname.c_str()));
      if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&sll), sizeof sll) != 0)
        throw std::runtime_error(std::string("packet socket: ") + std::strerror(errno));
      return fd;
    });
  }
  void TearDown() override {
    if (tap_ >= 0) ::close(tap_);
    topo_.reset();
    NetnsTopologyTest::TearDown();
  }

  PacketBuilder v4() const {
    return PacketBuilder().ethDst(pod_->mac).ipv4(node_->gateway_v4, pod_->ipv4);
  }
  PacketBuilder v6() const {
    return PacketBuilder().ethDst(pod_->mac).ipv6(node_->gateway_v6, pod_->ipv6);
  }
  void inject(const Bytes& frame) const {
    ASSERT_EQ(::send(tap_, frame.data(), frame.size(), 0), static_cast<ssize_t>(frame.size()));
  }
  int udpSocket(bool v6, uint16_t port) const {
    return inNetns(pod_->netns, [&] {
      int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
      // Separate v4 and v6 sockets on one port: the v6 one must not also claim IPv4.
      int one = 1;
      if (v6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
      sockaddr_storage ss{};
      socklen_t len;
      if (v6) {
        auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        len = sizeof *sa;
      } else {
        auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        len = sizeof *sa;
      }
      if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0)
        throw std::runtime_error(std::string("udp socket: ") + std::strerror(errno));
      return fd;
    });
  }
  static std::optional<std::string> receive(int fd, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return std::nullopt;
    char buf[2048];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }
  // The next frame the pod sends that satisfies pred, within timeout.
  std::optional<Bytes> capture(const std::function<bool(const Bytes&)>& pred,
                               std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{tap_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      uint8_t buf[2048];
      sockaddr_ll from{};
      socklen_t from_len = sizeof from;
      ssize_t n =
          ::recvfrom(tap_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING) continue;  // our own injections
      Bytes frame(buf, buf + n);
      if (pred(frame)) return frame;
    }
  }
  static bool isFromPodWith(const Bytes& f, uint8_t proto,
                            const std::function<bool(const Bytes&, std::size_t)>& more) {
    auto l = parsePacket(f);
    return l && l->l4_proto == proto && l->l4_header_len > 0 && more(f, l->l4);
  }

  std::optional<NetnsTopology> topo_;
  const NetnsTopology::Pod* pod_ = nullptr;
  const NetnsTopology::Node* node_ = nullptr;
  int tap_ = -1;
};

TEST_F(KernelChecksumTest, UdpDeliveredOnlyWithValidChecksums) {
  Fd s4(udpSocket(false, 9999));
  Fd s6(udpSocket(true, 9999));
  inject(v4().udp(5555, 9999).payload("bad-l4").l4Checksum(0x1234).build());
  inject(v4().udp(5555, 9999).payload("bad-ip").ipChecksum(0x1234).build());
  EXPECT_EQ(receive(s4.get(), 300ms), std::nullopt);
  inject(v4().udp(5555, 9999).payload("good4").build());
  EXPECT_EQ(receive(s4.get(), 1000ms), "good4");
  inject(v4().udp(5555, 9999).payload("zero4").udpZeroChecksum().build());
  EXPECT_EQ(receive(s4.get(), 1000ms), "zero4");

  inject(v6().udp(5555, 9999).payload("zero6").l4Checksum(0).build());
  inject(v6().udp(5555, 9999).payload("bad6").l4Checksum(0x1234).build());
  EXPECT_EQ(receive(s6.get(), 300ms), std::nullopt);
  inject(v6().udp(5555, 9999).payload("good6").build());
  EXPECT_EQ(receive(s6.get(), 1000ms), "good6");
}

TEST_F(KernelChecksumTest, TcpSynAnsweredOnlyWithValidChecksum) {
  for (bool six : {false, true}) {
    SCOPED_TRACE(six ? "IPv6" : "IPv4");
    // An RST from the closed port 9 (the SYN went 5555 -> 9).
    auto rstTo = [](const Bytes& f) {
      return isFromPodWith(f, 6, [](const Bytes& b, std::size_t l4) {
        return ((b[l4] << 8) | b[l4 + 1]) == 9 && (b[l4 + 13] & kTcpRst) != 0;
      });
    };
    auto syn = (six ? v6() : v4()).tcp(5555, 9).seq(100).tcpFlags(kTcpSyn);
    inject(PacketBuilder(syn).l4Checksum(0xbeef).build());
    EXPECT_EQ(capture(rstTo, 300ms), std::nullopt);
    inject(syn.build());
    auto rst = capture(rstTo, 1000ms);
    ASSERT_TRUE(rst.has_value());
    auto l = parsePacket(*rst);
    const Bytes& f = *rst;
    uint32_t ack = static_cast<uint32_t>(f[l->l4 + 8]) << 24 | f[l->l4 + 9] << 16 |
                   f[l->l4 + 10] << 8 | f[l->l4 + 11];
    EXPECT_EQ(ack, 101u);
    // The other direction: the kernel's own checksums pass our verifiers.
    EXPECT_TRUE(verifyL4Checksum(f)) << hexdump(f);
    if (!six) {
      EXPECT_TRUE(verifyIpv4HeaderChecksum(f)) << hexdump(f);
    }
  }
}

TEST_F(KernelChecksumTest, IcmpEchoAnsweredOnlyWithValidChecksum) {
  for (bool six : {false, true}) {
    SCOPED_TRACE(six ? "IPv6" : "IPv4");
    const uint8_t proto = six ? 58 : 1;
    const uint8_t reply_type = six ? 129 : 0;
    auto isReply = [&](const Bytes& f) {
      return isFromPodWith(f, proto, [&](const Bytes& b, std::size_t l4) {
        return b[l4] == reply_type && b[l4 + 4] == 0x42 && b[l4 + 5] == 0x42;
      });
    };
    auto echo = (six ? v6() : v4()).icmpEchoRequest(0x4242, 1).payload("ferry");
    inject(PacketBuilder(echo).l4Checksum(0xbeef).build());
    EXPECT_EQ(capture(isReply, 300ms), std::nullopt);
    inject(echo.build());
    auto reply = capture(isReply, 1000ms);
    ASSERT_TRUE(reply.has_value());
    EXPECT_TRUE(verifyL4Checksum(*reply)) << hexdump(*reply);
  }
}

}  // namespace
}  // namespace ferry::testing
