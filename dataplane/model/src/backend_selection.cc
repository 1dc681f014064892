#include "ferry/model/backend_selection.h"

#include <algorithm>
#include <numeric>

namespace ferry::model {

std::vector<uint32_t> weightedSlots(std::span<const uint32_t> weights, uint32_t max_slots) {
  std::vector<uint64_t> w(weights.begin(), weights.end());
  uint64_t g = 0;
  for (uint64_t x : w) g = std::gcd(g, x);
  if (g == 0 || max_slots == 0) return {};
  uint64_t total = 0;
  for (auto& x : w) total += (x /= g);
  if (total == w.size() && total <= max_slots) {
    // All weights equal (the common case): one slot each, in order.
    std::vector<uint32_t> out(w.size());
    std::iota(out.begin(), out.end(), 0U);
    return out;
  }
  if (total > max_slots) {
    // Scale down proportionally; every positive weight keeps at least one slot.
    auto positive =
        static_cast<uint64_t>(std::count_if(w.begin(), w.end(), [](uint64_t x) { return x > 0; }));
    if (positive > max_slots) {
      // More backends than slots: the first max_slots positive backends get one slot each.
      std::vector<uint32_t> out;
      for (uint32_t i = 0; i < w.size() && out.size() < max_slots; ++i)
        if (w[i] > 0) out.push_back(i);
      return out;
    }
    uint64_t budget = max_slots;
    uint64_t scaled_total = 0;
    for (auto& x : w) {
      if (x == 0) continue;
      x = std::max<uint64_t>(1, x * budget / total);
      scaled_total += x;
    }
    // Rounding can overshoot by the number of clamped weights: trim the largest.
    while (scaled_total > budget) {
      auto it = std::max_element(w.begin(), w.end());
      --*it;
      --scaled_total;
    }
    total = scaled_total;
  }

  // Smooth weighted round-robin: each step every backend gains its weight, the largest
  // current value is chosen and loses the total. Deterministic and evenly interleaved.
  std::vector<int64_t> current(w.size(), 0);
  std::vector<uint32_t> out;
  out.reserve(total);
  for (uint64_t step = 0; step < total; ++step) {
    size_t best = 0;
    for (size_t i = 0; i < w.size(); ++i) {
      current[i] += static_cast<int64_t>(w[i]);
      if (current[i] > current[best]) best = i;
    }
    current[best] -= static_cast<int64_t>(total);
    out.push_back(static_cast<uint32_t>(best));
  }
  return out;
}

}  // namespace ferry::model
