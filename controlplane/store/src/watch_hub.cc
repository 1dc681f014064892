#include "watch_hub.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace ferry::controlplane::store {

WatcherState::WatcherState(std::string prefix, Revision after, size_t limit,
                           std::function<void()> on_ready)
    : prefix_(std::move(prefix)),
      after_(after),
      limit_(std::max<size_t>(limit, 1)),
      on_ready_(std::move(on_ready)) {}

void WatcherState::addReplay(const Event& event) {
  std::lock_guard lock(mu_);
  replay_.push_back(event);
}

WatcherState::Delivery WatcherState::deliver(const std::vector<const Event*>& events) {
  std::lock_guard lock(mu_);
  if (ended_) return Delivery::kEnded;
  bool queued = false;
  size_t i = 0;
  while (i < events.size() && events[i]->kv->mod_revision <= after_) ++i;
  while (i < events.size()) {
    const Revision revision = events[i]->kv->mod_revision;
    size_t j = i;
    while (j < events.size() && events[j]->kv->mod_revision == revision) ++j;
    if (queue_.size() + (j - i) > limit_) {
      ended_ = true;
      end_status_ = Status{StatusCode::kOverflow,
                           "watch on \"" + prefix_ + "\" fell " + std::to_string(limit_) +
                               " events behind and was cut off; re-list and watch again"};
      cv_.notify_all();
      return Delivery::kCutOff;
    }
    for (; i < j; ++i) queue_.push_back(*events[i]);
    queued = true;
  }
  if (!queued) return Delivery::kNothing;
  cv_.notify_all();
  return Delivery::kQueued;
}

void WatcherState::end(Status reason) {
  std::lock_guard lock(mu_);
  if (reason.code() == StatusCode::kCancelled) {
    replay_.clear();
    queue_.clear();
  }
  if (ended_) return;
  ended_ = true;
  end_status_ = std::move(reason);
  cv_.notify_all();
}

Status WatcherState::takeLocked(std::vector<Event>& out, size_t max) {
  while (max > 0 && !replay_.empty()) {
    out.push_back(std::move(replay_.front()));
    replay_.pop_front();
    --max;
  }
  while (max > 0 && !queue_.empty()) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
    --max;
  }
  if (ended_ && replay_.empty() && queue_.empty()) return end_status_;
  return {};
}

Status WatcherState::take(std::vector<Event>& out, size_t max) {
  std::lock_guard lock(mu_);
  return takeLocked(out, max);
}

Status WatcherState::waitAndTake(std::vector<Event>& out, size_t max,
                                 std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return ended_ || !replay_.empty() || !queue_.empty(); });
  return takeLocked(out, max);
}

void WatcherState::notifyReady() {
  std::lock_guard lock(callback_mu_);
  if (callbacks_enabled_ && on_ready_) on_ready_();
}

void WatcherState::disableCallbacks() {
  std::lock_guard lock(callback_mu_);
  callbacks_enabled_ = false;
}

WatchHub::WatchHub(Revision published) : published_(published) {}

WatchHub::~WatchHub() {
  if (thread_.joinable()) stop(Status{StatusCode::kUnavailable, "store closed"});
}

void WatchHub::start() {
  thread_ = std::thread([this] { run(); });
}

void WatchHub::stop(const Status& reason) {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<std::shared_ptr<WatcherState>> all;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    for (auto& [prefix, group] : groups_) {
      for (auto& w : group) all.push_back(std::move(w));
    }
    groups_.clear();
    watchers_ = 0;
  }
  for (auto& w : all) {
    w->end(reason);
    w->notifyReady();
  }
}

std::optional<Revision> WatchHub::add(const std::shared_ptr<WatcherState>& watcher) {
  std::lock_guard lock(mu_);
  if (stopped_) return std::nullopt;
  auto it = groups_.find(watcher->prefix());
  if (it == groups_.end()) it = groups_.emplace(watcher->prefix(), decltype(it->second){}).first;
  it->second.push_back(watcher);
  ++watchers_;
  return published_;
}

void WatchHub::remove(const WatcherState* watcher) {
  std::lock_guard lock(mu_);
  auto it = groups_.find(watcher->prefix());
  if (it == groups_.end()) return;
  auto& group = it->second;
  auto pos = std::find_if(group.begin(), group.end(),
                          [watcher](const auto& w) { return w.get() == watcher; });
  if (pos == group.end()) return;
  *pos = std::move(group.back());
  group.pop_back();
  --watchers_;
  if (group.empty()) groups_.erase(it);
}

void WatchHub::enqueue(Revision revision, std::vector<Event> events) {
  {
    std::lock_guard lock(queue_mu_);
    batches_.push_back({revision, std::move(events)});
  }
  queue_cv_.notify_one();
}

uint64_t WatchHub::watcherCount() const {
  std::lock_guard lock(mu_);
  return watchers_;
}

uint64_t WatchHub::cutOffCount() const {
  std::lock_guard lock(mu_);
  return cut_off_;
}

void WatchHub::run() {
  std::deque<Batch> work;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stopping_ || !batches_.empty(); });
      if (batches_.empty()) return;  // stopping, and everything was delivered
      work.swap(batches_);
    }
    for (const auto& batch : work) publish(batch);
    work.clear();
  }
}

void WatchHub::publish(const Batch& batch) {
  std::vector<std::shared_ptr<WatcherState>> ready;
  {
    std::lock_guard lock(mu_);
    std::vector<const Event*> matching;
    for (auto it = groups_.begin(); it != groups_.end();) {
      auto& [prefix, group] = *it;
      matching.clear();
      for (const auto& e : batch.events) {
        if (std::string_view(e.kv->key).starts_with(prefix)) matching.push_back(&e);
      }
      for (size_t i = 0; !matching.empty() && i < group.size();) {
        const auto delivery = group[i]->deliver(matching);
        // The end of a stream is news to its consumer, like an event.
        if (delivery == WatcherState::Delivery::kQueued ||
            delivery == WatcherState::Delivery::kCutOff) {
          ready.push_back(group[i]);
        }
        if (delivery == WatcherState::Delivery::kQueued ||
            delivery == WatcherState::Delivery::kNothing) {
          ++i;
          continue;
        }
        if (delivery == WatcherState::Delivery::kCutOff) ++cut_off_;
        --watchers_;
        group[i] = std::move(group.back());
        group.pop_back();
      }
      it = group.empty() ? groups_.erase(it) : std::next(it);
    }
    published_ = batch.revision;
  }
  // Outside the hub lock: a callback may cancel (and so remove) its watch.
  for (const auto& w : ready) w->notifyReady();
}

namespace {

class HubWatch final : public Watch {
 public:
  HubWatch(std::shared_ptr<WatchHub> hub, std::shared_ptr<WatcherState> state)
      : hub_(std::move(hub)), state_(std::move(state)) {}
  ~HubWatch() override { cancel(); }
  HubWatch(const HubWatch&) = delete;
  HubWatch& operator=(const HubWatch&) = delete;

  Status poll(std::vector<Event>& out, size_t max) override { return state_->take(out, max); }
  Status wait(std::vector<Event>& out, size_t max, std::chrono::milliseconds timeout) override {
    return state_->waitAndTake(out, max, timeout);
  }
  void cancel() override {
    state_->end(Status{StatusCode::kCancelled, "watch cancelled"});
    hub_->remove(state_.get());
    state_->disableCallbacks();
  }

 private:
  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<WatcherState> state_;
};

}  // namespace

std::unique_ptr<Watch> makeWatch(std::shared_ptr<WatchHub> hub,
                                 std::shared_ptr<WatcherState> state) {
  return std::make_unique<HubWatch>(std::move(hub), std::move(state));
}

}  // namespace ferry::controlplane::store
