#include "ferry/model/snapshot_diff.h"

namespace ferry::model {
namespace {

uint8_t changeBits(const Service& a, const Service& b) {
  uint8_t bits = 0;
  if (a.frontends != b.frontends || a.protocol != b.protocol) bits |= kFrontendsChanged;
  if (a.backends != b.backends) bits |= kBackendsChanged;
  if (a.balancing != b.balancing || a.affinity_timeout_s != b.affinity_timeout_s ||
      a.external_policy != b.external_policy || a.internal_policy != b.internal_policy ||
      a.source_ranges != b.source_ranges || a.health_check_node_port != b.health_check_node_port ||
      a.maglev_size != b.maglev_size)
    bits |= kPolicyChanged;
  // A field added to Service but not classified above still counts as a change.
  if (bits == 0 && !(a == b)) bits |= kPolicyChanged;
  return bits;
}

}  // namespace

SnapshotDiff diff(const ServiceSnapshot* before, const ServiceSnapshot& after) {
  SnapshotDiff out;
  out.to_version = after.version();
  auto rhs = after.services();
  if (!before) {
    out.added.assign(rhs.begin(), rhs.end());
    return out;
  }
  out.from_version = before->version();
  auto lhs = before->services();

  // Both sides are sorted by name: one merge walk.
  size_t i = 0, j = 0;
  while (i < lhs.size() || j < rhs.size()) {
    // Shared object: same name, unchanged. The common case, and no string comparison.
    if (i < lhs.size() && j < rhs.size() && lhs[i] == rhs[j]) {
      ++i;
      ++j;
      continue;
    }
    if (j == rhs.size() || (i < lhs.size() && lhs[i]->name < rhs[j]->name)) {
      out.removed.push_back(lhs[i++]);
    } else if (i == lhs.size() || rhs[j]->name < lhs[i]->name) {
      out.added.push_back(rhs[j++]);
    } else {
      if (lhs[i] != rhs[j]) {
        uint8_t bits = changeBits(*lhs[i], *rhs[j]);
        if (bits) out.changed.push_back({lhs[i], rhs[j], bits});
      }
      ++i;
      ++j;
    }
  }
  return out;
}

}  // namespace ferry::model
