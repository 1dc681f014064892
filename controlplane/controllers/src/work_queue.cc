#include "ferry/controllers/work_queue.h"

namespace ferry::controlplane {

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mu_);
  addLocked(key);
}

void WorkQueue::addLocked(const std::string& key) {
  if (shutting_down_ || !dirty_.insert(key).second) return;
  // A key in processing is queued by done(), so that one worker at a time holds it.
  if (processing_.count(key) != 0) return;
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::addAfter(const std::string& key, std::chrono::milliseconds delay) {
  if (delay.count() <= 0) {
    add(key);
    return;
  }
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  delayed_.emplace(Clock::now() + delay, key);
  // The earliest deadline may have moved: a waiting get() recomputes it.
  cv_.notify_all();
}

void WorkQueue::promoteDueLocked(Clock::time_point now) {
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    addLocked(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
  }
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (shutting_down_) return std::nullopt;
    promoteDueLocked(Clock::now());
    if (!queue_.empty()) break;
    if (delayed_.empty()) {
      cv_.wait(lock);
    } else {
      cv_.wait_until(lock, delayed_.begin()->first);
    }
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mu_);
  processing_.erase(key);
  if (!shutting_down_ && dirty_.count(key) != 0) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

size_t WorkQueue::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size() + delayed_.size();
}

}  // namespace ferry::controlplane
