// Watch fan-out: committed events go to watchers grouped by prefix, each with a bounded queue.
//
// The committer hands each durable batch to enqueue() (a move under a short lock) and returns
// to the log; a dispatcher thread matches the batch once per prefix group and appends the
// shared events (two refcounts each, no value copies) to every watcher in the group. A
// watcher whose queue would exceed its limit is cut off with kOverflow and removed, so no
// consumer, however slow, can hold up writers or other watchers (the k8s watch cache drops
// slow watchers for the same reason).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/store.h"

namespace ferry::controlplane::store {

// One watcher's state, shared by the hub (producer) and the Watch handed to the user.
class WatcherState {
 public:
  WatcherState(std::string prefix, Revision after, size_t limit, std::function<void()> on_ready);

  const std::string& prefix() const { return prefix_; }
  Revision after() const { return after_; }

  // Events before registration, read from the index by the creating thread.
  void addReplay(const Event& event);
  enum class Delivery {
    kNothing,  // no event above `after`
    kQueued,
    kCutOff,  // the queue would overflow: ended with kOverflow now
    kEnded,   // had already ended (cancelled)
  };
  // Queues the events (one batch, revision order) above `after`; a revision goes in whole or
  // not at all, so a watcher that resumes after its last seen revision misses nothing.
  Delivery deliver(const std::vector<const Event*>& events);
  // Ends the stream with `reason` unless it already ended. Cancellation also drops queued
  // events; other reasons let the consumer drain them first.
  void end(Status reason);

  Status take(std::vector<Event>& out, size_t max);
  Status waitAndTake(std::vector<Event>& out, size_t max, std::chrono::milliseconds timeout);

  void notifyReady();
  // After this returns the on_ready callback is not running and will not run again.
  void disableCallbacks();

 private:
  Status takeLocked(std::vector<Event>& out, size_t max);

  const std::string prefix_;
  const Revision after_;
  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> replay_;  // delivered before queue_; not bounded by limit_
  std::deque<Event> queue_;
  bool ended_ = false;
  Status end_status_;
  // Recursive: a callback may cancel its own watch.
  std::recursive_mutex callback_mu_;
  bool callbacks_enabled_ = true;
  std::function<void()> on_ready_;
};

class WatchHub {
 public:
  explicit WatchHub(Revision published);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  void start();
  // Delivers what was enqueued, ends every watcher with `reason` and joins the dispatcher.
  void stop(const Status& reason);

  // Registers a watcher; it receives every batch published after this call. Returns the
  // revision published so far: events up to it must be replayed by the caller. nullopt once
  // stopped.
  std::optional<Revision> add(const std::shared_ptr<WatcherState>& watcher);
  void remove(const WatcherState* watcher);

  // Called by the committer with each durable batch (events of revisions up to `revision`).
  void enqueue(Revision revision, std::vector<Event> events);

  uint64_t watcherCount() const;
  uint64_t cutOffCount() const;

 private:
  struct Batch {
    Revision revision;
    std::vector<Event> events;
  };

  void run();
  void publish(const Batch& batch);

  // Dispatch queue: committer -> dispatcher.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Batch> batches_;
  bool stopping_ = false;
  std::thread thread_;

  mutable std::mutex mu_;  // guards the fields below
  bool stopped_ = false;
  Revision published_;
  std::map<std::string, std::vector<std::shared_ptr<WatcherState>>, std::less<>> groups_;
  uint64_t watchers_ = 0;
  uint64_t cut_off_ = 0;
};

// The user's handle: polls the state, and leaves the hub on cancel or destruction.
std::unique_ptr<Watch> makeWatch(std::shared_ptr<WatchHub> hub,
                                 std::shared_ptr<WatcherState> state);

}  // namespace ferry::controlplane::store
