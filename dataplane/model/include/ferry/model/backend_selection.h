// Backend selection for a new flow, as reference implementations of what each fast path does
// in its own terms (a BPF array of slots, a DPDK per-lcore table).
//
// Weights are honoured by *slots*: a service's usable backends are laid out in a slot list
// where each appears in proportion to its weight, interleaved smoothly (nginx's smooth
// weighted round-robin), so round-robin and random over slots respect weights and a
// round-robin cycle never bunches one backend's turns together.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ferry/model/maglev.h"

namespace ferry::model {

// Slot layout for backends with the given weights (index i appears ~weights[i]/gcd times).
// At most `max_slots` entries: weights are scaled down (keeping every positive weight ≥ 1)
// when their reduced sum exceeds it. Zero weights get no slot.
std::vector<uint32_t> weightedSlots(std::span<const uint32_t> weights, uint32_t max_slots);

// Round-robin over n slots; the counter is the fast path's per-service state.
class RoundRobin {
 public:
  uint32_t next(uint32_t n) { return n == 0 ? 0 : static_cast<uint32_t>(counter_++ % n); }
  void reset(uint64_t value = 0) { counter_ = value; }

 private:
  uint64_t counter_ = 0;
};

// Uniform choice of a slot from a 32-bit random number without modulo bias worth noticing
// (Lemire's multiply-shift), exactly as the BPF program computes it from bpf_get_prandom_u32.
inline uint32_t pickRandom(uint32_t n, uint32_t random) {
  return static_cast<uint32_t>((static_cast<uint64_t>(random) * n) >> 32);
}

// Maglev lookup: the slot owner for a flow hash (ferry_flow_hash) — 0 when the table is empty.
inline uint32_t pickMaglev(const MaglevTable& table, uint32_t flow_hash) {
  if (table.slots.empty()) return 0;
  return table.slots[flow_hash % table.slots.size()];
}

}  // namespace ferry::model
