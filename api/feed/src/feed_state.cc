#include "ferry/feed/feed_state.h"

namespace ferry::feed {

ObjectKey keyOf(const v1::Object& object) {
  return {object.kind(), object.namespace_(), object.name()};
}

std::optional<FeedUpdate> FeedState::apply(const v1::FeedEvent& event) {
  if (event.has_snapshot()) {
    if (!receiving_snapshot_) pending_.clear();
    receiving_snapshot_ = true;
    for (const auto& o : event.snapshot().objects()) pending_[keyOf(o)] = {o.revision(), o.json()};
    if (!event.snapshot().last()) return std::nullopt;
    objects_.swap(pending_);
    pending_.clear();
    receiving_snapshot_ = false;
    revision_ = event.revision();
    synced_ = true;
    return FeedUpdate{true, revision_, {}};
  }
  FeedUpdate update;
  for (const auto& c : event.delta().changes()) {
    ObjectKey key = keyOf(c.object());
    auto it = objects_.find(key);
    if (it != objects_.end() && it->second.revision > c.object().revision())
      continue;  // stale repeat
    if (c.deleted()) {
      if (it != objects_.end()) objects_.erase(it);
    } else {
      objects_[key] = {c.object().revision(), c.object().json()};
    }
    update.changed.push_back(std::move(key));
  }
  // A resend may repeat events already applied (the server resumes conservatively); applying
  // them again is harmless, and the revision never goes backwards.
  revision_ = std::max(revision_, event.revision());
  update.revision = revision_;
  return update;
}

}  // namespace ferry::feed
