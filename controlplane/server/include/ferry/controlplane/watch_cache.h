// One watch cache per resource: a single store watch whose events are decoded and serialized
// once, then read by every watcher of that resource from a shared ring.
//
// Why: with a store watch per client, each of N watchers decodes and re-serializes every event
// (N JSON parses and dumps per write) and holds its own queue. Here an event costs one parse and
// one dump whatever N is; a watcher is a cursor into the ring plus a wake-up callback. A watcher
// that falls so far behind that the ring dropped events it has not read is cut off (kOverflow),
// as kube-apiserver's cacher does, so it never holds writers or other watchers back.
//
// A watch that starts before the oldest revision the ring can replay is not served here
// (subscribe() returns null); the API server then falls back to a store watch, which replays
// from the store's history or answers 410 Gone when that is compacted.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/store.h"

namespace ferry::controlplane {

// One store event, decoded and serialized once, shared by every watcher that reads it.
class CachedEvent {
 public:
  // Builds the wire form of `event` (the object as the API shows it; for a delete, the last
  // state with the delete's revision as its resourceVersion).
  explicit CachedEvent(const store::Event& event);

  store::Revision revision() const { return revision_; }
  const std::string& key() const { return key_; }
  bool deleted() const { return deleted_; }
  bool created() const { return !deleted_ && !prev_; }
  // The object's JSON text, as a watch event's "object".
  const std::string& objectJson() const { return object_json_; }

  // Decoded forms for selector filtering, parsed on first use only: most watchers have no
  // selector and never need them. object(): what objectJson() holds; previous(): the object
  // before a put (null json when the put created it).
  const nlohmann::json& object() const;
  const nlohmann::json& previous() const;

  // What one consumer derives from the event (the agents' feed: its encoded change), built by
  // whichever of its readers asks first and shared by all the others, so a form made for
  // 1,000 subscribers is made once. One T per cache: every reader must ask for the same type.
  template <class T, class Make>
  const T& memo(Make&& make) const {
    std::call_once(memo_once_, [&] { memo_ = std::make_shared<const T>(make()); });
    return *static_cast<const T*>(memo_.get());
  }

 private:
  store::Revision revision_ = 0;
  std::string key_;
  bool deleted_ = false;
  std::string object_json_;
  store::KeyValuePtr prev_;
  mutable std::once_flag object_once_, previous_once_;
  mutable nlohmann::json object_, previous_;
  mutable std::once_flag memo_once_;
  mutable std::shared_ptr<const void> memo_;
};
using CachedEventPtr = std::shared_ptr<const CachedEvent>;

// The watch line ({"type":…,"object":…}\n) `event` makes for a watcher with `filter` (null =
// every object), or "" when that watcher does not see it. A put that moves an object out of
// the selector is a DELETED for that watcher, into it an ADDED, as kube-apiserver does.
std::string watchEventLine(const CachedEvent& event,
                           const std::function<bool(const nlohmann::json&)>& filter);

class WatchCache;

// A watcher's view of a WatchCache: a cursor into its ring.
class CachedWatch {
 public:
  ~CachedWatch();  // cancels

  // Moves up to `max` events the watcher has not seen into `out`. Ok while live; kOverflow when
  // the ring dropped events before the watcher read them (re-list), kUnavailable when the cache
  // lost its store watch, kCancelled after cancel(). Consume `out` before looking at the status.
  store::Status poll(std::vector<CachedEventPtr>& out, size_t max);
  void cancel();

 private:
  friend class WatchCache;
  CachedWatch(std::shared_ptr<WatchCache> cache, std::string key_prefix, store::Revision after,
              std::function<void()> on_ready);

  const std::shared_ptr<WatchCache> cache_;  // a watcher keeps its cache alive
  const std::string key_prefix_;
  const store::Revision after_;  // events at or before this revision are not this watcher's
  const std::function<void()> on_ready_;
  // Guarded by the cache's mutex.
  uint64_t cursor_ = 0;  // sequence number of the next event to read
  store::Status end_;    // set when the stream ended
  bool registered_ = true;
};

struct WatchCacheOptions {
  size_t capacity = 4096;  // events kept for replay and for slow readers
  // Batch size and idle wake-up of the intake thread (the latter only bounds shutdown time).
  size_t batch = 512;
  std::chrono::milliseconds idle_wait{250};
  // Keys the cache keeps (null = all): a cache over a wide prefix drops what nobody reads
  // before paying to decode it.
  std::function<bool(const std::string& key)> accept{};
};

// Create with std::make_shared: watchers share ownership of their cache.
class WatchCache : public std::enable_shared_from_this<WatchCache> {
 public:
  // Watches every key under `prefix` from the store's current revision on.
  WatchCache(store::Store& store, std::string prefix, WatchCacheOptions options = {});
  ~WatchCache();
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // A watcher of the keys under `key_prefix` (within the cache's prefix) for events after
  // revision `after`, or null when the ring cannot replay from there. `on_ready` is called,
  // from the cache's thread and without blocking, whenever there is something to poll.
  std::unique_ptr<CachedWatch> subscribe(std::string key_prefix, store::Revision after,
                                         std::function<void()> on_ready);

  // The oldest `after` subscribe() accepts now.
  store::Revision replayableFrom() const;
  size_t watcherCount() const;

 private:
  friend class CachedWatch;
  void run();
  // Appends a batch, trims the ring, cuts off watchers that fell behind, wakes the rest.
  void publish(std::vector<CachedEventPtr> batch);
  // The store watch ended: nobody can trust the ring's continuity any more.
  void resetAll(const store::Status& why, store::Revision restart_at);
  void unregister(CachedWatch* w);

  store::Store& store_;
  const std::string prefix_;
  const WatchCacheOptions options_;

  mutable std::mutex mu_;
  std::deque<CachedEventPtr> ring_;
  uint64_t base_seq_ = 0;  // sequence number of ring_.front()
  // Every event after floor_ is in the ring or still to come; earlier ones may be missing.
  store::Revision floor_ = 0;
  std::list<CachedWatch*> watchers_;
  store::Watch* live_ = nullptr;  // the intake's store watch, cancelled on shutdown
  bool stopping_ = false;
  std::condition_variable stopped_cv_;

  std::thread thread_;
};

}  // namespace ferry::controlplane
