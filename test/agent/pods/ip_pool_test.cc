#include "ferry/agent/pods/ip_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

namespace ferry::agent::pods {
namespace {

model::Cidr cidr(const char* text) {
  return *model::Cidr::parse(text);
}

TEST(IpAllocations, FirstHostIsTheGatewayAndPodsStartAfterIt) {
  IpAllocations a(cidr("10.244.1.0/24"));
  EXPECT_EQ(a.gateway().toString(), "10.244.1.1");
  EXPECT_EQ(a.allocate("demo/a")->toString(), "10.244.1.2");
  EXPECT_EQ(a.allocate("demo/b")->toString(), "10.244.1.3");
}

TEST(IpAllocations, SameKeyKeepsItsAddress) {
  IpAllocations a(cidr("10.244.1.0/24"));
  auto first = a.allocate("demo/a");
  (void)a.allocate("demo/b");
  EXPECT_EQ(a.allocate("demo/a"), first);
  EXPECT_EQ(a.size(), 2u);
}

TEST(IpAllocations, ReleasedAddressIsReused) {
  IpAllocations a(cidr("10.244.1.0/24"));
  (void)a.allocate("demo/a");
  (void)a.allocate("demo/b");
  EXPECT_TRUE(a.release("demo/a"));
  EXPECT_FALSE(a.release("demo/a"));
  EXPECT_EQ(a.allocate("demo/c")->toString(), "10.244.1.2");
  EXPECT_FALSE(a.find("demo/a"));
}

TEST(IpAllocations, FullCidrRefusesAndNeverHandsOutBroadcast) {
  IpAllocations a(cidr("10.244.1.0/30"));  // .0 network, .1 gateway, .2 pod, .3 broadcast
  EXPECT_EQ(a.allocate("demo/a")->toString(), "10.244.1.2");
  EXPECT_FALSE(a.allocate("demo/b"));
}

TEST(IpAllocations, HostBitsInTheCidrAreIgnored) {
  IpAllocations a(cidr("10.244.1.77/24"));
  EXPECT_EQ(a.gateway().toString(), "10.244.1.1");
  EXPECT_EQ(a.allocate("demo/a")->toString(), "10.244.1.2");
}

TEST(IpAllocations, JsonRoundTripDropsForeignAndReservedEntries) {
  IpAllocations a(cidr("10.244.1.0/24"));
  (void)a.allocate("demo/a");
  (void)a.allocate("demo/b");
  auto back = IpAllocations::fromJson(cidr("10.244.1.0/24"), a.toJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->find("demo/b")->toString(), "10.244.1.3");
  auto odd = IpAllocations::fromJson(
      cidr("10.244.1.0/24"),
      R"({"allocations": {"10.244.2.5": "x/y", "10.244.1.1": "x/gw", "10.244.1.255": "x/bc",
                          "10.244.1.9": "x/ok", "nonsense": "x/z"}})");
  ASSERT_TRUE(odd.ok());
  EXPECT_EQ(odd->size(), 1u);
  EXPECT_EQ(odd->find("x/ok")->toString(), "10.244.1.9");
  EXPECT_FALSE(IpAllocations::fromJson(cidr("10.244.1.0/24"), "{not json").ok());
}

class IpPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ferry-ip-pool-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "node-1.ipam").string(); }
  std::filesystem::path dir_;
};

TEST_F(IpPoolTest, AllocationsSurviveAcrossInstances) {
  {
    IpPool pool(path(), cidr("10.244.1.0/24"));
    EXPECT_EQ(pool.allocate("demo/a")->toString(), "10.244.1.2");
  }
  IpPool again(path(), cidr("10.244.1.0/24"));
  EXPECT_EQ(again.allocate("demo/b")->toString(), "10.244.1.3");
  EXPECT_EQ(again.allocate("demo/a")->toString(), "10.244.1.2");
  EXPECT_TRUE(*again.release("demo/a"));
  EXPECT_FALSE(again.load()->find("demo/a"));
}

TEST_F(IpPoolTest, RefusesIpv6AndTinyCidrs) {
  EXPECT_FALSE(IpPool(path(), cidr("fd00::/64")).allocate("demo/a").ok());
  EXPECT_FALSE(IpPool(path(), cidr("10.244.1.0/31")).allocate("demo/a").ok());
}

// Concurrent `ferry pod run`s are separate processes: the flock() keeps their addresses apart.
TEST_F(IpPoolTest, ConcurrentProcessesGetDistinctAddresses) {
  constexpr int kProcs = 8;
  std::vector<pid_t> kids;
  for (int i = 0; i < kProcs; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      IpPool pool(path(), cidr("10.244.1.0/24"));
      for (int j = 0; j < 4; ++j)
        if (!pool.allocate("p" + std::to_string(i) + "/" + std::to_string(j)).ok()) ::_exit(1);
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t pid : kids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto table = IpPool(path(), cidr("10.244.1.0/24")).load();
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(table->size(), static_cast<std::size_t>(kProcs * 4));
  std::set<std::string> ips;
  for (int i = 0; i < kProcs; ++i)
    for (int j = 0; j < 4; ++j)
      ips.insert(table->find("p" + std::to_string(i) + "/" + std::to_string(j))->toString());
  EXPECT_EQ(ips.size(), static_cast<std::size_t>(kProcs * 4));
}

}  // namespace
}  // namespace ferry::agent::pods
