// The in-memory MVCC state: every key's versions since the last compaction, plus the event log
// (the same versions in revision order) that watches replay from.
//
// Not thread-safe: the store guards it with its index lock. It holds writes that are applied
// but not yet durable (revisions above the store's committed revision); readers ask for a
// revision at or below the committed one and so never see them.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/store/store.h"

namespace ferry::controlplane::store {

// The index at one revision, as a snapshot file holds it.
struct IndexImage {
  Revision revision = 0;
  Revision compacted = 0;
  // Per key (in key order) its versions, oldest first; a version 0 entry is a deletion.
  std::vector<std::vector<KeyValuePtr>> histories;
};

class MvccIndex {
 public:
  // The newest version including not-yet-durable ones; null when absent or deleted. For
  // evaluating preconditions, which must see every write ordered before them.
  const KeyValuePtr& latest(std::string_view key) const;
  // The version visible at `revision`; null when absent or deleted then.
  KeyValuePtr at(std::string_view key, Revision revision) const;
  void range(const RangeRequest& request, Revision revision, RangeResponse& out) const;

  // True when applying `ops` would change something (deleting missing keys does not).
  bool changes(const std::vector<TxnOp>& ops) const;
  // Applies `ops` (sorted by key, no key twice) as revision `revision`, which must be above
  // every revision applied before. Appends the resulting events to `events` if given.
  void apply(Revision revision, std::vector<TxnOp>&& ops, std::vector<Event>* events);

  // Drops versions and events only needed for reads below `revision`. Costs O(keys changed
  // since the last compaction), not O(all keys).
  void compact(Revision revision);
  Revision compacted() const { return compacted_; }

  // Events with after < mod_revision <= upto on keys starting with `prefix`.
  void collectEvents(std::string_view prefix, Revision after, Revision upto,
                     const std::function<void(const Event&)>& sink) const;

  // Everything a snapshot at `revision` needs (versions above it are left out).
  IndexImage image(Revision revision) const;
  // Replaces the contents with a snapshot's.
  void load(IndexImage&& image);

  size_t keyCount() const { return keys_.size(); }
  size_t eventCount() const { return events_.size(); }

 private:
  using History = std::vector<KeyValuePtr>;  // oldest first; version 0 = deleted

  std::map<std::string, History, std::less<>> keys_;
  std::deque<Event> events_;  // revision order; within a revision, key order
  Revision compacted_ = 0;
};

}  // namespace ferry::controlplane::store
