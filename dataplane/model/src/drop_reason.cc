#include "ferry/model/drop_reason.h"

#include <array>

namespace ferry::model {
namespace {

// Indexed by enum ferry_drop_reason. The static_assert below fails when a reason is added to
// the C header without a name here.
constexpr std::array<std::string_view, FERRY_DROP_REASON_MAX> kNames = {
    "none",           "truncated",    "bad_l3",       "bad_l4",  "fragment",
    "unsupported_l4", "no_backend",   "source_range", "ct_full", "nat_failed",
    "backend_gone",   "ttl_exceeded", "policy_local",
};
static_assert(kNames.back() != std::string_view{}, "every drop reason needs a metric name");

}  // namespace

std::string_view dropReasonName(int reason) {
  if (reason < 0 || reason >= FERRY_DROP_REASON_MAX) return "unknown";
  return kNames[static_cast<size_t>(reason)];
}

}  // namespace ferry::model
