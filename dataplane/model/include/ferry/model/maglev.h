// Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network
// Load Balancer", NSDI 2016, §3.4), with weights.
//
// The table is built on the control side (the agent) and copied into each fast path; lookup
// is table[flow_hash % size]. Every node builds the same table from the same backends,
// because the permutations depend only on each backend's identity (its address and port),
// never on node-local ids. Rebuilding returns the slots that changed so a fast path updates
// only those.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ferry/model/address.h"

namespace ferry::model {

// Prime table sizes (M). The default keeps imbalance under 1 % up to ~160 backends
// (M > 100·N, NSDI'16 §5.3); larger services should pick a larger prime.
inline constexpr uint32_t kMaglevDefaultSize = 16381;
inline constexpr uint32_t kMaglevSizes[] = {251,   509,   1021,  2039,   4093,  8191,
                                            16381, 32749, 65521, 131071, 262139};

bool isPrime(uint32_t n);

// A backend as Maglev sees it: a node-independent identity to derive its permutation, its
// weight (relative share of slots; 0 = none) and the value stored in its slots (usually the
// backend's id in the fast path's maps).
struct MaglevBackend {
  uint64_t identity;
  uint32_t weight;
  uint32_t value;
};

// The identity of a backend: a hash of its address and port, stable across nodes and versions.
uint64_t maglevIdentity(const IpAddress& address, uint16_t port);

struct MaglevTable {
  std::vector<uint32_t> slots;  // size M; value of the owning backend, or 0 when empty
};

struct MaglevBuild {
  MaglevTable table;
  std::vector<uint32_t> changed;  // slot indexes whose value differs from `previous`
};

// Builds a table of `size` slots; throws std::invalid_argument unless `size` is prime. With no
// backend of positive weight, every slot is 0. When `previous` is given and has the same size,
// `changed` lists the slots that differ from it; otherwise every slot counts as changed.
MaglevBuild buildMaglev(std::span<const MaglevBackend> backends, uint32_t size,
                        const MaglevTable* previous = nullptr);

}  // namespace ferry::model
