#include "ferry/controllers/object_cache.h"

namespace ferry::controlplane {

bool ObjectCache::put(const std::string& key, nlohmann::json obj, int64_t revision) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.revision >= revision) return false;
  entries_[key] = Entry{std::move(obj), revision};
  return true;
}

bool ObjectCache::erase(const std::string& key, int64_t revision) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.revision > revision) return true;
  const bool ours = it->second.object.is_null() && it->second.revision == revision;
  entries_.erase(it);
  return !ours;
}

void ObjectCache::tombstone(const std::string& key, int64_t revision) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.revision > revision) return;
  entries_[key] = Entry{nullptr, revision};
}

void ObjectCache::replace(std::map<std::string, nlohmann::json> listed, int64_t revision) {
  std::map<std::string, Entry> next;
  while (!listed.empty()) {
    auto node = listed.extract(listed.begin());
    next.emplace(std::move(node.key()), Entry{std::move(node.mapped()), revision});
  }
  // Our own writes after the list's revision stay until the new watch reports them.
  for (auto& [key, entry] : entries_) {
    if (entry.revision > revision) next[key] = std::move(entry);
  }
  entries_ = std::move(next);
}

const nlohmann::json* ObjectCache::find(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.object.is_null()) return nullptr;
  return &it->second.object;
}

void ObjectCache::forEach(
    const std::string& prefix,
    const std::function<void(const std::string&, const nlohmann::json&)>& fn) const {
  for (auto it = entries_.lower_bound(prefix);
       it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    if (!it->second.object.is_null()) fn(it->first, it->second.object);
  }
}

}  // namespace ferry::controlplane
