// A de-duplicating work queue of string keys for one or more workers, with the guarantees of
// client-go's workqueue: a key is queued at most once however often it is added; a key being
// processed is never handed to a second worker, and if it is added meanwhile it is queued again
// when done() is called, so no change is lost and no key is processed concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace ferry::controlplane {

class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;

  void add(const std::string& key);
  // Adds `key` once `delay` has passed (retries with backoff). An earlier plain add() wins.
  void addAfter(const std::string& key, std::chrono::milliseconds delay);
  // Blocks until a key is ready and returns it, or nullopt once shutDown() was called.
  std::optional<std::string> get();
  // Marks `key` processed; call once per key get() returned.
  void done(const std::string& key);
  // Wakes every get() with nullopt; later adds are dropped.
  void shutDown();

  size_t queued() const;

 private:
  void addLocked(const std::string& key);
  void promoteDueLocked(Clock::time_point now);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;       // queued or re-added while processing
  std::set<std::string> processing_;  // handed out, done() not called yet
  std::multimap<Clock::time_point, std::string> delayed_;
  bool shutting_down_ = false;
};

}  // namespace ferry::controlplane
