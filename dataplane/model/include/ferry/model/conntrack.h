// The reference conntrack table: the same key/entry layout and the same policy functions
// (ferry/abi/ct.h) as the fast paths, over a plain hash map with least-recently-used eviction
// when full (what a BPF LRU map approximates).
#pragma once

#include <cstdint>
#include <cstring>
#include <functional>
#include <list>
#include <optional>
#include <unordered_map>

#include "ferry/abi/ct.h"
#include "ferry/model/id_allocator.h"

namespace ferry::model {

struct CtKeyHash {
  size_t operator()(const ferry_ct_key& k) const;
};
struct CtKeyEqual {
  bool operator()(const ferry_ct_key& a, const ferry_ct_key& b) const {
    return std::memcmp(&a, &b, sizeof a) == 0;
  }
};

ferry_ct_key makeCtKey(const ferry_tuple& tuple, ferry_ct_dir dir);

class ConntrackTable {
 public:
  explicit ConntrackTable(size_t capacity, ferry_ct_timeouts timeouts = FERRY_CT_TIMEOUTS_DEFAULT);

  // Live entry for `key` at `now`, or nullptr (expired entries count as absent).
  ferry_ct_entry* lookup(const ferry_ct_key& key, MonoTime now);

  // Creates the entry for a flow's first packet: state from ferry_ct_initial_state(), deadline
  // from its lifetime. Evicts the least recently used entry when full (counted in evictions()).
  ferry_ct_entry& create(const ferry_ct_key& key, uint8_t proto, uint8_t tcp_flags, MonoTime now,
                         uint32_t svc_id, uint32_t backend_id, uint16_t rev_nat_id);

  // Advances an entry for one packet (ferry_ct_advance) and refreshes its deadline. Returns
  // what ferry_ct_advance returns (1: a closed TCP tuple reopened with a new SYN).
  int touch(ferry_ct_entry& entry, uint8_t proto, uint8_t tcp_flags, ferry_ct_dir dir,
            uint32_t bytes, MonoTime now);

  bool erase(const ferry_ct_key& key);
  // Removes entries whose predicate holds (e.g. UDP flows to a removed backend).
  size_t eraseIf(const std::function<bool(const ferry_ct_key&, const ferry_ct_entry&)>& pred);
  // Drops expired entries; returns how many.
  size_t expire(MonoTime now);

  size_t size() const { return map_.size(); }
  size_t capacity() const { return capacity_; }
  uint64_t evictions() const { return evictions_; }
  const ferry_ct_timeouts& timeouts() const { return timeouts_; }

 private:
  struct Slot {
    ferry_ct_entry entry;
    std::list<ferry_ct_key>::iterator lru;
  };
  void bump(Slot& slot);

  size_t capacity_;
  ferry_ct_timeouts timeouts_;
  std::unordered_map<ferry_ct_key, Slot, CtKeyHash, CtKeyEqual> map_;
  std::list<ferry_ct_key> lru_;  // front = most recently used
  uint64_t evictions_ = 0;
};

}  // namespace ferry::model
