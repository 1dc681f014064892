// What changed between two snapshots, service by service: what a projector applies instead of
// reprogramming everything.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ferry/model/snapshot.h"

namespace ferry::model {

// Which parts of a service changed (bit set).
enum ServiceChangeBits : uint8_t {
  kFrontendsChanged = 1 << 0,  // addresses/ports the service answers on
  kBackendsChanged = 1 << 1,   // the backend set, states, weights
  kPolicyChanged = 1 << 2,     // balancing, affinity, traffic policies, source ranges, ...
};

struct ServiceChange {
  std::shared_ptr<const Service> before;
  std::shared_ptr<const Service> after;
  uint8_t what = 0;  // ServiceChangeBits
};

struct SnapshotDiff {
  uint64_t from_version = 0;
  uint64_t to_version = 0;
  std::vector<std::shared_ptr<const Service>> added;
  std::vector<std::shared_ptr<const Service>> removed;
  std::vector<ServiceChange> changed;

  bool empty() const { return added.empty() && removed.empty() && changed.empty(); }
};

// Differences from `before` (nullptr = the empty snapshot) to `after`. Linear in the number of
// services; services shared by pointer are skipped without comparing fields.
SnapshotDiff diff(const ServiceSnapshot* before, const ServiceSnapshot& after);

}  // namespace ferry::model
