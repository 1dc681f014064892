// The controllers' in-memory copy of one kind's objects, keyed "namespace/name" (or "name" for
// cluster-scoped kinds), each with the store revision it was read at.
//
// Written by the watch (in revision order) and by the controller itself right after its own
// writes succeed ("write-through"), so the next reconcile of the same Service sees the slices it
// just created even before their watch events arrive; without that it would create them a
// second time (kube's EndpointSliceTracker solves the same staleness). The revision guard makes
// the two writers commute: an older version never replaces a newer one, and a delete of our own
// leaves a tombstone until the watch reports it, so the in-flight older put cannot resurrect it.
//
// Optionally it indexes live objects by one label's value per namespace (EndpointSlices by
// kubernetes.io/service-name), so "the slices of this Service" costs the Service's slices, not
// every slice of the namespace: at 10,000 Services in one namespace a scan per reconcile makes a
// resync quadratic.
// Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace ferry::controlplane {

class ObjectCache {
 public:
  // `indexed_label`: the label forEachLabelled() looks up by ("" for none).
  explicit ObjectCache(std::string indexed_label = "") : indexed_label_(std::move(indexed_label)) {}

  // Stores `obj` unless a newer (or equally new) version or tombstone is held. True if stored.
  bool put(const std::string& key, nlohmann::json obj, int64_t revision);
  // A delete seen on the watch at `revision`: forgets the key unless something newer is held.
  // False when it was our own delete (a tombstone of that revision): nothing new was learnt.
  bool erase(const std::string& key, int64_t revision);
  // Our own delete of the version at `revision`: remembered until the watch reports it.
  void tombstone(const std::string& key, int64_t revision);
  // Replaces everything with a list read at `revision`, keeping entries newer than it.
  void replace(std::map<std::string, nlohmann::json> listed, int64_t revision);

  // The object, or null when absent or deleted.
  const nlohmann::json* find(const std::string& key) const;
  // Every live object whose key starts with `prefix` ("ns/" for one namespace, "" for all), in
  // key order.
  void forEach(const std::string& prefix,
               const std::function<void(const std::string&, const nlohmann::json&)>& fn) const;
  // Every live object of namespace `ns` whose indexed label equals `value`, in key order.
  // Needs an indexed label (else it visits nothing).
  void forEachLabelled(
      const std::string& ns, const std::string& value,
      const std::function<void(const std::string&, const nlohmann::json&)>& fn) const;
  size_t size() const { return entries_.size(); }

 private:
  // The exception clang-tidy sees is in nlohmann::json's destructor (its internal stack), not
  // one this code can raise.
  // NOLINTNEXTLINE(bugprone-exception-escape)
  struct Entry {
    nlohmann::json object;  // null: a tombstone
    int64_t revision = 0;
  };
  // "namespace/value" of the indexed label of a live object; "" when not indexed.
  std::string indexKey(const std::string& key, const nlohmann::json& object) const;
  void unindex(const std::string& key, const Entry& entry);
  void index(const std::string& key, const Entry& entry);

  std::map<std::string, Entry> entries_;
  std::string indexed_label_;
  std::map<std::string, std::set<std::string>> by_label_;  // "ns/value" -> keys
};

}  // namespace ferry::controlplane
