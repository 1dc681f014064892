// ClusterIP and NodePort allocation, unique across concurrent writers and (with etcd) across
// replicas: every allocated value is a record key in the store written in the same
// transaction as the Service, guarded by a "must not exist" compare. Two creates that pick
// the same value cannot both commit; the loser retries with another value.
//
// The in-memory set of used values is only a hint that makes picking fast; the store decides.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "ferry/controlplane/object_storage.h"
#include "ferry/model/address.h"
#include "ferry/store/store.h"

namespace ferry::controlplane {

// 128-bit offsets into IPv6 ranges. __extension__ keeps -Wpedantic quiet about the GNU type.
__extension__ typedef unsigned __int128 Uint128;

class IpAllocator {
 public:
  // `range` such as 10.96.0.0/12. The network address, and for IPv4 the broadcast address,
  // are never handed out. `family_tag` separates the record keys of two ranges ("v4", "v6").
  IpAllocator(model::Cidr range, std::string family_tag);

  // Loads the used set from the store's records.
  store::Status load(store::Store& s);

  const model::Cidr& range() const { return range_; }
  bool contains(const model::IpAddress& ip) const;
  // A free address (never the first usable one, which is reserved for default/kubernetes
  // unless `allow_first`), or nullopt when the range is full.
  std::optional<model::IpAddress> pick(bool allow_first = false);
  std::string recordKey(const model::IpAddress& ip) const;
  model::IpAddress firstUsable() const;

  // Keeps the hint in step with committed writes.
  void markUsed(const model::IpAddress& ip);
  void markFree(const model::IpAddress& ip);
  size_t usedCount() const;

 private:
  model::Cidr range_;
  std::string prefix_;
  Uint128 size_ = 0;  // usable addresses
  mutable std::mutex mu_;
  std::set<model::IpAddress> used_;
  std::mt19937_64 rng_{std::random_device{}()};
};

class PortAllocator {
 public:
  PortAllocator(uint16_t first, uint16_t last, std::string tag);
  store::Status load(store::Store& s);
  bool contains(uint16_t port) const { return port >= first_ && port <= last_; }
  std::optional<uint16_t> pick();
  std::string recordKey(uint16_t port) const;
  void markUsed(uint16_t port);
  void markFree(uint16_t port);
  uint16_t first() const { return first_; }
  uint16_t last() const { return last_; }

 private:
  uint16_t first_, last_;
  std::string prefix_;
  mutable std::mutex mu_;
  std::set<uint16_t> used_;
  std::mt19937 rng_{std::random_device{}()};
};

}  // namespace ferry::controlplane
