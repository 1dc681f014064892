// A subscriber's copy of the feed: the objects it was sent, by kind/namespace/name, and the
// revision they are current to. Applying a FeedEvent is the one place that interprets the
// protocol's snapshot and delta rules, for every consumer (agent, DNS, ingress, tests).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/feed/v1/feed.pb.h"

namespace ferry::feed {

// The kinds the feed carries, in the order a snapshot lists them.
inline constexpr const char* kFeedKinds[] = {"Service", "EndpointSlice", "Node",
                                             "Ingress", "IngressClass",  "Secret"};

struct ObjectKey {
  std::string kind;
  std::string ns;  // empty for cluster-scoped kinds
  std::string name;
  auto operator<=>(const ObjectKey&) const = default;
};

struct StoredObject {
  int64_t revision = 0;
  std::string json;  // as the REST API serves it
  bool operator==(const StoredObject&) const = default;
};

using ObjectMap = std::map<ObjectKey, StoredObject>;

// What applying one event changed.
struct FeedUpdate {
  bool full = false;               // a snapshot replaced everything (`changed` is then empty)
  int64_t revision = 0;            // the state's revision afterwards
  std::vector<ObjectKey> changed;  // created, updated or deleted keys (deltas)
};

class FeedState {
 public:
  // Applies `event`. Returns the update, or nullopt while a snapshot is still arriving in parts.
  std::optional<FeedUpdate> apply(const v1::FeedEvent& event);

  const ObjectMap& objects() const { return objects_; }
  int64_t revision() const { return revision_; }
  // True once a full snapshot has been applied: before that the state means nothing.
  bool synced() const { return synced_; }

 private:
  ObjectMap objects_;
  ObjectMap pending_;  // snapshot parts received so far
  bool receiving_snapshot_ = false;
  int64_t revision_ = 0;
  bool synced_ = false;
};

ObjectKey keyOf(const v1::Object& object);

}  // namespace ferry::feed
