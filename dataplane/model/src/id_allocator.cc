#include "ferry/model/id_allocator.h"

namespace ferry::model {

IdAllocator::IdAllocator(uint32_t max_id, std::chrono::nanoseconds hold)
    : max_id_(max_id), hold_(hold) {}

void IdAllocator::reclaim(MonoTime now) {
  while (!held_.empty() && held_.front().until <= now) {
    Held h = held_.front();
    held_.pop_front();
    auto it = held_until_.find(h.id);
    if (it == held_until_.end() || it->second != h.until) continue;  // superseded
    held_until_.erase(it);
    if (!used_.contains(h.id)) ready_.push_back(h.id);
  }
}

std::optional<uint32_t> IdAllocator::allocate(MonoTime now) {
  reclaim(now);
  while (!ready_.empty()) {
    uint32_t id = ready_.back();
    ready_.pop_back();
    // adopt() may have taken a released id in the meantime, and released it again.
    if (held_until_.contains(id)) continue;
    if (used_.insert(id).second) return id;
  }
  while (next_fresh_ <= max_id_ && next_fresh_ != 0) {
    uint32_t id = next_fresh_++;
    if (used_.insert(id).second) return id;
  }
  return std::nullopt;
}

bool IdAllocator::adopt(uint32_t id) {
  if (id == 0 || id > max_id_) return false;
  if (!used_.insert(id).second) return false;
  held_until_.erase(id);  // its queued hold, if any, is now stale
  return true;
}

bool IdAllocator::release(uint32_t id, MonoTime now) {
  if (used_.erase(id) == 0) return false;
  held_.push_back({now + hold_, id});
  held_until_[id] = now + hold_;
  return true;
}

}  // namespace ferry::model
