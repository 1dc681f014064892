// The local side of mirror mode: the embedded store as a replica of the upstream API server's
// objects. Objects are written as the upstream served them (it already defaulted, validated
// and allocated them), straight into the store, not through admission.
//
// resourceVersions: the store numbers its own revisions, so a mirrored object's
// resourceVersion is the local store's revision of the write that copied it, not the
// upstream's. That is what keeps the feed's contract (every event tagged with the store
// revision, agents resume from it) and makes a mirror restart or relist invisible to agents:
// an object that did not change upstream is not rewritten. Everything else in the object is
// the upstream's, byte for byte as JSON.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/controlplane/object_storage.h"
#include "ferry/store/store.h"

namespace ferry::controlplane {

// One resource mirror mode copies.
struct MirroredKind {
  ResourceInfo info;
  std::string path;            // collection path upstream, "/api/v1/services"
  std::string field_selector;  // sent with list and watch ("" = none)
  // Objects of the kind that are not copied (null = all are); an object that stops matching is
  // removed locally. Applied even when the upstream honours field_selector.
  std::function<bool(const nlohmann::json&)> keep;
};

// The kinds the agents' feed carries: Services, EndpointSlices, Nodes, Ingresses,
// IngressClasses and TLS Secrets.
std::vector<MirroredKind> feedMirroredKinds();

struct MirrorEvent {
  bool deleted = false;
  nlohmann::json object;
};

struct ReplicaWrites {
  size_t puts = 0;
  size_t deletes = 0;
  size_t unchanged = 0;  // already held exactly so: not written
  size_t invalid = 0;    // no name, or a name that cannot be a key: skipped
};

class Replica {
 public:
  explicit Replica(store::Store& store) : store_(store) {}

  // Makes the local copy of `kind` exactly `items` (a relist): writes what differs, deletes
  // what is absent upstream.
  store::Result<ReplicaWrites> replaceAll(const MirroredKind& kind,
                                          const std::vector<nlohmann::json>& items);
  // Applies watch events in order (the last event of a key wins).
  store::Result<ReplicaWrites> apply(const MirroredKind& kind,
                                     const std::vector<MirrorEvent>& events);

 private:
  // Commits `ops` in bounded transactions.
  store::Status commit(std::vector<store::TxnOp>& ops);
  store::Store& store_;
};

}  // namespace ferry::controlplane
