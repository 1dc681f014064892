// Network-namespace topologies for privileged integration tests and the local cluster.
//
//                     fabric namespace: bridge fbr0 (L2 only)
//          vn0 |             vn1 |               vx0 |
//     fab0 172.31.255.10   fab0 172.31.255.11   eth0 172.31.255.200
//     node 0 namespace     node 1 namespace     external 0 namespace
//     bridge cbr0 10.244.0.1/24, fd00:244::1/64    (one per node: the pods' gateway)
//     vp0 |  vp1 |
//     pod n0p0 eth0 10.244.0.2, fd00:244::2      pod n0p1 eth0 10.244.0.3 ...
//
// Nodes route to each other's pod CIDRs via their fabric addresses and forward (ip_forward and
// IPv6 forwarding on). No namespace has a route to the machine's uplink: the only default
// routes are the pods' (to their node), and nodes have none, so nothing can leave the VM.
//
// Names: every namespace is "fy<pid base36>-<run base36>-<role>" (roles: fab, n<i>, n<i>p<j>,
// ext<k>), so runs never collide and sweepStale() can tell leftovers of dead processes apart.
// Interfaces are created directly inside their namespaces (never in the root namespace), so
// their short fixed names (eth0, cbr0, vp0, ...) cannot clash between runs.
//
// Teardown is RAII: the destructor (and a constructor that throws midway) kills processes left
// inside the namespaces and deletes every namespace, which removes the veths and bridges in them.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ferry/testing/process.h"

namespace ferry::testing {

// The default address plan overlaps nothing on the build machines' uplink (192.0.2.0/24,
// fd00::/64) nor, as a rule, on a Kubernetes host; it is the kind-like 10.244/16 for pods.
struct TopologyOptions {
  int nodes = 2;
  int pods_per_node = 2;
  int externals = 0;  // hosts outside the cluster, attached to the fabric
  bool ipv6 = true;   // dual stack; false: IPv4 only

  // Node i gets subnet i of size node_pod_prefix_v4 out of pod_cidr_v4 (10.244.<i>.0/24): .1 is
  // the node bridge (the pods' gateway), pod j is .<2 + j>.
  std::string pod_cidr_v4 = "10.244.0.0/16";
  int node_pod_prefix_v4 = 24;
  // Node i gets /64 number i out of pod_cidr_v6 (fd00:244:0:<i>::/64), same host numbers.
  std::string pod_cidr_v6 = "fd00:244::/48";
  // Node i is host 10 + i of the fabric subnets, external k is host 200 + k.
  std::string fabric_cidr_v4 = "172.31.255.0/24";
  std::string fabric_cidr_v6 = "fd00:ff::/64";

  int mtu = 1500;  // every veth; bridges follow their ports
  // Give external hosts routes to every node's pod CIDR via that node (a flat, routed network).
  // Off by default: a host outside a Kubernetes cluster usually reaches only node IPs and VIPs.
  bool external_routes_to_pods = false;

  // Called before each construction step ("fabric", "node 0", "pod 0/1", "routes", "external 0",
  // and "pod i/j" from addPod()). For tests of the helper itself: throwing from it checks that a
  // half-built topology is torn down.
  std::function<void(std::string_view step)> on_step;

  // If set ([a-z0-9]{1,8}), namespaces are named "fyk<tag>-<role>" instead, and sweepStale()
  // never touches them: for a long-lived local cluster that outlives the process that built it
  // (see release() and removeNamespaces()).
  std::string persistent_tag;
};

class NetnsTopology {
 public:
  struct Pod {
    std::string netns;
    int node = 0;
    int index = 0;
    std::string ifname = "eth0";
    std::string ipv4;         // e.g. "10.244.1.2"
    std::string ipv6;         // e.g. "fd00:244:0:1::2"; empty if !ipv6
    std::string mac;          // 02:00 + the IPv4 address in hex, e.g. "02:00:0a:f4:01:02"
    std::string host_ifname;  // the veth end in the node namespace ("vp<j>")
  };
  struct Node {
    std::string netns;
    int index = 0;
    std::string ifname = "fab0";  // the node's interface on the fabric
    std::string ipv4;             // the node IP on the fabric, e.g. "172.31.255.10"
    std::string ipv6;
    std::string mac;
    std::string fabric_port;  // the veth end in the fabric namespace ("vn<i>")
    std::string bridge = "cbr0";
    std::string gateway_v4;  // the bridge address, pods' default route, e.g. "10.244.1.1"
    std::string gateway_v6;
    std::string pod_cidr_v4;  // e.g. "10.244.1.0/24"
    std::string pod_cidr_v6;  // e.g. "fd00:244:0:1::/64"
    std::deque<Pod> pods;     // a deque so references stay valid across addPod()
  };
  struct External {
    std::string netns;
    int index = 0;
    std::string ifname = "eth0";
    std::string ipv4;  // e.g. "172.31.255.200"
    std::string ipv6;
    std::string mac;
    std::string fabric_port;  // "vx<k>"
  };

  // Builds the topology; throws std::runtime_error (naming the failed command and its stderr)
  // after removing whatever it had created. Calls sweepStale() first.
  explicit NetnsTopology(TopologyOptions options = {});
  ~NetnsTopology();
  NetnsTopology(const NetnsTopology&) = delete;
  NetnsTopology& operator=(const NetnsTopology&) = delete;

  // "fy<pid>-<run>": every namespace of this topology starts with prefix() + "-".
  const std::string& prefix() const { return prefix_; }
  const TopologyOptions& options() const { return options_; }

  const std::string& fabricNetns() const { return fabric_netns_; }
  int nodeCount() const { return static_cast<int>(nodes_.size()); }
  int podCount(int node) const { return static_cast<int>(this->node(node).pods.size()); }
  int externalCount() const { return static_cast<int>(externals_.size()); }
  const Node& node(int i) const;
  const Pod& pod(int node, int index) const;
  const External& external(int i) const;
  // Every namespace this object owns, in creation order.
  std::vector<std::string> namespaces() const { return owned_; }

  // Adds a pod to node `node` (the next host number in its pod CIDR). Throws on failure, after
  // removing the half-made pod.
  const Pod& addPod(int node);

  // Runs argv inside namespace `netns` (`ip netns exec NETNS argv...`), output bounded and
  // time-limited per options.
  CommandResult exec(const std::string& netns, const std::vector<std::string>& argv,
                     const RunOptions& options = {}) const;

  // Starts argv in the background inside `netns`. The Subprocess kills it when destroyed; the
  // topology also kills anything still running in its namespaces when it is torn down.
  Subprocess spawn(const std::string& netns, const std::vector<std::string>& argv) const;

  // Stops managing the namespaces: the destructor will leave them in place. Only with
  // persistent_tag (throws std::logic_error otherwise); remove them later with
  // removeNamespaces(prefix()).
  std::vector<std::string> release();

  // Deletes every namespace whose owner process (encoded in the name) is dead, and those of this
  // process that no live NetnsTopology owns. Returns how many were deleted. Never touches
  // namespaces whose names do not follow this helper's scheme.
  static int sweepStale();

  // Deletes every namespace named prefix + "-...", killing processes left in them first.
  static int removeNamespaces(const std::string& prefix);

  // The start common to every namespace this process creates: "fy<pid base36>-".
  static std::string processPrefix();

 private:
  void build();
  void createNamespace(const std::string& name, bool router);
  void addPodTo(Node& node);
  void step(const std::string& what) const;
  void teardown() noexcept;
  void ip(const std::string& netns, std::vector<std::string> args) const;

  TopologyOptions options_;
  std::string prefix_;
  std::string fabric_netns_;
  std::vector<Node> nodes_;
  std::vector<External> externals_;
  std::vector<std::string> owned_;
  bool registered_ = false;
};

// Runs fn on a short-lived thread that has entered network namespace `netns` (by name, as in
// /run/netns), and returns its result; exceptions propagate. Sockets created in fn belong to that
// namespace and keep working from any thread afterwards.
void runInNetns(const std::string& netns, const std::function<void()>& fn);

template <typename F>
auto inNetns(const std::string& netns, F&& fn) -> std::invoke_result_t<F> {
  using R = std::invoke_result_t<F>;
  if constexpr (std::is_void_v<R>) {
    runInNetns(netns, [&] { fn(); });
  } else {
    std::optional<R> out;
    runInNetns(netns, [&] { out.emplace(fn()); });
    return std::move(*out);
  }
}

// Sends one ICMP (or ICMPv6) echo request from inside `netns` to `address` over a raw socket and
// waits up to timeout for the matching reply. A built-in `ping -c 1 -W 1` that needs no
// iputils-ping; sends exactly one packet.
bool icmpEcho(const std::string& netns, const std::string& address,
              std::chrono::milliseconds timeout = std::chrono::milliseconds{1000});

}  // namespace ferry::testing
