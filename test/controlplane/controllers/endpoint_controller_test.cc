// The endpoint controller in-process over a real EmbeddedStore: it starts from what is already
// stored, a restart over an up-to-date store writes nothing, and a watch cut off for falling
// behind is recovered by a re-list without losing changes.
#include "ferry/controllers/endpoint_controller.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <thread>

#include "ferry/api/resources.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/store/embedded_store.h"

namespace ferry::controlplane {
namespace {

using nlohmann::json;
constexpr auto kDeadline = std::chrono::seconds(15);

json pod(const std::string& name, const std::string& ip) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"uid", "uid-" + name},
            {"labels", {{"app", "web"}}}}},
          {"spec", {{"nodeName", "node-a"}, {"containers", {{{"name", "app"}, {"image", "x"}}}}}},
          {"status",
           {{"phase", "Running"},
            {"podIP", ip},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

class EndpointControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ferry-epctl-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store::EmbeddedStoreOptions o;
    o.dir = dir_ + "/store";
    // Small, so one transaction of many pods cuts the controller's watch off (kOverflow).
    o.watch_queue_limit = 8;
    auto s = store::EmbeddedStore::open(o);
    ASSERT_TRUE(s.ok()) << s.status().toString();
    store_ = std::move(*s);
    ips_ = std::make_unique<IpAllocator>(*model::Cidr::parse("10.96.0.0/24"), "v4");
    ports_ = std::make_unique<PortAllocator>(30000, 30099, "nodeports");
    storage_ = std::make_unique<ObjectStorage>(*store_);
    alloc_ = std::make_unique<ServiceAllocation>(*store_, *ips_, nullptr, *ports_);
    admission_ = std::make_unique<Admission>(*alloc_);
    create("namespaces", "", {{"metadata", {{"name", "default"}}}});
    create("nodes", "", {{"metadata", {{"name", "node-a"}}}});
    create("services", "default",
           {{"metadata", {{"name", "web"}}},
            {"spec",
             {{"selector", {{"app", "web"}}}, {"ports", {{{"port", 80}, {"protocol", "TCP"}}}}}}});
  }
  void TearDown() override {
    controller_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void create(const std::string& plural, const std::string& ns, const json& obj) {
    const std::string group = plural == "endpointslices" ? "discovery.k8s.io" : "";
    ResourceInfo info = resourceInfo(*api::findResource(group, "v1", plural));
    auto res = storage_->create(info, ns, obj, admission_->admitFor(info, ""));
    ASSERT_TRUE(res.ok()) << plural << ": " << res.status().message;
  }

  void startController() {
    controller_.reset();
    metrics_ = std::make_unique<runtime::Registry>();
    controller_ = std::make_unique<EndpointController>(*storage_, *admission_, *metrics_);
    controller_->start();
  }

  uint64_t counter(const std::string& name) {
    return metrics_->counter(name, "", {{"controller", "endpoint"}}).value();
  }

  // Addresses in the slices of Service web.
  std::set<std::string> sliceAddresses() {
    std::set<std::string> out;
    auto listed = store_->range({.prefix = "/registry/discovery.k8s.io/endpointslices/default/"});
    EXPECT_TRUE(listed.ok());
    for (const auto& kv : listed->items) {
      json slice = json::parse(kv->value);
      for (const auto& ep : slice.value("endpoints", json::array())) {
        for (const auto& a : ep["addresses"]) out.insert(a.get<std::string>());
      }
    }
    return out;
  }

  // Waits, on a store watch, until `done` holds or kDeadline passes.
  bool waitFor(const std::function<bool()>& done) {
    auto w = store_->watch("/registry/", std::nullopt);
    EXPECT_TRUE(w.ok());
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    std::vector<store::Event> events;
    while (!done()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      events.clear();
      store::Status st = (*w)->wait(
          events, 256, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now));
      EXPECT_TRUE(st.ok()) << st.toString();
      if (!st.ok()) return done();
    }
    return true;
  }

  // Waits for the controller's counters, which no store event announces: polled, with a deadline.
  bool waitForCounter(const std::string& name, uint64_t at_least) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (counter(name) < at_least) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(
          std::chrono::milliseconds(5));  // polling a condition, with a deadline
    }
    return true;
  }

  std::string dir_;
  std::unique_ptr<store::EmbeddedStore> store_;
  std::unique_ptr<IpAllocator> ips_;
  std::unique_ptr<PortAllocator> ports_;
  std::unique_ptr<ObjectStorage> storage_;
  std::unique_ptr<ServiceAllocation> alloc_;
  std::unique_ptr<Admission> admission_;
  std::unique_ptr<runtime::Registry> metrics_;
  std::unique_ptr<EndpointController> controller_;
};

TEST_F(EndpointControllerTest, RestartOverAnUpToDateStoreWritesNothing) {
  create("pods", "default", pod("web-1", "10.244.0.11"));
  create("pods", "default", pod("web-2", "10.244.0.12"));
  startController();
  ASSERT_TRUE(waitFor([&] {
    return sliceAddresses() == std::set<std::string>{"10.244.0.11", "10.244.0.12"};
  }));
  ASSERT_TRUE(waitFor([&] { return store_->get("/registry/core/endpoints/default/web").ok(); }));

  // A restart syncs every Service once from the cache it lists; had it reconciled before the
  // pods were listed it would have emptied the slices and then refilled them.
  controller_.reset();
  const auto revision = store_->currentRevision();
  startController();
  ASSERT_TRUE(waitForCounter("ferry_controller_syncs_total", 1));
  EXPECT_EQ(counter("ferry_controller_writes_total"), 0U);
  EXPECT_EQ(store_->currentRevision(), revision);
}

TEST_F(EndpointControllerTest, WatchCutOffIsRecoveredByARelist) {
  startController();
  ASSERT_TRUE(waitForCounter("ferry_controller_relists_total", 5)) << "one list per watched kind";
  // 40 pods in one transaction: 40 events at once overflow the watch's queue of 8.
  store::TxnRequest txn;
  std::set<std::string> want;
  for (int i = 0; i < 40; ++i) {
    const std::string ip = "10.244.1." + std::to_string(i + 1);
    want.insert(ip);
    txn.ops.push_back(store::TxnOp::put("/registry/core/pods/default/bulk-" + std::to_string(i),
                                        pod("bulk-" + std::to_string(i), ip).dump()));
  }
  ASSERT_TRUE(store_->txn(txn).ok());
  ASSERT_TRUE(waitFor([&] { return sliceAddresses() == want; }));
  EXPECT_GT(counter("ferry_controller_relists_total"), 5U);
}

TEST_F(EndpointControllerTest, SlicesOfAServiceDeletedWhileStoppedGoAtStartup) {
  create("pods", "default", pod("web-1", "10.244.0.11"));
  startController();
  ASSERT_TRUE(waitFor([&] { return sliceAddresses().size() == 1; }));
  controller_.reset();
  ResourceInfo services = resourceInfo(*api::findResource("", "v1", "services"));
  ASSERT_TRUE(
      storage_->remove(services, "default", "web", "", "", admission_->releaseFor(services)).ok());
  startController();
  ASSERT_TRUE(waitFor([&] {
    auto listed = store_->range({.prefix = "/registry/discovery.k8s.io/endpointslices/default/"});
    return listed.ok() && listed->items.empty();
  }));
}

}  // namespace
}  // namespace ferry::controlplane
