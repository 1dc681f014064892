// Store: the revisioned key-value interface the API layer is written against.
//
// Modelled on etcd v3's KV, Txn and Watch services so that an etcd backend can implement it
// without the API layer noticing:
//   - one global revision, bumped once per successful write (a txn is one write), which the
//     API exposes as metadata.resourceVersion;
//   - every key carries create_revision, mod_revision and version (etcd mvccpb.KeyValue);
//   - conditional writes compare mod_revision (0 = "the key does not exist", as in etcd);
//   - reads may be served at an older revision until it is compacted away;
//   - watches replay from a revision and then stream live events, in revision order.
// Keys are opaque strings ("/registry/services/default/web"), values opaque bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/store/status.h"

namespace ferry::controlplane::store {

using Revision = int64_t;

struct KeyValue {
  std::string key;
  std::string value;
  Revision create_revision = 0;  // the revision of the write that created this key
  Revision mod_revision = 0;     // the revision of the last write to this key
  // 1 on create, +1 per update. 0 marks a deletion (the kv of a kDelete event), as in etcd.
  int64_t version = 0;
};
// Immutable and shared: range results and watch events hand out the store's own copy, so a
// list of thousands of objects or a fan-out to thousands of watchers copies no values.
using KeyValuePtr = std::shared_ptr<const KeyValue>;

// All keys starting with `prefix`, in key order, as of `revision`. Fields carry default
// initializers so designated initializers ({.prefix = "/p/", .limit = 2}) build cleanly under
// -Wmissing-field-initializers.
struct RangeRequest {
  std::string prefix{};
  // Inclusive start key for pagination (k8s "continue"); empty = the start of the prefix.
  std::string from_key{};
  size_t limit = 0;       // 0 = no limit
  Revision revision = 0;  // 0 = the current revision
};

struct RangeResponse {
  std::vector<KeyValuePtr> items;
  Revision revision = 0;  // the store revision the read was served at (the list resourceVersion)
  bool more = false;      // the limit cut the result short
  // When `more`: continue with from_key = next_key and revision = this response's revision,
  // so every page is read at one consistent revision (as the k8s continue token does).
  std::string next_key;
};

struct WriteResponse {
  Revision revision = 0;  // the revision of this write: the object's new resourceVersion
  KeyValuePtr prev;       // the value before the write (update, remove); null after create
};

// A txn precondition: key's mod_revision must equal `mod_revision`; 0 means "must not exist".
struct Compare {
  std::string key;
  Revision mod_revision = 0;
};

struct TxnOp {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  std::string key;
  std::string value;  // kPut only

  static TxnOp put(std::string key, std::string value) {
    return {Type::kPut, std::move(key), std::move(value)};
  }
  static TxnOp del(std::string key) { return {Type::kDelete, std::move(key), {}}; }
};

// All compares hold -> all ops apply atomically at one new revision; otherwise nothing
// happens and the txn fails with kConflict naming the first failed compare. A key may appear
// in at most one op. Deleting a missing key is a no-op (as in etcd); a txn whose ops change
// nothing does not bump the revision.
struct TxnRequest {
  std::vector<Compare> compares;
  std::vector<TxnOp> ops;
};

struct TxnResponse {
  Revision revision = 0;  // the txn's revision (the current revision when it changed nothing)
};

enum class EventType { kPut, kDelete };

struct Event {
  EventType type = EventType::kPut;
  // kPut: the new value (create_revision == mod_revision means the key was created).
  // kDelete: key and mod_revision (the delete's revision) only, version 0.
  KeyValuePtr kv;
  KeyValuePtr prev;  // the value before this event; null when the key did not exist
};

struct WatchOptions {
  // Events a watcher may have queued before it is cut off with kOverflow. 0 = store default.
  size_t queue_limit = 0;
  // Called, from a store thread, whenever events were queued or the stream ended. Must not
  // block (post to an executor, then poll there). Never called again once cancel() returned.
  std::function<void()> on_ready{};
};

// One watch stream. Events arrive in revision order (within a revision, in key order).
class Watch {
 public:
  virtual ~Watch() = default;  // cancels

  // Moves up to `max` queued events into `out` without blocking. Ok while the stream is live;
  // once it has ended and this call drained what was left, the reason it ended: kOverflow
  // (too slow: re-list), kCompacted, kUnavailable (store closed or failed), kCancelled.
  // Callers always consume `out` first, then look at the status.
  virtual Status poll(std::vector<Event>& out, size_t max) = 0;
  // Like poll(), but first waits up to `timeout` for an event or the end of the stream.
  virtual Status wait(std::vector<Event>& out, size_t max, std::chrono::milliseconds timeout) = 0;
  // Ends the stream; safe to call more than once and from any thread.
  virtual void cancel() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // The latest value, or kNotFound. `revision` (0 = current) reads an older one.
  virtual Result<KeyValue> get(std::string_view key, Revision revision = 0) = 0;
  virtual Result<RangeResponse> range(const RangeRequest& request) = 0;

  // kAlreadyExists if the key exists.
  virtual Result<WriteResponse> create(std::string_view key, std::string value) = 0;
  // kNotFound if the key does not exist; kConflict if expected_mod_revision != 0 and differs.
  virtual Result<WriteResponse> update(std::string_view key, std::string value,
                                       Revision expected_mod_revision) = 0;
  // As update(); the response's prev is the deleted value.
  virtual Result<WriteResponse> remove(std::string_view key, Revision expected_mod_revision) = 0;
  virtual Result<TxnResponse> txn(const TxnRequest& request) = 0;

  // Events for keys starting with `prefix` with mod_revision > `after` (nullopt = the current
  // revision: live events only). kCompacted when `after` is older than the compaction point.
  virtual Result<std::unique_ptr<Watch>> watch(std::string_view prefix,
                                               std::optional<Revision> after,
                                               WatchOptions options = {}) = 0;

  // Forgets history before `revision`: reads below it and watches from before it fail with
  // kCompacted. The state at `revision` itself stays readable.
  virtual Status compact(Revision revision) = 0;

  // The revision of the last acknowledged write (0 for an empty store).
  virtual Revision currentRevision() const = 0;
  virtual Revision compactedRevision() const = 0;
};

}  // namespace ferry::controlplane::store
