// The controllers' in-memory copy of one kind's objects, keyed "namespace/name" (or "name" for
// cluster-scoped kinds), each with the store revision it was read at.
//
// Written by the watch (in revision order) and by the controller itself right after its own
// writes succeed ("write-through"), so the next reconcile of the same Service sees the slices it
// just created even before their watch events arrive; without that it would create them a
// second time (kube's EndpointSliceTracker solves the same staleness). The revision guard makes
// the two writers commute: an older version never replaces a newer one, and a delete of our own
// leaves a tombstone until the watch reports it, so the in-flight older put cannot resurrect it.
// Not thread-safe: the owner locks.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ferry::controlplane {

class ObjectCache {
 public:
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
  size_t size() const { return entries_.size(); }

 private:
  // The exception clang-tidy sees is in nlohmann::json's destructor (its internal stack), not
  // one this code can raise.
  // NOLINTNEXTLINE(bugprone-exception-escape)
  struct Entry {
    nlohmann::json object;  // null: a tombstone
    int64_t revision = 0;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace ferry::controlplane
