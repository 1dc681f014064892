#include "slice_placement.h"

#include <algorithm>
#include <deque>

namespace ferry::controlplane::detail {

Placement placeEndpoints(const std::vector<const ExistingSlice*>& existing,
                         std::map<std::string, SliceEndpoint> desired, size_t max,
                         const std::function<bool(const ExistingSlice&)>& metadata_stale) {
  Placement out;
  std::vector<PlacedSlice> unchanged;

  // 1. Keep what is still desired, in place.
  for (const ExistingSlice* slice : existing) {
    PlacedSlice placed{slice, {}};
    bool endpoint_changed = false;
    for (const SliceEndpoint& have : slice->endpoints) {
      auto it = desired.find(endpointKey(have));
      if (it == desired.end()) {
        continue;  // gone, or a duplicate of one already placed
      }
      endpoint_changed = endpoint_changed || !equalBeyondKey(it->second, have);
      placed.endpoints.push_back(std::move(it->second));
      desired.erase(it);
    }
    if (endpoint_changed || slice->raw_endpoint_count != placed.endpoints.size()) {
      if (placed.endpoints.empty()) {
        out.to_delete.push_back(slice);
      } else {
        out.to_update.push_back(std::move(placed));
      }
    } else if (metadata_stale(*slice)) {
      out.to_update.push_back(std::move(placed));
    } else {
      unchanged.push_back(std::move(placed));
    }
  }

  std::deque<SliceEndpoint> remaining;
  for (auto& [key, endpoint] : desired) {
    remaining.push_back(std::move(endpoint));
  }
  std::sort(remaining.begin(), remaining.end(), endpointLess);
  auto fill = [&](PlacedSlice& slice) {
    while (!remaining.empty() && slice.endpoints.size() < max) {
      slice.endpoints.push_back(std::move(remaining.front()));
      remaining.pop_front();
    }
  };

  // 2. Slices being written anyway take new endpoints first, fullest first.
  if (!remaining.empty() && !out.to_update.empty()) {
    std::vector<PlacedSlice*> order;
    for (PlacedSlice& s : out.to_update) {
      order.push_back(&s);
    }
    std::stable_sort(order.begin(), order.end(), [](const PlacedSlice* a, const PlacedSlice* b) {
      return a->endpoints.size() > b->endpoints.size();
    });
    for (PlacedSlice* s : order) {
      fill(*s);
    }
  }

  // 3. Top up the untouched slice closest to full (getSliceToFill), or create new slices.
  while (!remaining.empty()) {
    auto best = unchanged.end();
    if (remaining.size() < max) {
      size_t closest = max;
      for (auto it = unchanged.begin(); it != unchanged.end(); ++it) {
        size_t after = remaining.size() + it->endpoints.size();
        if (after <= max && max - after < closest) {
          closest = max - after;
          best = it;
          if (closest == 0) {
            break;
          }
        }
      }
    }
    if (best == unchanged.end()) {
      PlacedSlice fresh;
      fill(fresh);
      out.to_create.push_back(std::move(fresh));
    } else {
      PlacedSlice topped = std::move(*best);
      unchanged.erase(best);
      fill(topped);
      out.to_update.push_back(std::move(topped));
    }
  }
  return out;
}

}  // namespace ferry::controlplane::detail
