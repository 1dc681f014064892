// ferry-agent end to end: the real control plane and its feed, the real agent programming the
// socket-level load balancer, and real TCP/UDP traffic between pods in network namespaces
// (two nodes, pods on each). The client pod's socket lives in its namespace; this process is
// moved into a cgroup made for the test, which is the cgroup the agent balances.
//
// Needs root (netns, bpf(), cgroups): labels "privileged" and "integration".
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "controlplane_fixture.h"
#include "ferry/testing/netns_topology.h"
#include "https_client.h"

#ifndef FERRY_AGENT_BINARY
#error "FERRY_AGENT_BINARY must name the ferry-agent executable"
#endif

namespace ferry::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
using nlohmann::json;

constexpr const char* kCgroupRoot = "/sys/fs/cgroup/unified";
constexpr uint16_t kBackendPort = 8080;

// This process in a cgroup of its own for the test's lifetime.
class CgroupScope {
 public:
  CgroupScope() {
    std::ifstream self("/proc/self/cgroup");
    for (std::string line; std::getline(self, line);)
      if (line.rfind("0::", 0) == 0) original_ = fs::path(kCgroupRoot) / line.substr(4);
    path_ = fs::path(kCgroupRoot) / ("ferry-e2e-" + std::to_string(getpid()) + "-" +
                                     std::to_string(std::random_device{}() % 100000));
    fs::create_directory(path_);
    std::ofstream(path_ / "cgroup.procs") << getpid() << "\n";
  }
  ~CgroupScope() {
    std::ofstream(original_.empty() ? fs::path(kCgroupRoot) / "cgroup.procs"
                                    : original_ / "cgroup.procs")
        << getpid() << "\n";
    std::error_code ec;
    fs::remove(path_, ec);
  }
  std::string path() const { return path_.string(); }

 private:
  fs::path path_, original_;
};

// A pod's server: TCP answers every connection with the pod's name then streams whatever is
// asked ("bulk N" sends N bytes slowly enough to outlive an agent restart); UDP echoes the name.
class PodServer {
 public:
  PodServer(const NetnsTopology& topo, const NetnsTopology::Pod& pod) : name_(pod.netns) {
    inNetns(pod.netns, [&] {
      tcp_ = ::socket(AF_INET, SOCK_STREAM, 0);
      udp_ = ::socket(AF_INET, SOCK_DGRAM, 0);
      int one = 1;
      ::setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(kBackendPort);
      ::bind(tcp_, reinterpret_cast<sockaddr*>(&a), sizeof a);
      ::listen(tcp_, 128);
      ::bind(udp_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    });
    (void)topo;
    tcp_thread_ = std::thread([this] { serveTcp(); });
    udp_thread_ = std::thread([this] { serveUdp(); });
  }
  ~PodServer() {
    stop_ = true;
    ::shutdown(tcp_, SHUT_RDWR);
    ::shutdown(udp_, SHUT_RDWR);
    tcp_thread_.join();
    udp_thread_.join();
    ::close(tcp_);
    ::close(udp_);
  }
  const std::string& name() const { return name_; }

 private:
  void serveTcp() {
    for (;;) {
      int c = ::accept(tcp_, nullptr, nullptr);
      if (c < 0 || stop_) return;
      std::thread([this, c] {
        ::send(c, name_.data(), name_.size(), MSG_NOSIGNAL);
        ::send(c, "\n", 1, MSG_NOSIGNAL);
        char buf[64] = {};
        ssize_t n = ::recv(c, buf, sizeof buf - 1, 0);
        if (n > 0 && std::string(buf, 5) == "bulk ") {
          long total = std::atol(buf + 5);
          std::string chunk(16384, 'x');
          for (long sent = 0; sent < total && !stop_;) {
            ssize_t w =
                ::send(c, chunk.data(), std::min<long>(chunk.size(), total - sent), MSG_NOSIGNAL);
            if (w <= 0) break;
            sent += w;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // pacing, not readiness
          }
        }
        ::close(c);
      }).detach();
    }
  }
  void serveUdp() {
    char buf[64];
    sockaddr_storage from{};
    for (;;) {
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0 || stop_) return;
      ::sendto(udp_, name_.data(), name_.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  }
  std::string name_;
  int tcp_ = -1, udp_ = -1;
  std::atomic<bool> stop_{false};
  std::thread tcp_thread_, udp_thread_;
};

// Connects from inside `netns` (this process's cgroup applies) and returns the first line the
// server sends, or "errno:<name>".
std::string dial(const std::string& netns, const std::string& ip, uint16_t port,
                 int* fd_out = nullptr) {
  int fd = -1, err = 0;
  inNetns(netns, [&] { fd = ::socket(AF_INET, SOCK_STREAM, 0); });
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) err = errno;
  if (err) {
    ::close(fd);
    return std::string("errno:") + strerrorname_np(err);
  }
  std::string line;
  char c;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') line += c;
  if (fd_out)
    *fd_out = fd;
  else
    ::close(fd);
  return line;
}

std::string askUdp(const std::string& netns, const std::string& ip, uint16_t port,
                   std::string* from_out) {
  int fd = -1;
  inNetns(netns, [&] { fd = ::socket(AF_INET, SOCK_DGRAM, 0); });
  timeval tv{3, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  std::string out;
  if (::sendto(fd, "?", 1, 0, reinterpret_cast<sockaddr*>(&a), sizeof a) == 1) {
    char buf[128];
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n > 0) {
      out.assign(buf, static_cast<size_t>(n));
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
      if (from_out) *from_out = std::string(text) + ":" + std::to_string(ntohs(from.sin_port));
    }
  }
  ::close(fd);
  return out;
}

std::string tokenWithGroups(const std::string& dir, const std::string& groups) {
  std::ifstream in(dir + "/tokens.csv");
  std::string line;
  while (std::getline(in, line))
    if (line.size() > groups.size() &&
        line.compare(line.size() - groups.size(), groups.size(), groups) == 0)
      return line.substr(0, line.find(','));
  return {};
}

class AgentE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (netns, bpf(), cgroups)";
    TopologyOptions to;
    to.nodes = 2;
    to.pods_per_node = 2;
    to.ipv6 = false;
    topo_ = std::make_unique<NetnsTopology>(to);
    cp_ = std::make_unique<ControlPlane>();
    ASSERT_FALSE(HasFatalFailure());
    admin_ = std::make_unique<HttpsClient>("127.0.0.1", cp_->port(),
                                           tokenWithGroups(cp_->dir(), "\"system:masters\""),
                                           cp_->dir() + "/pki/ca.crt");
    cgroup_ = std::make_unique<CgroupScope>();
    pin_dir_ = "/sys/fs/bpf/ferry-e2e-" + std::to_string(getpid()) + "-" +
               std::to_string(std::random_device{}() % 100000);
    startAgent();
    // Backends: pod 1 of node 0 and both pods of node 1; pod 0 of node 0 is the client.
    for (auto [n, p] : {std::pair{0, 1}, std::pair{1, 0}, std::pair{1, 1}})
      servers_.push_back(std::make_unique<PodServer>(*topo_, topo_->pod(n, p)));
  }
  void TearDown() override {
    if (agent_) agent_->stop(SIGTERM);
    // The agent pins its datapath so it outlives restarts; removing the pins detaches it.
    std::error_code ec;
    if (!pin_dir_.empty()) fs::remove_all(pin_dir_, ec);
    servers_.clear();
    cgroup_.reset();
  }

  void startAgent() {
    healthz_port_ = freeLoopbackPort();
    agent_ = std::make_unique<Subprocess>(std::vector<std::string>{
        FERRY_AGENT_BINARY, "--kubeconfig", cp_->dir() + "/agent.kubeconfig", "--feed-address",
        "127.0.0.1:" + std::to_string(cp_->feedPort()), "--node-name", "node-0", "--cgroup",
        cgroup_->path(), "--healthz-bind-address", "127.0.0.1:" + std::to_string(healthz_port_),
        "--metrics-bind-address", "127.0.0.1:" + std::to_string(metrics_port_ = freeLoopbackPort()),
        "--node-ip", topo_->node(0).ipv4, "--pod-cidr", topo_->node(0).pod_cidr_v4, "--bpf-pin-dir",
        pin_dir_});
  }

  // Polls `pred` until it holds or `deadline` passes.
  template <class Pred>
  bool eventually(Pred pred, std::chrono::seconds deadline = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      if (pred()) return true;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(50));  // polling a condition, with a deadline
    }
    return pred();
  }

  void write(http::verb verb, const std::string& path, const json& body) {
    auto r = admin_->request(
        verb, path, body.dump(),
        verb == http::verb::patch ? "application/merge-patch+json" : "application/json");
    ASSERT_TRUE(r.status >= 200 && r.status < 300) << path << ": " << r.status << " " << r.body;
  }

  // A selector-less Service and its EndpointSlice naming `backends` (node, pod index).
  std::string createService(const std::string& name, std::vector<std::pair<int, int>> backends,
                            json extra_spec = json::object()) {
    json spec = {{"ports",
                  {{{"name", "tcp"}, {"port", 80}, {"protocol", "TCP"}},
                   {{"name", "udp"}, {"port", 53}, {"protocol", "UDP"}}}}};
    spec.update(extra_spec);
    write(http::verb::post, "/api/v1/namespaces/default/services",
          {{"apiVersion", "v1"},
           {"kind", "Service"},
           {"metadata", {{"name", name}}},
           {"spec", spec}});
    write(http::verb::post, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices",
          slice(name, backends));
    auto got = admin_->request(http::verb::get, "/api/v1/namespaces/default/services/" + name);
    return json::parse(got.body)["spec"]["clusterIP"];
  }

  json slice(const std::string& name, const std::vector<std::pair<int, int>>& backends) {
    json endpoints = json::array();
    for (auto [n, p] : backends)
      endpoints.push_back({{"addresses", {topo_->pod(n, p).ipv4}},
                           {"conditions", {{"ready", true}}},
                           {"nodeName", "node-" + std::to_string(n)}});
    return {
        {"apiVersion", "discovery.k8s.io/v1"},
        {"kind", "EndpointSlice"},
        {"metadata", {{"name", name + "-1"}, {"labels", {{"kubernetes.io/service-name", name}}}}},
        {"addressType", "IPv4"},
        {"endpoints", endpoints},
        {"ports",
         {{{"name", "tcp"}, {"port", kBackendPort}, {"protocol", "TCP"}},
          {{"name", "udp"}, {"port", kBackendPort}, {"protocol", "UDP"}}}}};
  }

  void replaceSlice(const std::string& name, const std::vector<std::pair<int, int>>& backends) {
    write(http::verb::patch,
          "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/" + name + "-1",
          {{"endpoints", slice(name, backends)["endpoints"]}});
  }

  const std::string& client() const { return topo_->pod(0, 0).netns; }

  // The value of one metric line ("name{labels}") on the agent's /metrics, or -1.
  double metric(const std::string& series) {
    auto r = runCommand(
        {"curl", "-fsS", "http://127.0.0.1:" + std::to_string(metrics_port_) + "/metrics"});
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return -1;
  }

  std::unique_ptr<NetnsTopology> topo_;
  std::unique_ptr<ControlPlane> cp_;
  std::unique_ptr<HttpsClient> admin_;
  std::unique_ptr<CgroupScope> cgroup_;
  std::unique_ptr<Subprocess> agent_;
  uint16_t healthz_port_ = 0;
  uint16_t metrics_port_ = 0;
  std::string pin_dir_;
  std::vector<std::unique_ptr<PodServer>> servers_;
};

TEST_F(AgentE2eTest, ClusterIpFromAPodBalancesRoundRobinOverPodsOnBothNodes) {
  const std::string vip = createService("web", {{0, 1}, {1, 0}, {1, 1}});
  // The agent programs the Service once the feed delivers it; until then the VIP is no frontend
  // and a dial would leave the pod towards its gateway, so wait on the agent's programming by
  // asking for a name only a backend gives.
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80).rfind("fy", 0) == 0; }))
      << dial(client(), vip, 80);
  std::map<std::string, int> hits;
  constexpr int kCycles = 10;
  for (int i = 0; i < 3 * kCycles; ++i) ++hits[dial(client(), vip, 80)];
  ASSERT_EQ(hits.size(), 3u);
  for (const auto& [who, n] : hits) EXPECT_NEAR(n, kCycles, 1) << who;  // round robin: ±1 per cycle
  EXPECT_GE(metric(R"(ferry_agent_service_connections{service="default/web:tcp"})"), 3 * kCycles);

  std::string from;
  std::string answer = askUdp(client(), vip, 53, &from);
  EXPECT_EQ(answer.rfind("fy", 0), 0u) << answer;
  EXPECT_EQ(from, vip + ":53") << "UDP replies must appear to come from the ClusterIP";
}

TEST_F(AgentE2eTest, AgentRegistersItsNode) {
  json node;
  ASSERT_TRUE(eventually([&] {
    auto r = admin_->request(http::verb::get, "/api/v1/nodes/node-0");
    if (r.status != 200) return false;
    node = json::parse(r.body);
    return true;
  }));
  EXPECT_EQ(node["spec"]["podCIDR"], topo_->node(0).pod_cidr_v4);
  EXPECT_EQ(node["status"]["addresses"][0],
            (json{{"type", "InternalIP"}, {"address", topo_->node(0).ipv4}}));
  EXPECT_EQ(node["status"]["conditions"][0]["type"], "Ready");
  EXPECT_EQ(node["status"]["conditions"][0]["status"], "True");
  EXPECT_EQ(node["metadata"]["labels"]["kubernetes.io/hostname"], "node-0");
}

TEST_F(AgentE2eTest, ScaleDownToZeroRejectsAtOnceAndScaleBackUp) {
  const std::string vip = createService("web", {{1, 0}, {1, 1}});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80).rfind("fy", 0) == 0; }));
  const std::string only = topo_->pod(1, 1).netns;
  replaceSlice("web", {{1, 1}});
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 4; ++i)
      if (dial(client(), vip, 80) != only) return false;
    return true;
  }));
  replaceSlice("web", {});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80) == "errno:EPERM"; }))
      << "a Service without endpoints is refused at once, never blackholed";
  EXPECT_GE(metric(R"(ferry_agent_datapath_drops{reason="no_backend"})"), 1)
      << "and the refusal is counted";
  replaceSlice("web", {{0, 1}});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80) == topo_->pod(0, 1).netns; }));
}

TEST_F(AgentE2eTest, InternalTrafficPolicyLocalUsesOnlyThisNodesEndpoints) {
  const std::string vip =
      createService("local", {{0, 1}, {1, 0}, {1, 1}}, {{"internalTrafficPolicy", "Local"}});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80).rfind("fy", 0) == 0; }));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(dial(client(), vip, 80), topo_->pod(0, 1).netns);
}

TEST_F(AgentE2eTest, AgentKilledAndRestartedDuringATransferBreaksNothing) {
  const std::string vip = createService("web", {{1, 0}});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80).rfind("fy", 0) == 0; }));
  int fd = -1;
  ASSERT_EQ(dial(client(), vip, 80, &fd), topo_->pod(1, 0).netns);
  constexpr long kBytes = 8L << 20;  // ~2.5 s at the server's pacing
  const std::string ask = "bulk " + std::to_string(kBytes);
  ASSERT_EQ(::send(fd, ask.data(), ask.size(), 0), static_cast<ssize_t>(ask.size()));
  long received = 0;
  char buf[65536];
  bool killed = false, restarted = false;
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      ASSERT_EQ(n, 0) << "transfer broken: " << std::strerror(errno);
      break;
    }
    received += n;
    if (!killed && received > kBytes / 4) {
      agent_->stop(SIGKILL);  // kill -9 mid-transfer
      killed = true;
    }
    if (killed && !restarted && received > kBytes / 2) {
      startAgent();
      restarted = true;
    }
  }
  ::close(fd);
  EXPECT_EQ(received, kBytes);
  ASSERT_TRUE(restarted);
  // The restarted agent serves new connections again.
  EXPECT_TRUE(eventually([&] { return dial(client(), vip, 80) == topo_->pod(1, 0).netns; }));
}

TEST_F(AgentE2eTest, BalancingGoesOnWhileTheAgentIsDownAndTheNextOneCatchesUp) {
  const std::string vip = createService("web", {{1, 0}, {1, 1}});
  ASSERT_TRUE(eventually([&] { return dial(client(), vip, 80).rfind("fy", 0) == 0; }));
  agent_->stop(SIGKILL);
  // No agent: the pinned datapath keeps balancing over both pods.
  std::set<std::string> seen;
  for (int i = 0; i < 6; ++i) seen.insert(dial(client(), vip, 80));
  EXPECT_EQ(seen, (std::set<std::string>{topo_->pod(1, 0).netns, topo_->pod(1, 1).netns}));
  // Changes made while it is down reach the datapath once the next agent has taken over.
  replaceSlice("web", {{1, 1}});
  startAgent();
  ASSERT_TRUE(eventually([&] {
    for (int i = 0; i < 4; ++i)
      if (dial(client(), vip, 80) != topo_->pod(1, 1).netns) return false;
    return true;
  }));
}

}  // namespace
}  // namespace ferry::testing
