#include "ferry/l7/feed_object_source.h"

#include <nlohmann/json.hpp>

#include "ferry/runtime/log.h"

namespace ferry::l7 {

FeedObjectSource::FeedObjectSource(feed::FeedClientOptions options, std::vector<std::string> kinds)
    : options_(std::move(options)) {
  options_.kinds = std::move(kinds);
}

FeedObjectSource::~FeedObjectSource() {
  stop();
}

api::Result<bool> FeedObjectSource::start(ObjectSink& sink) {
  client_ = std::make_unique<feed::FeedClient>(
      options_, [this, &sink](const feed::FeedState& st, const feed::FeedUpdate& u) {
        onUpdate(sink, st, u);
      });
  client_->start();
  return true;
}

void FeedObjectSource::stop() {
  if (client_) client_->stop();
}

// Runs on the feed client's thread, in order.
void FeedObjectSource::onUpdate(ObjectSink& sink, const feed::FeedState& state,
                                const feed::FeedUpdate& update) {
  auto put = [&](const feed::ObjectKey& key, const feed::StoredObject& stored) {
    auto obj = nlohmann::json::parse(stored.json, nullptr, false);
    if (obj.is_discarded()) return;
    if (auto r = sink.apply(key.kind, obj); r.ok() && *r) {
      applied_.insert(key);
    } else if (!r.ok()) {
      FERRY_LOG(
          kWarn, "object skipped",
          {{"kind", key.kind}, {"namespace", key.ns}, {"name", key.name}, {"error", r.error()}});
    }
  };
  sink.beginBatch();
  if (update.full) {
    // A snapshot replaces everything: drop what it no longer has.
    for (auto it = applied_.begin(); it != applied_.end();) {
      if (state.objects().contains(*it)) {
        ++it;
        continue;
      }
      sink.remove(it->kind, it->ns, it->name);
      it = applied_.erase(it);
    }
    for (const auto& [key, stored] : state.objects()) put(key, stored);
  } else {
    for (const auto& key : update.changed) {
      auto it = state.objects().find(key);
      if (it != state.objects().end()) {
        put(key, it->second);
      } else if (applied_.erase(key)) {
        sink.remove(key.kind, key.ns, key.name);
      }
    }
  }
  sink.endBatch();
  if (update.full && !synced_) {
    synced_ = true;
    sink.markSynced();
    FERRY_LOG(kInfo, "synced from the feed",
              {{"revision", update.revision}, {"objects", state.objects().size()}});
  }
}

}  // namespace ferry::l7
