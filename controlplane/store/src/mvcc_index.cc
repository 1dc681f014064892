#include "mvcc_index.h"

#include <algorithm>
#include <utility>

namespace ferry::controlplane::store {
namespace {

const KeyValuePtr kNone;

bool isLive(const KeyValuePtr& kv) {
  return kv && kv->version != 0;
}

// The version of `history` visible at `revision`: the newest one not after it.
const KeyValuePtr& visibleAt(const std::vector<KeyValuePtr>& history, Revision revision) {
  // Scanning from the back: reads are nearly always at or near the newest revision.
  auto it = std::find_if(history.rbegin(), history.rend(), [revision](const KeyValuePtr& kv) {
    return kv->mod_revision <= revision;
  });
  return it != history.rend() && isLive(*it) ? *it : kNone;
}

}  // namespace

const KeyValuePtr& MvccIndex::latest(std::string_view key) const {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.empty() || !isLive(it->second.back())) return kNone;
  return it->second.back();
}

KeyValuePtr MvccIndex::at(std::string_view key, Revision revision) const {
  auto it = keys_.find(key);
  if (it == keys_.end()) return nullptr;
  return visibleAt(it->second, revision);
}

void MvccIndex::range(const RangeRequest& request, Revision revision, RangeResponse& out) const {
  const std::string_view prefix = request.prefix;
  const std::string_view start =
      request.from_key.empty() || request.from_key < prefix ? prefix : request.from_key;
  out.revision = revision;
  for (auto it = keys_.lower_bound(start); it != keys_.end(); ++it) {
    if (!std::string_view(it->first).starts_with(prefix)) break;
    const KeyValuePtr& kv = visibleAt(it->second, revision);
    if (!kv) continue;
    if (request.limit != 0 && out.items.size() == request.limit) {
      out.more = true;
      out.next_key = it->first;
      return;
    }
    out.items.push_back(kv);
  }
}

bool MvccIndex::changes(const std::vector<TxnOp>& ops) const {
  return std::any_of(ops.begin(), ops.end(), [this](const TxnOp& op) {
    return op.type == TxnOp::Type::kPut || latest(op.key) != nullptr;
  });
}

void MvccIndex::apply(Revision revision, std::vector<TxnOp>&& ops, std::vector<Event>* events) {
  for (auto& op : ops) {
    auto it = keys_.find(op.key);
    const KeyValuePtr prev = it != keys_.end() && !it->second.empty() && isLive(it->second.back())
                                 ? it->second.back()
                                 : nullptr;
    Event event;
    if (op.type == TxnOp::Type::kPut) {
      auto kv = std::make_shared<KeyValue>();
      kv->key = op.key;
      kv->value = std::move(op.value);
      kv->create_revision = prev ? prev->create_revision : revision;
      kv->mod_revision = revision;
      kv->version = prev ? prev->version + 1 : 1;
      event = {EventType::kPut, std::move(kv), prev};
    } else {
      if (!prev) continue;  // deleting a missing key changes nothing, as in etcd
      auto kv = std::make_shared<KeyValue>();
      kv->key = op.key;
      kv->mod_revision = revision;
      event = {EventType::kDelete, std::move(kv), prev};
    }
    if (it == keys_.end()) it = keys_.emplace(std::move(op.key), History{}).first;
    it->second.push_back(event.kv);
    if (events != nullptr) events->push_back(event);
    events_.push_back(std::move(event));
  }
}

void MvccIndex::compact(Revision revision) {
  // Only keys written since the last compaction can hold more than one version or a
  // tombstone at or below `revision`; the event log names exactly those.
  std::vector<std::string> touched;
  while (!events_.empty() && events_.front().kv->mod_revision <= revision) {
    touched.push_back(events_.front().kv->key);
    events_.pop_front();
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  for (const auto& key : touched) {
    auto it = keys_.find(key);
    if (it == keys_.end()) continue;
    History& h = it->second;
    // Keep the version visible at `revision` (the newest not after it) unless it is a
    // deletion, and everything newer.
    auto firstNewer =
        std::upper_bound(h.begin(), h.end(), revision,
                         [](Revision r, const KeyValuePtr& kv) { return r < kv->mod_revision; });
    auto keepFrom = firstNewer;
    if (keepFrom != h.begin() && isLive(*std::prev(keepFrom))) --keepFrom;
    h.erase(h.begin(), keepFrom);
    if (h.empty()) keys_.erase(it);
  }
  compacted_ = std::max(compacted_, revision);
}

void MvccIndex::collectEvents(std::string_view prefix, Revision after, Revision upto,
                              const std::function<void(const Event&)>& sink) const {
  auto it = std::partition_point(events_.begin(), events_.end(),
                                 [after](const Event& e) { return e.kv->mod_revision <= after; });
  for (; it != events_.end() && it->kv->mod_revision <= upto; ++it) {
    if (std::string_view(it->kv->key).starts_with(prefix)) sink(*it);
  }
}

IndexImage MvccIndex::image(Revision revision) const {
  IndexImage out;
  out.revision = revision;
  out.compacted = compacted_;
  out.histories.reserve(keys_.size());
  for (const auto& [key, history] : keys_) {
    auto end =
        std::upper_bound(history.begin(), history.end(), revision,
                         [](Revision r, const KeyValuePtr& kv) { return r < kv->mod_revision; });
    if (end == history.begin()) continue;
    out.histories.emplace_back(history.begin(), end);
  }
  return out;
}

void MvccIndex::load(IndexImage&& image) {
  keys_.clear();
  events_.clear();
  compacted_ = image.compacted;
  std::vector<Event> events;
  for (auto& history : image.histories) {
    if (history.empty()) continue;
    for (size_t i = 0; i < history.size(); ++i) {
      const KeyValuePtr& kv = history[i];
      if (kv->mod_revision <= compacted_) continue;  // its event was compacted away
      KeyValuePtr prev = i > 0 && isLive(history[i - 1]) ? history[i - 1] : nullptr;
      events.push_back({isLive(kv) ? EventType::kPut : EventType::kDelete, kv, std::move(prev)});
    }
    std::string key = history.front()->key;
    keys_.emplace_hint(keys_.end(), std::move(key), std::move(history));
  }
  // Histories come in key order, so a stable sort by revision restores the live order:
  // revision first, key within a revision.
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.kv->mod_revision < b.kv->mod_revision;
  });
  events_.assign(std::make_move_iterator(events.begin()), std::make_move_iterator(events.end()));
}

}  // namespace ferry::controlplane::store
