// Stable small-integer ids for services and backends, with delayed reuse.
//
// Fast paths key their maps by these ids and conntrack entries remember them, so an id must
// not be handed to a different backend while a flow may still point at it: a released id is
// held back for `hold` (the longest conntrack lifetime) before it can be allocated again.
// Id 0 is never handed out: it marks an empty slot (as in Katran).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace ferry::model {

// Monotonic time since an arbitrary epoch, the same clock as bpf_ktime_get_ns().
using MonoTime = std::chrono::nanoseconds;

class IdAllocator {
 public:
  IdAllocator(uint32_t max_id, std::chrono::nanoseconds hold);

  // A free id (1..max_id) whose hold has passed at `now`, or a never-used one; nullopt when
  // every id is in use or still held.
  std::optional<uint32_t> allocate(MonoTime now);
  // Take a specific id (re-adopting state found in pinned maps after a restart). False when it
  // is out of range or already in use.
  bool adopt(uint32_t id);
  // Return an id; it becomes allocatable again at now + hold. Releasing an id that is not in
  // use is ignored (and returns false).
  bool release(uint32_t id, MonoTime now);

  bool inUse(uint32_t id) const { return used_.contains(id); }
  size_t usedCount() const { return used_.size(); }
  size_t heldCount() const { return held_until_.size(); }
  uint32_t maxId() const { return max_id_; }

 private:
  void reclaim(MonoTime now);

  struct Held {
    MonoTime until;
    uint32_t id;
  };

  uint32_t max_id_;
  std::chrono::nanoseconds hold_;
  uint32_t next_fresh_ = 1;
  std::unordered_set<uint32_t> used_;
  std::deque<Held> held_;  // FIFO: release times are monotonic
  // The latest hold per id: an id adopted and released again while an older hold is queued
  // must wait for the newer one.
  std::unordered_map<uint32_t, MonoTime> held_until_;
  std::vector<uint32_t> ready_;  // released and past their hold
};

// Maps keys (a ServiceName, a backend address) to stable ids from one IdAllocator.
template <class Key>
class StableIds {
 public:
  StableIds(uint32_t max_id, std::chrono::nanoseconds hold) : alloc_(max_id, hold) {}

  // The key's id, allocating one on first sight. nullopt when ids are exhausted.
  std::optional<uint32_t> acquire(const Key& key, MonoTime now) {
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    auto id = alloc_.allocate(now);
    if (id) ids_.emplace(key, *id);
    return id;
  }
  std::optional<uint32_t> find(const Key& key) const {
    auto it = ids_.find(key);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool adopt(const Key& key, uint32_t id) {
    if (ids_.contains(key) || !alloc_.adopt(id)) return false;
    ids_.emplace(key, id);
    return true;
  }
  // An id in use by something this object has no key for (state found in pinned maps whose
  // owner is unknown): never handed out until released with releaseReserved().
  bool reserve(uint32_t id) { return alloc_.adopt(id); }
  void releaseReserved(uint32_t id, MonoTime now) { alloc_.release(id, now); }
  bool release(const Key& key, MonoTime now) {
    auto it = ids_.find(key);
    if (it == ids_.end()) return false;
    alloc_.release(it->second, now);
    ids_.erase(it);
    return true;
  }
  // Releases every key `keep` says no to; returns the ids released (a projector deletes what
  // it keyed by them). For the state-based projectors that compute the whole live set.
  template <class Keep>
  std::vector<uint32_t> releaseUnless(const Keep& keep, MonoTime now) {
    std::vector<uint32_t> released;
    for (auto it = ids_.begin(); it != ids_.end();) {
      if (keep(it->first)) {
        ++it;
        continue;
      }
      alloc_.release(it->second, now);
      released.push_back(it->second);
      it = ids_.erase(it);
    }
    return released;
  }
  size_t size() const { return ids_.size(); }
  const IdAllocator& allocator() const { return alloc_; }

 private:
  IdAllocator alloc_;
  std::map<Key, uint32_t> ids_;
};

}  // namespace ferry::model
