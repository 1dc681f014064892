#include "ferry/controllers/object_cache.h"

namespace ferry::controlplane {

std::string ObjectCache::indexKey(const std::string& key, const nlohmann::json& object) const {
  if (indexed_label_.empty() || !object.is_object()) return {};
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) return {};
  const auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return {};
  const auto value = labels->find(indexed_label_);
  if (value == labels->end() || !value->is_string()) return {};
  const size_t slash = key.find('/');
  const std::string ns = slash == std::string::npos ? std::string() : key.substr(0, slash);
  return ns + "/" + value->get<std::string>();
}

void ObjectCache::unindex(const std::string& key, const Entry& entry) {
  const std::string at = indexKey(key, entry.object);
  if (at.empty()) return;
  auto it = by_label_.find(at);
  if (it == by_label_.end()) return;
  it->second.erase(key);
  if (it->second.empty()) by_label_.erase(it);
}

void ObjectCache::index(const std::string& key, const Entry& entry) {
  const std::string at = indexKey(key, entry.object);
  if (!at.empty()) by_label_[at].insert(key);
}

bool ObjectCache::put(const std::string& key, nlohmann::json obj, int64_t revision) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.revision >= revision) return false;
  if (it != entries_.end()) unindex(key, it->second);
  Entry& entry = entries_[key] = Entry{std::move(obj), revision};
  index(key, entry);
  return true;
}

bool ObjectCache::erase(const std::string& key, int64_t revision) {
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.revision > revision) return true;
  const bool ours = it->second.object.is_null() && it->second.revision == revision;
  unindex(key, it->second);
  entries_.erase(it);
  return !ours;
}

void ObjectCache::tombstone(const std::string& key, int64_t revision) {
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.revision > revision) return;
  if (it != entries_.end()) unindex(key, it->second);
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
  by_label_.clear();
  for (const auto& [key, entry] : entries_) index(key, entry);
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

void ObjectCache::forEachLabelled(
    const std::string& ns, const std::string& value,
    const std::function<void(const std::string&, const nlohmann::json&)>& fn) const {
  const auto keys = by_label_.find(ns + "/" + value);
  if (keys == by_label_.end()) return;
  for (const std::string& key : keys->second) {
    const nlohmann::json* obj = find(key);
    if (obj != nullptr) fn(key, *obj);
  }
}

}  // namespace ferry::controlplane
