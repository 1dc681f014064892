// Maglev table build cost: what the agent pays when a Maglev service's backends change.
#include <benchmark/benchmark.h>

#include "ferry/model/maglev.h"

namespace ferry::model {
namespace {

std::vector<MaglevBackend> backends(uint32_t n) {
  std::vector<MaglevBackend> out;
  for (uint32_t i = 0; i < n; ++i)
    out.push_back({maglevIdentity(IpAddress::v4(0x0af40000 + i), 8080), 1, i + 1});
  return out;
}

void BM_MaglevBuild(benchmark::State& state) {
  auto b = backends(static_cast<uint32_t>(state.range(0)));
  auto m = static_cast<uint32_t>(state.range(1));
  for (auto _ : state) {
    auto build = buildMaglev(b, m);
    benchmark::DoNotOptimize(build.table.slots.data());
  }
  state.counters["backends"] = static_cast<double>(b.size());
  state.counters["slots"] = m;
}
BENCHMARK(BM_MaglevBuild)
    ->Args({100, 16381})
    ->Args({1000, 16381})
    ->Args({1000, 65537})
    ->Unit(benchmark::kMillisecond);

// Rebuild after one backend left, computing the changed slots against the previous table.
void BM_MaglevRebuildWithDelta(benchmark::State& state) {
  auto b = backends(static_cast<uint32_t>(state.range(0)));
  auto m = static_cast<uint32_t>(state.range(1));
  auto before = buildMaglev(b, m);
  b.pop_back();
  size_t changed = 0;
  for (auto _ : state) {
    auto build = buildMaglev(b, m, &before.table);
    changed = build.changed.size();
    benchmark::DoNotOptimize(changed);
  }
  state.counters["changed_slots"] = static_cast<double>(changed);
}
BENCHMARK(BM_MaglevRebuildWithDelta)->Args({1000, 65537})->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ferry::model
