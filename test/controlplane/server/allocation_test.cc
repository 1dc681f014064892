// ClusterIP and NodePort allocation through the real storage path (admission + transaction)
// under concurrent creates: never a duplicate, released on delete, user choices checked.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "ferry/api/resources.h"
#include "ferry/controlplane/admission.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/store/embedded_store.h"

namespace ferry::controlplane {
namespace {

class AllocationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ferry-alloc-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store::EmbeddedStoreOptions o;
    o.dir = dir_ + "/store";
    auto s = store::EmbeddedStore::open(o);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    store_ = std::move(*s);
    // A small range makes collisions likely: 10.0.0.0/24 has 253 allocatable addresses
    // (network, broadcast and the first one, kept for default/kubernetes, excluded).
    ips_ = std::make_unique<IpAllocator>(*model::Cidr::parse("10.0.0.0/24"), "v4");
    ports_ = std::make_unique<PortAllocator>(30000, 30299, "nodeports");
    storage_ = std::make_unique<ObjectStorage>(*store_);
    alloc_ = std::make_unique<ServiceAllocation>(*store_, *ips_, nullptr, *ports_);
    // A tiny pool, so exhaustion and reuse are reachable: 192.0.2.0/30 has .1 and .2.
    lb_pool_ = std::make_unique<IpAllocator>(*model::Cidr::parse("192.0.2.0/30"), "lb-v4");
    alloc_->setLoadBalancerPools(lb_pool_.get(), nullptr);
    admission_ = std::make_unique<Admission>(*alloc_);
    svc_ = resourceInfo(*api::findResource("", "v1", "services"));
    auto ns = resourceInfo(*api::findResource("", "v1", "namespaces"));
    ASSERT_TRUE(storage_->create(ns, "", {{"metadata", {{"name", "default"}}}}, admission_->admitFor(ns, "")).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ApiResult<json> create(const std::string& name, const std::string& type = "NodePort", json extra = json::object()) {
    json svc = {{"metadata", {{"name", name}}},
                {"spec", {{"type", type}, {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}}};
    svc["spec"].update(extra);
    return storage_->create(svc_, "default", svc, admission_->admitFor(svc_, ""));
  }

  std::string dir_;
  std::unique_ptr<store::EmbeddedStore> store_;
  std::unique_ptr<IpAllocator> ips_;
  std::unique_ptr<PortAllocator> ports_;
  std::unique_ptr<ObjectStorage> storage_;
  std::unique_ptr<IpAllocator> lb_pool_;
  std::unique_ptr<ServiceAllocation> alloc_;
  std::unique_ptr<Admission> admission_;
  ResourceInfo svc_;
};

TEST_F(AllocationTest, ConcurrentCreatesNeverShareAnIpOrPort) {
  constexpr int kThreads = 8, kPerThread = 25;  // 200 of 253 addresses, 200 of 300 ports
  std::vector<std::thread> threads;
  std::vector<std::vector<json>> made(kThreads);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = create("s-" + std::to_string(t) + "-" + std::to_string(i));
        if (r.ok()) made[t].push_back(*r);
        else ADD_FAILURE() << r.status().message;
      }
    });
  for (auto& th : threads) th.join();
  std::set<std::string> ips;
  std::set<int> ports;
  size_t n = 0;
  for (const auto& v : made)
    for (const auto& svc : v) {
      ++n;
      EXPECT_TRUE(ips.insert(svc["spec"]["clusterIP"].get<std::string>()).second) << svc["spec"]["clusterIP"];
      EXPECT_TRUE(ports.insert(svc["spec"]["ports"][0]["nodePort"].get<int>()).second);
      EXPECT_NE(svc["spec"]["clusterIP"], "10.0.0.1") << "reserved for default/kubernetes";
    }
  EXPECT_EQ(n, static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AllocationTest, ExhaustionIsAnErrorNotADuplicate) {
  std::set<std::string> ips;
  for (int i = 0; i < 253; ++i) {
    auto r = create("c" + std::to_string(i), "ClusterIP");
    ASSERT_TRUE(r.ok()) << i << ": " << r.status().message;
    ASSERT_TRUE(ips.insert((*r)["spec"]["clusterIP"].get<std::string>()).second);
  }
  auto full = create("one-too-many", "ClusterIP");
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.status().message.find("full"), std::string::npos) << full.status().message;
}

TEST_F(AllocationTest, DeleteReleasesForReuse) {
  auto a = create("a", "NodePort", {{"clusterIP", "10.0.0.50"}, {"ports", {{{"port", 80}, {"nodePort", 30050}}}}});
  ASSERT_TRUE(a.ok()) << a.status().message;
  auto clash = create("b", "NodePort", {{"clusterIP", "10.0.0.50"}});
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.status().code, 422);
  EXPECT_NE(clash.status().message.find("already allocated"), std::string::npos) << clash.status().message;
  auto port_clash = create("c", "NodePort", {{"ports", {{{"port", 80}, {"nodePort", 30050}}}}});
  ASSERT_FALSE(port_clash.ok());
  EXPECT_NE(port_clash.status().message.find("already allocated"), std::string::npos) << port_clash.status().message;

  ASSERT_TRUE(storage_->remove(svc_, "default", "a", "", "", admission_->releaseFor(svc_)).ok());
  auto again = create("b", "NodePort", {{"clusterIP", "10.0.0.50"}, {"ports", {{{"port", 80}, {"nodePort", 30050}}}}});
  EXPECT_TRUE(again.ok()) << again.status().message;
}

TEST_F(AllocationTest, UserChoicesOutsideTheRangesAreInvalid) {
  auto ip = create("x", "ClusterIP", {{"clusterIP", "10.1.0.5"}});
  ASSERT_FALSE(ip.ok());
  EXPECT_EQ(ip.status().code, 422);
  EXPECT_NE(ip.status().message.find("not in the valid range"), std::string::npos) << ip.status().message;
  auto port = create("y", "NodePort", {{"ports", {{{"port", 80}, {"nodePort", 31000}}}}});
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.status().message.find("30000-30299"), std::string::npos) << port.status().message;
}

TEST_F(AllocationTest, TypeChangeReleasesNodePorts) {
  auto a = create("t", "NodePort", {{"ports", {{{"port", 80}, {"nodePort", 30010}}}}});
  ASSERT_TRUE(a.ok()) << a.status().message;
  json cur = *a;
  cur["spec"]["type"] = "ClusterIP";
  cur["spec"]["ports"][0].erase("nodePort");
  cur["spec"].erase("externalTrafficPolicy");
  auto u = storage_->update(svc_, "default", "t", cur, admission_->admitFor(svc_, ""));
  ASSERT_TRUE(u.ok()) << u.status().message;
  EXPECT_FALSE((*u)["spec"]["ports"][0].contains("nodePort"));
  auto reuse = create("u", "NodePort", {{"ports", {{{"port", 80}, {"nodePort", 30010}}}}});
  EXPECT_TRUE(reuse.ok()) << reuse.status().message;
}

std::string lbIp(const json& svc) {
  const json ing = svc.value(json::json_pointer("/status/loadBalancer/ingress"), json::array());
  return ing.is_array() && !ing.empty() ? ing[0].value("ip", "") : "";
}

TEST_F(AllocationTest, LoadBalancerServicesGetPoolAddressesUntilItRunsOut) {
  auto a = create("lb-a", "LoadBalancer");
  auto b = create("lb-b", "LoadBalancer");
  ASSERT_TRUE(a.ok() && b.ok());
  std::set<std::string> got = {lbIp(*a), lbIp(*b)};
  EXPECT_EQ(got, (std::set<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ((*a)["status"]["loadBalancer"]["ingress"][0]["ipMode"], "VIP");
  // Exhausted: the third stays pending rather than failing or sharing an address.
  auto c = create("lb-c", "LoadBalancer");
  ASSERT_TRUE(c.ok()) << c.status().message;
  EXPECT_EQ(lbIp(*c), "");
  // Other implementations' Services (loadBalancerClass) are not ours to address.
  ASSERT_TRUE(storage_->remove(svc_, "default", "lb-a", "", "", admission_->releaseFor(svc_)).ok());
  auto classed = create("lb-classed", "LoadBalancer", {{"loadBalancerClass", "example.com/other"}});
  ASSERT_TRUE(classed.ok()) << classed.status().message;
  EXPECT_EQ(lbIp(*classed), "");
  // The deleted Service's address is free again.
  auto d = create("lb-d", "LoadBalancer");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(lbIp(*d), lbIp(*a));
}

TEST_F(AllocationTest, LoadBalancerAddressKeptOnUpdateReleasedOnTypeChange) {
  auto a = create("lb", "LoadBalancer", {{"loadBalancerIP", "192.0.2.2"}});
  ASSERT_TRUE(a.ok()) << a.status().message;
  EXPECT_EQ(lbIp(*a), "192.0.2.2");
  auto taken = create("other", "LoadBalancer", {{"loadBalancerIP", "192.0.2.2"}});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.status().code, 422);
  auto outside = create("outside", "LoadBalancer", {{"loadBalancerIP", "198.51.100.7"}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.status().code, 422);

  // An update that leaves status out (as every main-resource update does) keeps the address.
  json upd = *a;
  upd.erase("status");
  upd["metadata"]["labels"]["touched"] = "yes";
  auto kept = storage_->update(svc_, "default", "lb", upd, admission_->admitFor(svc_, ""));
  ASSERT_TRUE(kept.ok()) << kept.status().message;
  EXPECT_EQ(lbIp(*kept), "192.0.2.2");

  json to_cluster_ip = *kept;
  to_cluster_ip["spec"]["type"] = "ClusterIP";
  to_cluster_ip["spec"].erase("loadBalancerIP");
  for (auto& p : to_cluster_ip["spec"]["ports"]) p.erase("nodePort");
  auto changed = storage_->update(svc_, "default", "lb", to_cluster_ip, admission_->admitFor(svc_, ""));
  ASSERT_TRUE(changed.ok()) << changed.status().message;
  EXPECT_EQ(lbIp(*changed), "");
  auto reuse = create("reuse", "LoadBalancer", {{"loadBalancerIP", "192.0.2.2"}});
  EXPECT_TRUE(reuse.ok()) << reuse.status().message;
}

}  // namespace
}  // namespace ferry::controlplane
