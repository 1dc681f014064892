#include "cache_watcher.h"

#include <algorithm>
#include <map>
#include <optional>

#include "ferry/controllers/service_keys.h"
#include "ferry/runtime/log.h"

namespace ferry::controlplane::detail {
namespace {

using nlohmann::json;

// Events taken from a watch per poll: bounds the time the cache lock is held in one go.
constexpr size_t kPollBatch = 512;
// How long the watcher sleeps without events before looking at stop() again. stop() also
// wakes it, so this only bounds a missed wake-up.
constexpr std::chrono::milliseconds kIdleWait{1000};

std::optional<json> decode(const store::KeyValuePtr& kv) {
  if (!kv) return std::nullopt;
  json obj = ObjectStorage::fromKv(*kv);
  if (!obj.is_object() || obj.empty()) return std::nullopt;
  return obj;
}

}  // namespace

CacheWatcher::CacheWatcher(store::Store& store, ControllerCache& cache, OnKeys on_keys,
                           std::chrono::milliseconds relist_backoff, runtime::Counter& relists)
    : store_(store),
      cache_(cache),
      on_keys_(std::move(on_keys)),
      relist_backoff_(relist_backoff),
      relists_(relists) {
  for (Kind kind : kWatchedKinds) kinds_.push_back({kind, resourceFor(kind), nullptr});
}

CacheWatcher::~CacheWatcher() {
  stop();
  kinds_.clear();  // cancels what run() did not
}

void CacheWatcher::stop() {
  std::lock_guard lock(wake_mu_);
  stopping_ = true;
  wake_cv_.notify_all();
}

void CacheWatcher::waitForWork(std::chrono::milliseconds timeout) {
  std::unique_lock lock(wake_mu_);
  wake_cv_.wait_for(lock, timeout, [&] { return wake_ || stopping_; });
}

void CacheWatcher::run() {
  std::vector<std::string> keys;
  std::vector<store::Event> events;
  bool synced = false;
  for (;;) {
    {
      std::lock_guard lock(wake_mu_);
      if (stopping_) break;
      // Cleared before polling: a callback after the polls below sets it again, so the wait
      // at the end of this round cannot miss it.
      wake_ = false;
    }
    bool busy = false;
    bool store_refused = false;
    for (KindWatch& kw : kinds_) {
      if (!kw.watch) {
        if (!relist(kw, keys)) {
          store_refused = true;
          continue;
        }
        busy = true;
      }
      events.clear();
      store::Status st = kw.watch->poll(events, kPollBatch);
      if (!events.empty()) {
        handleEvents(kw, events, keys);
        busy = true;
      }
      if (!st.ok()) {
        // kCompacted / kOverflow: history we need is gone; the next round lists again.
        FERRY_LOG(kInfo, "controller watch ended; re-listing",
                  {{"resource", kw.info.plural}, {"reason", st.toString()}});
        kw.watch.reset();
        busy = true;
      }
    }
    // Nothing is reported until every kind was listed once (client-go's WaitForCacheSync): a
    // Service reconciled against a cache without its pods yet would have its endpoints
    // emptied, on every restart.
    synced = synced || std::all_of(kinds_.begin(), kinds_.end(),
                                   [](const KindWatch& kw) { return kw.watch != nullptr; });
    if (synced && !keys.empty()) {
      on_keys_(keys);
      keys.clear();
    }
    if (store_refused) {
      waitForWork(relist_backoff_);
    } else if (!busy) {
      waitForWork(kIdleWait);
    }
  }
  for (KindWatch& kw : kinds_) kw.watch.reset();
}

bool CacheWatcher::relist(KindWatch& kw, std::vector<std::string>& keys) {
  auto listed = store_.range({.prefix = kw.info.prefix()});
  if (!listed.ok()) {
    FERRY_LOG(kWarn, "controller list failed",
              {{"resource", kw.info.plural}, {"error", listed.status().toString()}});
    return false;
  }
  store::WatchOptions options;
  options.on_ready = [this] {
    std::lock_guard lock(wake_mu_);
    wake_ = true;
    wake_cv_.notify_all();
  };
  auto watch = store_.watch(kw.info.prefix(), listed->revision, options);
  if (!watch.ok()) {
    // Compacted between the list and the watch: the next attempt lists again.
    FERRY_LOG(kWarn, "controller watch failed",
              {{"resource", kw.info.plural}, {"error", watch.status().toString()}});
    return false;
  }
  relists_.inc();
  std::map<std::string, json> objects;
  const size_t prefix_len = kw.info.prefix().size();
  for (const auto& kv : listed->items) {
    if (auto obj = decode(kv)) objects.emplace(kv->key.substr(prefix_len), std::move(*obj));
  }
  {
    std::lock_guard lock(cache_.mu);
    ObjectCache& cache = cache_.of(kw.kind);
    // The difference to what was cached, as events, so nothing that changed while the watch
    // was down goes unreconciled.
    std::map<std::string, json> before;
    cache.forEach("", [&](const std::string& key, const json& obj) { before.emplace(key, obj); });
    for (const auto& [key, obj] : objects) {
      auto old = before.find(key);
      if (old == before.end()) {
        keysForChange(kw.kind, key, nullptr, &obj, keys);
      } else if (old->second != obj) {
        keysForChange(kw.kind, key, &old->second, &obj, keys);
      }
    }
    for (const auto& [key, obj] : before) {
      if (objects.count(key) == 0) keysForChange(kw.kind, key, &obj, nullptr, keys);
    }
    cache.replace(std::move(objects), listed->revision);
  }
  kw.watch = std::move(*watch);
  return true;
}

void CacheWatcher::handleEvents(KindWatch& kw, const std::vector<store::Event>& events,
                                std::vector<std::string>& keys) {
  const size_t prefix_len = kw.info.prefix().size();
  std::lock_guard lock(cache_.mu);
  ObjectCache& cache = cache_.of(kw.kind);
  for (const store::Event& e : events) {
    if (!e.kv || e.kv->key.size() <= prefix_len) continue;
    const std::string key = e.kv->key.substr(prefix_len);
    std::optional<json> old_obj = decode(e.prev);
    if (e.type == store::EventType::kDelete) {
      // Our own delete was written through already; its Service needs no second look.
      if (!cache.erase(key, e.kv->mod_revision)) continue;
      if (old_obj) keysForChange(kw.kind, key, &*old_obj, nullptr, keys);
      continue;
    }
    std::optional<json> new_obj = decode(e.kv);
    if (!new_obj) continue;
    // Not stored: this is our own write, already in the cache and already reconciled.
    if (!cache.put(key, *new_obj, e.kv->mod_revision)) continue;
    keysForChange(kw.kind, key, old_obj ? &*old_obj : nullptr, &*new_obj, keys);
  }
}

void CacheWatcher::keysForChange(Kind kind, const std::string& key, const json* old_obj,
                                 const json* new_obj, std::vector<std::string>& keys) {
  const json* any = new_obj != nullptr ? new_obj : old_obj;
  if (any == nullptr) return;
  switch (kind) {
    case Kind::kService:
      if (new_obj == nullptr) {
        cache_.deleted_services.insert(key);
      } else {
        cache_.deleted_services.erase(key);
      }
      keys.push_back(key);
      return;
    case Kind::kPod: {
      const std::string ns = key.substr(0, key.find('/'));
      std::vector<const json*> services;
      cache_.of(Kind::kService).forEach(ns + "/", [&](const std::string&, const json& svc) {
        services.push_back(&svc);
      });
      for (auto& k : serviceKeysForPodChange(old_obj, new_obj, services)) keys.push_back(k);
      return;
    }
    case Kind::kEndpoints:
      if (auto k = serviceKeyForEndpoints(*any)) keys.push_back(*k);
      return;
    case Kind::kEndpointSlice:
      // Both: a relabelled slice concerns the Service it left and the one it joined.
      for (const json* obj : {old_obj, new_obj}) {
        if (obj == nullptr) continue;
        if (auto k = serviceKeyForEndpointSlice(*obj)) keys.push_back(*k);
      }
      return;
    case Kind::kNode:
      // Rare (a node joins, leaves or moves zone), so every Service is looked at again rather
      // than indexing pods by node.
      if (!nodeChangeAffectsEndpoints(old_obj, new_obj)) return;
      cache_.of(Kind::kService).forEach("", [&](const std::string& k, const json&) {
        keys.push_back(k);
      });
      return;
  }
}

}  // namespace ferry::controlplane::detail
