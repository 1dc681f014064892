// The socket-level load balancer for real: the cgroup hooks loaded and attached to a cgroup
// made for the test, the maps programmed by the projector from a model snapshot, and real
// sockets of this process (moved into that cgroup) dialling service frontends that exist on no
// interface. Backends are loopback listeners, so nothing leaves the machine.
//
// Needs root (bpf(), cgroup writes): label "privileged"; skips when not root.
#include "ferry/ebpf/sock_lb.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "ferry/abi/lb.h"
#include "ferry/ebpf/lb_projector.h"
#include "ferry/model/maglev.h"
#include "ferry/model/snapshot.h"

namespace ferry::ebpf {
namespace {

namespace fs = std::filesystem;
using model::IpAddress;

constexpr const char* kCgroupRoot = "/sys/fs/cgroup/unified";

// A cgroup v2 directory of its own with this process in it, for the test's lifetime.
class CgroupScope {
 public:
  CgroupScope() {
    std::ifstream self("/proc/self/cgroup");
    for (std::string line; std::getline(self, line);)
      if (line.rfind("0::", 0) == 0) original_ = fs::path(kCgroupRoot) / line.substr(4);
    path_ = fs::path(kCgroupRoot) / ("ferry-test-" + std::to_string(getpid()) + "-" +
                                     std::to_string(std::random_device{}()));
    fs::create_directory(path_);
    moveTo(path_);
  }
  ~CgroupScope() {
    moveTo(original_.empty() ? fs::path(kCgroupRoot) : original_);
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  static void moveTo(const fs::path& cg) { std::ofstream(cg / "cgroup.procs") << getpid() << "\n"; }
  fs::path path_, original_;
};

// A loopback TCP server answering every connection with its name, and a UDP one echoing it.
class NamedServer {
 public:
  NamedServer(std::string name, int family) : name_(std::move(name)), family_(family) {
    tcp_ = bindSocket(SOCK_STREAM);
    ::listen(tcp_, 64);
    udp_ = bindSocket(SOCK_DGRAM, port_);
    thread_ = std::thread([this] { serve(); });
  }
  ~NamedServer() {
    stop_ = true;
    ::shutdown(tcp_, SHUT_RDWR);
    ::shutdown(udp_, SHUT_RDWR);
    thread_.join();
    ::close(tcp_);
    ::close(udp_);
  }
  uint16_t port() const { return port_; }
  IpAddress address() const { return *IpAddress::parse(family_ == AF_INET ? "127.0.0.1" : "::1"); }

 private:
  int bindSocket(int type, uint16_t port = 0) {
    int fd = ::socket(family_, type, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len;
    if (family_ == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(&ss);
      a->sin_family = AF_INET;
      a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      a->sin_port = htons(port);
      len = sizeof(sockaddr_in);
    } else {
      auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
      a->sin6_family = AF_INET6;
      a->sin6_addr = in6addr_loopback;
      a->sin6_port = htons(port);
      len = sizeof(sockaddr_in6);
    }
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&ss), len), 0) << std::strerror(errno);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    port_ = ntohs(family_ == AF_INET ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                     : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
    return fd;
  }
  void serve() {
    std::thread udp([this] {
      char buf[64];
      sockaddr_storage from{};
      for (;;) {
        socklen_t len = sizeof from;
        ssize_t n = ::recvfrom(udp_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
        if (n < 0 || stop_) return;
        ::sendto(udp_, name_.data(), name_.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    });
    for (;;) {
      int c = ::accept(tcp_, nullptr, nullptr);
      if (c < 0 || stop_) break;
      ::send(c, name_.data(), name_.size(), MSG_NOSIGNAL);
      ::close(c);
    }
    udp.join();
  }
  std::string name_;
  int family_;
  uint16_t port_ = 0;
  int tcp_ = -1, udp_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

sockaddr_storage sockaddrOf(const char* ip, uint16_t port, socklen_t& len) {
  sockaddr_storage ss{};
  if (std::strchr(ip, ':')) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, ip, &a->sin6_addr);
    a->sin6_port = htons(port);
    len = sizeof(sockaddr_in6);
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a->sin_addr);
    a->sin_port = htons(port);
    len = sizeof(sockaddr_in);
  }
  return ss;
}

struct Dialled {
  int err = 0;         // connect()'s errno, 0 on success
  std::string answer;  // what the backend said
  std::string peer;    // getpeername(), "ip:port"
};

std::string text(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(a->sin_port));
  }
  auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
  inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
  return "[" + std::string(buf) + "]:" + std::to_string(ntohs(a->sin6_port));
}

Dialled dialTcp(const char* ip, uint16_t port) {
  socklen_t len;
  sockaddr_storage to = sockaddrOf(ip, port, len);
  int fd = ::socket(to.ss_family, SOCK_STREAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Dialled d;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), len) != 0) {
    d.err = errno;
    ::close(fd);
    return d;
  }
  sockaddr_storage peer{};
  socklen_t plen = sizeof peer;
  ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &plen);
  d.peer = text(peer);
  char buf[64];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n > 0) d.answer.assign(buf, static_cast<size_t>(n));
  ::close(fd);
  return d;
}

// One datagram to a frontend; the answer and the address recvfrom() reports it from.
Dialled askUdp(const char* ip, uint16_t port) {
  socklen_t len;
  sockaddr_storage to = sockaddrOf(ip, port, len);
  int fd = ::socket(to.ss_family, SOCK_DGRAM, 0);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  Dialled d;
  if (::sendto(fd, "?", 1, 0, reinterpret_cast<sockaddr*>(&to), len) < 0) {
    d.err = errno;
    ::close(fd);
    return d;
  }
  char buf[64];
  sockaddr_storage from{};
  socklen_t flen = sizeof from;
  ssize_t n = ::recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &flen);
  if (n > 0) {
    d.answer.assign(buf, static_cast<size_t>(n));
    d.peer = text(from);
  }
  ::close(fd);
  return d;
}

model::Service service(const char* vip, uint16_t port, model::Protocol proto,
                       std::vector<const NamedServer*> backends, const char* name) {
  model::Service s;
  s.name = {"default", name, ""};
  s.protocol = proto;
  s.frontends.push_back(
      {*IpAddress::parse(vip), port, model::FrontendKind::kClusterIp, model::Scope::kInternal});
  for (const auto* b : backends)
    s.backends.push_back({b->address(), b->port(), model::BackendState::kReady, "node-a", "", 1});
  return s;
}

class SockLbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (bpf(), cgroup v2 writes)";
    if (!fs::exists(fs::path(kCgroupRoot) / "cgroup.procs"))
      GTEST_SKIP() << "no cgroup v2 at " << kCgroupRoot;
    std::string error;
    lb_ = SockLb::load({}, error);
    ASSERT_NE(lb_, nullptr) << error;
    cgroup_ = std::make_unique<CgroupScope>();
    ASSERT_TRUE(lb_->attach(cgroup_->path().string(), error)) << error;
    ProjectorOptions po;
    po.node_name = "node-a";
    projector_ = std::make_unique<LbProjector>(lb_->maps(), po);
  }
  void TearDown() override {
    lb_.reset();  // detach before leaving the cgroup
    cgroup_.reset();
  }

  void project(std::vector<model::Service> services) {
    model::SnapshotBuilder b;
    for (auto& s : services) b.upsert(std::move(s));
    std::string error;
    auto stats = projector_->apply(*b.build(++version_), error);
    ASSERT_TRUE(stats.has_value()) << error;
    EXPECT_EQ(stats->skipped, 0u);
  }

  std::unique_ptr<SockLb> lb_;
  std::unique_ptr<CgroupScope> cgroup_;
  std::unique_ptr<LbProjector> projector_;
  uint64_t version_ = 0;
};

TEST_F(SockLbTest, TcpConnectToAClusterIpReachesBackendsInRoundRobin) {
  NamedServer a("A", AF_INET), b("B", AF_INET);
  project({service("10.96.0.10", 80, model::Protocol::kTcp, {&a, &b}, "web")});
  std::string seen;
  for (int i = 0; i < 6; ++i) {
    Dialled d = dialTcp("10.96.0.10", 80);
    ASSERT_EQ(d.err, 0) << std::strerror(d.err);
    seen += d.answer;
    // The application sees the address it dialled, not the backend.
    EXPECT_EQ(d.peer, "10.96.0.10:80");
  }
  EXPECT_TRUE(seen == "ABABAB" || seen == "BABABA") << seen;
}

TEST_F(SockLbTest, UdpRepliesAppearToComeFromTheFrontend) {
  NamedServer a("A", AF_INET);
  project({service("10.96.0.53", 53, model::Protocol::kUdp, {&a}, "dns")});
  Dialled d = askUdp("10.96.0.53", 53);
  ASSERT_EQ(d.err, 0) << std::strerror(d.err);
  EXPECT_EQ(d.answer, "A");
  EXPECT_EQ(d.peer, "10.96.0.53:53");
}

TEST_F(SockLbTest, AFrontendWithoutBackendsIsRefusedAtOnce) {
  project({service("10.96.0.20", 80, model::Protocol::kTcp, {}, "empty")});
  const auto start = std::chrono::steady_clock::now();
  Dialled d = dialTcp("10.96.0.20", 80);
  EXPECT_EQ(d.err, EPERM) << std::strerror(d.err);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1))
      << "refused, not timed out";
  // Addresses that are no frontend are left alone (nothing listens on this port here).
  NamedServer direct("D", AF_INET);
  EXPECT_EQ(dialTcp("127.0.0.1", direct.port()).answer, "D");
}

TEST_F(SockLbTest, BackendRemovalMovesNewConnectionsAndScaleToZeroAndBack) {
  NamedServer a("A", AF_INET), b("B", AF_INET);
  project({service("10.96.0.10", 80, model::Protocol::kTcp, {&a, &b}, "web")});
  project({service("10.96.0.10", 80, model::Protocol::kTcp, {&b}, "web")});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "B");
  project({service("10.96.0.10", 80, model::Protocol::kTcp, {}, "web")});
  EXPECT_EQ(dialTcp("10.96.0.10", 80).err, EPERM);
  project({service("10.96.0.10", 80, model::Protocol::kTcp, {&a}, "web")});
  EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "A");
  // And the service going away entirely leaves no frontend, slot or backend behind. (Not
  // checked by dialling: with no frontend the connect would leave the machine.)
  project({});
  for (int fd :
       {lb_->maps().services, lb_->maps().slots, lb_->maps().backends, lb_->maps().rev_nat}) {
    uint8_t key[64];
    EXPECT_NE(bpf_map_get_next_key(fd, nullptr, key), 0) << "map not empty";
  }
}

// The projector's Maglev tables: a Maglev service gets exactly the model's table over its
// backends' ids, rewritten when a backend leaves, removed when the service stops being Maglev
// or goes away. Sockets still connect (the socket path balances Maglev services at random: a
// connect() has no source port to hash yet).
TEST_F(SockLbTest, MaglevServicesGetTheModelsTableInTheMapOfMaps) {
  NamedServer a("A", AF_INET), b("B", AF_INET);
  auto maglev = [](model::Service s) {
    s.balancing = model::Balancing::kMaglev;
    return s;
  };
  // backend address:port -> the id the projector gave it
  auto backendIds = [&] {
    std::map<uint16_t, uint32_t> by_port;
    uint32_t key = 0, next = 0;
    bool first = true;
    while (bpf_map_get_next_key(lb_->maps().backends, first ? nullptr : &key, &next) == 0) {
      first = false;
      key = next;
      ferry_lb_backend be{};
      if (bpf_map_lookup_elem(lb_->maps().backends, &key, &be) == 0) by_port[ntohs(be.port)] = key;
    }
    return by_port;
  };
  auto tableOf = [&](uint32_t svc_id) {
    uint32_t inner_id = 0;
    std::vector<uint32_t> slots;
    if (bpf_map_lookup_elem(lb_->maps().maglev, &svc_id, &inner_id) != 0) return slots;
    const int fd = bpf_map_get_fd_by_id(inner_id);
    EXPECT_GE(fd, 0);
    slots.resize(FERRY_MAGLEV_SIZE);
    for (uint32_t i = 0; i < FERRY_MAGLEV_SIZE; ++i) bpf_map_lookup_elem(fd, &i, &slots[i]);
    close(fd);
    return slots;
  };
  auto expected = [&](std::vector<const NamedServer*> servers) {
    const auto ids = backendIds();
    std::vector<model::MaglevBackend> mb;
    for (const auto* s : servers)
      mb.push_back({model::maglevIdentity(s->address(), s->port()), 1, ids.at(s->port())});
    return model::buildMaglev(mb, FERRY_MAGLEV_SIZE).table.slots;
  };

  project({maglev(service("10.96.0.10", 80, model::Protocol::kTcp, {&a, &b}, "web"))});
  const auto ids = projector_->serviceIds({"default", "web", ""});
  ASSERT_EQ(ids.size(), 1U);
  EXPECT_EQ(tableOf(ids[0]), expected({&a, &b}));
  const std::string answer = dialTcp("10.96.0.10", 80).answer;
  EXPECT_TRUE(answer == "A" || answer == "B") << answer;

  project({maglev(service("10.96.0.10", 80, model::Protocol::kTcp, {&b}, "web"))});
  EXPECT_EQ(tableOf(ids[0]), expected({&b}));

  project({service("10.96.0.10", 80, model::Protocol::kTcp, {&a, &b}, "web")});  // round robin
  EXPECT_TRUE(tableOf(ids[0]).empty()) << "the table outlived the service's Maglev annotation";

  project({maglev(service("10.96.0.10", 80, model::Protocol::kTcp, {&a}, "web"))});
  EXPECT_FALSE(tableOf(projector_->serviceIds({"default", "web", ""}).at(0)).empty());
  project({});
  uint32_t any = 0;
  EXPECT_NE(bpf_map_get_next_key(lb_->maps().maglev, nullptr, &any), 0) << "a table was left";
}

TEST_F(SockLbTest, Ipv6ClusterIp) {
  NamedServer a("A6", AF_INET6);
  project({service("fd00:96::10", 80, model::Protocol::kTcp, {&a}, "web6")});
  Dialled d = dialTcp("fd00:96::10", 80);
  ASSERT_EQ(d.err, 0) << std::strerror(d.err);
  EXPECT_EQ(d.answer, "A6");
  EXPECT_EQ(d.peer, "[fd00:96::10]:80");
}

TEST_F(SockLbTest, DualStackFrontendsPairWithBackendsOfTheirFamily) {
  NamedServer a4("A4", AF_INET), a6("A6", AF_INET6);
  model::Service s = service("10.96.0.11", 80, model::Protocol::kTcp, {&a4, &a6}, "dual");
  s.frontends.push_back({*IpAddress::parse("fd00:96::11"), 80, model::FrontendKind::kClusterIp,
                         model::Scope::kInternal});
  project({s});
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(dialTcp("10.96.0.11", 80).answer, "A4");
    EXPECT_EQ(dialTcp("fd00:96::11", 80).answer, "A6");
  }
}

TEST_F(SockLbTest, LocalInternalPolicyKeepsThisNodesEndpoints) {
  NamedServer a("A", AF_INET), b("B", AF_INET);
  model::Service s = service("10.96.0.10", 80, model::Protocol::kTcp, {&a, &b}, "web");
  s.backends[1].node = "node-b";  // B lives elsewhere
  s.internal_policy = model::TrafficPolicy::kLocal;
  project({s});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "A");
}

// bpffs at /sys/fs/bpf (mounted when it is not: it is not at boot here) and a unique pin
// directory in it, removed at the end whatever happens.
class PinDir {
 public:
  PinDir() {
    struct statfs st {};
    if (::statfs("/sys/fs/bpf", &st) != 0 || st.f_type != BPF_FS_MAGIC)
      ::mount("bpf", "/sys/fs/bpf", "bpf", 0, nullptr);
    path_ = "/sys/fs/bpf/ferry-test-" + std::to_string(getpid()) + "-" +
            std::to_string(std::random_device{}());
  }
  ~PinDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST_F(SockLbTest, PinnedDatapathOutlivesItsLoaderAndIsTakenOverByTheNext) {
  lb_.reset();  // this test loads its own, pinned
  PinDir pins;
  NamedServer a("A", AF_INET), b("B", AF_INET);
  std::string error;
  SockLbOptions so;
  so.pin_dir = pins.path();
  {
    auto first = SockLb::load(so, error);
    ASSERT_NE(first, nullptr) << error;
    EXPECT_FALSE(first->reusedPinnedMaps());
    ASSERT_TRUE(first->attach(cgroup_->path().string(), error)) << error;
    LbProjector projector(first->maps(), {});
    model::SnapshotBuilder builder;
    builder.upsert(service("10.96.0.10", 80, model::Protocol::kTcp, {&a}, "web"));
    builder.upsert(service("10.96.0.11", 80, model::Protocol::kTcp, {&b}, "gone-later"));
    ASSERT_TRUE(projector.apply(*builder.build(1), error)) << error;
    EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "A");
  }  // the loader is gone, as an agent killed with SIGKILL is
  EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "A") << "balancing must go on without its agent";

  auto second = SockLb::load(so, error);
  ASSERT_NE(second, nullptr) << error;
  EXPECT_TRUE(second->reusedPinnedMaps());
  ASSERT_TRUE(second->attach(cgroup_->path().string(), error)) << error;
  LbProjector projector(second->maps(), {});
  auto adopted = projector.adoptExisting(error);
  ASSERT_TRUE(adopted.has_value()) << error;
  EXPECT_GT(*adopted, 0u);
  EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "A") << "taken over, not rebuilt";
  // The first apply after the takeover rewrites what changed and deletes what is gone.
  model::SnapshotBuilder builder;
  builder.upsert(service("10.96.0.10", 80, model::Protocol::kTcp, {&b}, "web"));
  auto stats = projector.apply(*builder.build(1), error);
  ASSERT_TRUE(stats.has_value()) << error;
  EXPECT_EQ(stats->frontends, 1u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(dialTcp("10.96.0.10", 80).answer, "B");
  uint8_t key[64];
  int entries = 0;
  for (void* prev = nullptr; bpf_map_get_next_key(second->maps().services, prev, key) == 0;
       prev = key)
    ++entries;
  EXPECT_EQ(entries, 1) << "the vanished service's frontend must be deleted";
  second->unpin();
  EXPECT_FALSE(fs::exists(pins.path()));
}

}  // namespace
}  // namespace ferry::ebpf
