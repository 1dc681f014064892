#include "ferry/controlplane/watch_cache.h"

#include <algorithm>

#include "ferry/controlplane/object_storage.h"

namespace ferry::controlplane {

using nlohmann::json;

namespace {

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

CachedEvent::CachedEvent(const store::Event& event)
    : revision_(event.kv->mod_revision),
      key_(event.kv->key),
      deleted_(event.type == store::EventType::kDelete),
      prev_(event.prev) {
  if (deleted_) {
    // A delete event carries only the key; watchers see the last state at the delete's revision.
    if (prev_) object_json_ = ObjectStorage::wireJson(*prev_, revision_);
  } else {
    object_json_ = ObjectStorage::wireJson(*event.kv, revision_);
  }
}

const json& CachedEvent::object() const {
  std::call_once(object_once_, [this] {
    object_ = object_json_.empty() ? json::object() : json::parse(object_json_, nullptr, false);
  });
  return object_;
}

const json& CachedEvent::previous() const {
  std::call_once(previous_once_, [this] {
    if (prev_ && !deleted_) previous_ = ObjectStorage::fromKv(*prev_);
  });
  return previous_;
}

std::string watchEventLine(const CachedEvent& event,
                           const std::function<bool(const json&)>& filter) {
  const char* type = nullptr;
  if (event.deleted()) {
    if (event.objectJson().empty()) return {};
    if (filter && !filter(event.object())) return {};
    type = "DELETED";
  } else if (!filter) {
    type = event.created() ? "ADDED" : "MODIFIED";
  } else {
    const bool now_matches = filter(event.object());
    const bool was_matching = !event.created() && filter(event.previous());
    if (now_matches && !was_matching) {
      type = "ADDED";
    } else if (now_matches) {
      type = "MODIFIED";
    } else if (was_matching) {
      type = "DELETED";  // left the selector
    } else {
      return {};
    }
  }
  std::string line;
  line.reserve(event.objectJson().size() + 32);
  line += R"({"type":")";
  line += type;
  line += R"(","object":)";
  line += event.objectJson();
  line += "}\n";
  return line;
}

// --- CachedWatch ---

CachedWatch::CachedWatch(std::shared_ptr<WatchCache> cache, std::string key_prefix,
                         store::Revision after, std::function<void()> on_ready)
    : cache_(std::move(cache)),
      key_prefix_(std::move(key_prefix)),
      after_(after),
      on_ready_(std::move(on_ready)) {}

CachedWatch::~CachedWatch() {
  cancel();
}

void CachedWatch::cancel() {
  cache_->unregister(this);
}

store::Status CachedWatch::poll(std::vector<CachedEventPtr>& out, size_t max) {
  std::lock_guard lock(cache_->mu_);
  if (!end_.ok()) return end_;
  if (cursor_ < cache_->base_seq_) {
    end_ = {store::StatusCode::kOverflow,
            "the watch cache dropped events this watcher had not read"};
    return end_;
  }
  const auto& ring = cache_->ring_;
  for (size_t i = cursor_ - cache_->base_seq_; i < ring.size() && out.size() < max; ++i) {
    ++cursor_;
    const auto& e = ring[i];
    if (e->revision() > after_ && startsWith(e->key(), key_prefix_)) out.push_back(e);
  }
  return {};
}

// --- WatchCache ---

WatchCache::WatchCache(store::Store& store, std::string prefix, WatchCacheOptions options)
    : store_(store),
      prefix_(std::move(prefix)),
      options_(options),
      floor_(store.currentRevision()) {
  thread_ = std::thread([this] { run(); });
}

WatchCache::~WatchCache() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (live_) live_->cancel();  // watchers own the cache, so none is left by now
  }
  stopped_cv_.notify_all();
  thread_.join();
}

std::unique_ptr<CachedWatch> WatchCache::subscribe(std::string key_prefix, store::Revision after,
                                                   std::function<void()> on_ready) {
  std::lock_guard lock(mu_);
  if (stopping_ || after < floor_) return nullptr;
  auto first = std::upper_bound(
      ring_.begin(), ring_.end(), after,
      [](store::Revision rv, const CachedEventPtr& e) { return rv < e->revision(); });
  std::unique_ptr<CachedWatch> w(
      new CachedWatch(shared_from_this(), std::move(key_prefix), after, std::move(on_ready)));
  w->cursor_ = base_seq_ + static_cast<uint64_t>(first - ring_.begin());
  watchers_.push_back(w.get());
  return w;
}

store::Revision WatchCache::replayableFrom() const {
  std::lock_guard lock(mu_);
  return floor_;
}

size_t WatchCache::watcherCount() const {
  std::lock_guard lock(mu_);
  return watchers_.size();
}

void WatchCache::unregister(CachedWatch* w) {
  std::lock_guard lock(mu_);
  if (!w->registered_) return;
  w->registered_ = false;
  if (w->end_.ok()) w->end_ = {store::StatusCode::kCancelled, "watch cancelled"};
  watchers_.remove(w);
}

void WatchCache::run() {
  store::Revision last = floor_;
  std::vector<store::Event> events;
  for (;;) {
    store::WatchOptions wopts;
    // The intake must keep up with the store, not with watchers: a generous queue, and when it
    // does overflow the watch is reopened from the last revision taken, losing nothing.
    wopts.queue_limit = options_.capacity * 4;
    auto opened = store_.watch(prefix_, last, wopts);
    std::unique_ptr<store::Watch> watch;
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      if (!opened.ok()) {
        // History gone (compacted) or store unavailable: continuity is lost, so every watcher
        // re-lists, and the cache restarts from the current revision.
        last = store_.currentRevision();
        resetAll(opened.status(), last);
      } else {
        watch = std::move(*opened);
        live_ = watch.get();
      }
    }
    if (!watch) {
      std::unique_lock lock(mu_);
      stopped_cv_.wait_for(lock, options_.idle_wait, [this] { return stopping_; });
      if (stopping_) return;
      continue;
    }
    for (;;) {
      events.clear();
      store::Status st = watch->wait(events, options_.batch, options_.idle_wait);
      if (!events.empty()) {
        std::vector<CachedEventPtr> batch;
        batch.reserve(events.size());
        for (const auto& e : events)
          if (!options_.accept || options_.accept(e.kv->key)) batch.push_back(std::make_shared<const CachedEvent>(e));
        last = events.back().kv->mod_revision;
        if (!batch.empty()) publish(std::move(batch));
      }
      if (!st.ok()) break;
    }
    std::lock_guard lock(mu_);
    live_ = nullptr;
    if (stopping_) return;
  }
}

void WatchCache::publish(std::vector<CachedEventPtr> batch) {
  std::lock_guard lock(mu_);
  for (auto& e : batch) ring_.push_back(e);
  while (ring_.size() > options_.capacity) {
    floor_ = ring_.front()->revision();
    ring_.pop_front();
    ++base_seq_;
  }
  for (CachedWatch* w : watchers_) {
    if (!w->end_.ok()) continue;
    bool wake = w->cursor_ < base_seq_;  // fell behind: wake it so it learns it was cut off
    for (size_t i = 0; !wake && i < batch.size(); ++i)
      wake = batch[i]->revision() > w->after_ && startsWith(batch[i]->key(), w->key_prefix_);
    // Callbacks only post to the watcher's executor; calling them under the lock keeps a
    // watcher from being destroyed while its callback runs.
    if (wake && w->on_ready_) w->on_ready_();
  }
}

void WatchCache::resetAll(const store::Status& why, store::Revision restart_at) {
  ring_.clear();
  base_seq_ = 0;
  floor_ = restart_at;
  for (CachedWatch* w : watchers_) {
    w->registered_ = false;
    if (w->end_.ok())
      w->end_ = {why.code() == store::StatusCode::kCompacted ? store::StatusCode::kCompacted
                                                             : store::StatusCode::kUnavailable,
                 "watch cache lost its store watch: " + why.toString()};
    if (w->on_ready_) w->on_ready_();
  }
  watchers_.clear();
}

}  // namespace ferry::controlplane
