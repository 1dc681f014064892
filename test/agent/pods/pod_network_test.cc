// Pod namespaces, veths and cgroups for real (root): built under a node namespace made for the
// test, checked from the inside, and removed without a trace. Names carry "ferry-t<pid>" and the
// fixture removes them also when a test fails; traffic stays inside the test's namespaces.
#include "ferry/agent/pods/pod_network.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "ferry/agent/pods/probe.h"
#include "ferry/agent/pods/subprocess.h"

namespace fs = std::filesystem;

namespace ferry::agent::pods {
namespace {

using Clock = std::chrono::steady_clock;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <class Pred>
bool eventually(Pred pred, std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

class PodNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (netns, cgroups)";
    if (!fs::exists("/sys/fs/cgroup/unified/cgroup.procs")) GTEST_SKIP() << "no cgroup v2";
    prefix_ = "ferry-t" + std::to_string(::getpid());
    node_netns_ = prefix_ + "-node";
    cgroup_root_ = "/sys/fs/cgroup/unified/" + prefix_;
    ASSERT_TRUE(runCommand({"ip", "netns", "add", node_netns_}).ok());
    ASSERT_TRUE(runCommand({"ip", "-n", node_netns_, "link", "set", "lo", "up"}).ok());
    ASSERT_EQ(createCgroup(cgroup_root_ + "/node"), "");
    pod_.namespace_ = "demo";
    pod_.name = "echo-1";
    pod_.node = "node";
    pod_.netns = podNetnsName(node_netns_, "demo", "echo-1");
    pod_.cgroup = podCgroupPath(cgroup_root_ + "/node", "demo", "echo-1");
    pod_.ip = "10.244.1.2";
    pod_.gateway = "10.244.1.1";
    pod_.host_veth = podVethName("10.244.1.0/24", pod_.ip);
  }
  void TearDown() override {
    if (prefix_.empty()) return;
    (void)removeCgroup(cgroup_root_);
    (void)runCommand({"ip", "netns", "del", pod_.netns});
    (void)runCommand({"ip", "netns", "del", node_netns_});
    EXPECT_FALSE(fs::exists(cgroup_root_));
    EXPECT_FALSE(netnsExists(node_netns_));
  }
  std::string inNetns(const std::string& ns, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    return runCommand(argv).out;
  }

  std::string prefix_, node_netns_, cgroup_root_;
  PodRecord pod_;
};

TEST(PodNames, AreUniquePerPodAndFitTheirLimits) {
  EXPECT_EQ(podNetnsName("ferry-up-node-1", "demo", "echo-1"), "ferry-up-node-1.demo.echo-1");
  // Namespaces hold no dots, so these two cannot meet.
  EXPECT_NE(podNetnsName("n", "a-b", "c"), podNetnsName("n", "a", "b-c"));
  EXPECT_EQ(podNetnsName("n", "demo", std::string(250, 'x')), "");
  EXPECT_EQ(podVethName("10.244.1.0/24", "10.244.1.17"), "fp17");
  EXPECT_EQ(podVethName("10.0.0.0/8", "10.255.255.254"), "fp16777214");
  EXPECT_LE(podVethName("10.0.0.0/8", "10.255.255.254").size(), 15u);
  EXPECT_EQ(podCgroupPath("/cg/node-1", "demo", "echo-1"), "/cg/node-1/demo.echo-1");
}

TEST_F(PodNetworkTest, CreatesAReachablePodAndRemovesItCompletely) {
  ASSERT_EQ(createPodNetwork(pod_, node_netns_), "");
  EXPECT_TRUE(netnsExists(pod_.netns));
  EXPECT_NE(inNetns(pod_.netns, {"ip", "-4", "addr", "show", "eth0"}).find("10.244.1.2/32"),
            std::string::npos);
  EXPECT_NE(inNetns(pod_.netns, {"ip", "route"}).find("default via 10.244.1.1"), std::string::npos);
  EXPECT_NE(inNetns(node_netns_, {"ip", "route"}).find("10.244.1.2 dev fp2"), std::string::npos);
  // The node reaches the pod and the pod its gateway (inside the test's namespaces only).
  EXPECT_TRUE(runCommand({"ip", "netns", "exec", node_netns_, "ping", "-c1", "-W2", pod_.ip}).ok());
  EXPECT_TRUE(
      runCommand({"ip", "netns", "exec", pod_.netns, "ping", "-c1", "-W2", pod_.gateway}).ok());

  EXPECT_EQ(removePodNetwork(pod_, node_netns_), "");
  EXPECT_FALSE(netnsExists(pod_.netns));
  EXPECT_EQ(inNetns(node_netns_, {"ip", "link", "show", "fp2"}), "");
  EXPECT_EQ(inNetns(node_netns_, {"ip", "route"}).find("10.244.1.2"), std::string::npos);
  EXPECT_EQ(removePodNetwork(pod_, node_netns_), "");  // idempotent
}

TEST_F(PodNetworkTest, ReplacesALeftoverOfACrashedRun) {
  ASSERT_EQ(createPodNetwork(pod_, node_netns_), "");
  ASSERT_EQ(createPodNetwork(pod_, node_netns_), "");
  EXPECT_TRUE(netnsExists(pod_.netns));
  EXPECT_TRUE(runCommand({"ip", "netns", "exec", node_netns_, "ping", "-c1", "-W2", pod_.ip}).ok());
}

TEST_F(PodNetworkTest, FailsCleanlyWithoutTheNode) {
  EXPECT_NE(createPodNetwork(pod_, prefix_ + "-missing"), "");
  EXPECT_FALSE(netnsExists(pod_.netns));
}

// The pod's process runs in its namespace and cgroup from its first instruction, with the pod's
// environment; removing the cgroup ends it.
TEST_F(PodNetworkTest, SpawnedProcessRunsInsideTheNamespaceAndCgroup) {
  ASSERT_EQ(createPodNetwork(pod_, node_netns_), "");
  ASSERT_EQ(createCgroup(pod_.cgroup), "");
  const fs::path out = fs::temp_directory_path() / (prefix_ + "-spawn.out");
  PodContext ctx{pod_.netns, pod_.cgroup, "", {{"POD_NAME", "echo-1"}}, true};
  std::string error;
  const pid_t pid =
      spawnInPod(ctx,
                 {"sh", "-c",
                  "{ readlink /proc/self/ns/net; cat /proc/self/cgroup; echo \"$POD_NAME\"; } > " +
                      out.string()},
                 error);
  ASSERT_GT(pid, 0) << error;
  EXPECT_EQ(waitExit(pid), 0);
  const std::string text = slurp(out);
  fs::remove(out);
  struct stat st {};
  ASSERT_EQ(::stat(("/run/netns/" + pod_.netns).c_str(), &st), 0);
  EXPECT_NE(text.find("net:[" + std::to_string(st.st_ino) + "]"), std::string::npos) << text;
  EXPECT_NE(text.find(prefix_ + "/node/demo.echo-1"), std::string::npos) << text;
  EXPECT_NE(text.find("echo-1\n"), std::string::npos) << text;

  const pid_t sleeper = spawnInPod(ctx, {"sleep", "600"}, error);
  ASSERT_GT(sleeper, 0) << error;
  EXPECT_EQ(removeCgroup(pod_.cgroup), "");
  EXPECT_EQ(waitExit(sleeper), 128 + SIGKILL);
  EXPECT_FALSE(fs::exists(pod_.cgroup));
}

TEST_F(PodNetworkTest, SpawnReportsWhatFailed) {
  std::string error;
  PodContext ctx{prefix_ + "-nope", "", "", {}, false};
  EXPECT_EQ(spawnInPod(ctx, {"true"}, error), -1);
  EXPECT_NE(error.find("network namespace"), std::string::npos) << error;
  PodContext plain{"", "", "", {}, false};
  EXPECT_EQ(spawnInPod(plain, {"/nonexistent/ferry-binary"}, error), -1);
  EXPECT_NE(error.find("exec"), std::string::npos) << error;
}

// The readiness probe as `ferry pod run` makes it: from the node's namespace to the pod's IP.
TEST_F(PodNetworkTest, HttpProbeFromTheNodeSeesTheServerComeAndGo) {
  ASSERT_EQ(createPodNetwork(pod_, node_netns_), "");
  ASSERT_EQ(createCgroup(pod_.cgroup), "");
  auto self = [] {
    struct stat st {};
    ::stat("/proc/thread-self/ns/net", &st);
    return st.st_ino;
  };
  const auto home = self();
  auto probeOnce = [&] {
    const bool ok = probeHttp(pod_.ip, {8080, "/"}, std::chrono::seconds(1), node_netns_);
    EXPECT_EQ(self(), home);  // only the socket went to the node
    return ok;
  };
  EXPECT_FALSE(probeOnce());  // nothing listens yet: refused
  std::string error;
  PodContext ctx{pod_.netns, pod_.cgroup, "", {}, true};
  // A bare HTTP responder (python's http.server would first look its own address up in DNS).
  const pid_t server =
      spawnInPod(ctx,
                 {"python3", "-c",
                  "import socketserver, sys\n"
                  "class H(socketserver.StreamRequestHandler):\n"
                  "  def handle(self):\n"
                  "    self.rfile.readline()\n"
                  "    self.wfile.write(b'HTTP/1.0 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n')\n"
                  "socketserver.TCPServer((sys.argv[1], 8080), H).serve_forever()\n",
                  pod_.ip},
                 error);
  ASSERT_GT(server, 0) << error;
  EXPECT_TRUE(eventually(probeOnce));
  EXPECT_EQ(removeCgroup(pod_.cgroup), "");
  (void)waitExit(server);
  EXPECT_FALSE(probeOnce());
}

}  // namespace
}  // namespace ferry::agent::pods
