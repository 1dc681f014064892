// Snapshot diff cost at scale: what the agent pays per feed update before programming.
#include <benchmark/benchmark.h>

#include "ferry/model/snapshot.h"
#include "ferry/model/snapshot_diff.h"

namespace ferry::model {
namespace {

Service makeService(uint32_t i, uint32_t backends) {
  Service s;
  s.name = {"ns" + std::to_string(i % 100), "svc" + std::to_string(i), "http"};
  s.frontends.push_back(
      {IpAddress::v4(0x0a600000 + i), 80, FrontendKind::kClusterIp, Scope::kInternal});
  for (uint32_t b = 0; b < backends; ++b)
    s.backends.push_back({IpAddress::v4(0x0af40000 + i * backends + b), 8080, BackendState::kReady,
                          "node" + std::to_string(b % 2), "", 1});
  return s;
}

struct Pair {
  ServiceSnapshot::Ptr before, after;
};

// 10k services with 10 backends each; `changed` of them get one more backend.
Pair makePair(uint32_t services, uint32_t changed, bool share_unchanged) {
  SnapshotBuilder b;
  for (uint32_t i = 0; i < services; ++i) b.upsert(makeService(i, 10));
  auto before = b.build(1);
  // Without sharing, every service is a distinct (but equal) object: the worst case, where
  // diff compares fields instead of pointers.
  SnapshotBuilder n = share_unchanged ? SnapshotBuilder(*before) : SnapshotBuilder();
  if (!share_unchanged)
    for (uint32_t i = 0; i < services; ++i) n.upsert(makeService(i, 10));
  for (uint32_t i = 0; i < changed; ++i) n.upsert(makeService(i * (services / changed), 11));
  return {before, n.build(2)};
}

void BM_SnapshotDiff(benchmark::State& state) {
  auto pair = makePair(static_cast<uint32_t>(state.range(0)), static_cast<uint32_t>(state.range(1)),
                       state.range(2) != 0);
  size_t changed = 0;
  for (auto _ : state) {
    auto d = diff(pair.before.get(), *pair.after);
    changed = d.changed.size();
    benchmark::DoNotOptimize(changed);
  }
  state.counters["changed"] = static_cast<double>(changed);
}
BENCHMARK(BM_SnapshotDiff)
    ->ArgNames({"services", "changed", "shared"})
    ->Args({10000, 100, 1})
    ->Args({10000, 100, 0})
    ->Args({100000, 1000, 1})
    ->Unit(benchmark::kMicrosecond);

void BM_SnapshotBuildIncremental(benchmark::State& state) {
  SnapshotBuilder b;
  for (uint32_t i = 0; i < 10000; ++i) b.upsert(makeService(i, 10));
  auto base = b.build(1);
  uint64_t v = 2;
  for (auto _ : state) {
    SnapshotBuilder n(*base);
    n.upsert(makeService(42, static_cast<uint32_t>(v % 20)));
    benchmark::DoNotOptimize(n.build(v++));
  }
}
BENCHMARK(BM_SnapshotBuildIncremental)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace ferry::model
