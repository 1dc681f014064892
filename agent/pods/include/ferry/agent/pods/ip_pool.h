// Pod IP allocation for one node: each pod (key "namespace/name") gets one address of the
// node's pod CIDR, recorded in a JSON file shared by every `ferry pod run` on the node. The
// first usable address is the node's (the pods' gateway); the network and broadcast addresses
// are never handed out. A pod that asks again gets the address it already holds, so a
// restarted supervisor keeps its IP.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "ferry/api/result.h"
#include "ferry/model/address.h"

namespace ferry::agent::pods {

// The allocation table itself, without I/O: address -> key.
class IpAllocations {
 public:
  explicit IpAllocations(model::Cidr cidr) : cidr_(cidr) {}

  // The gateway: the first host address of the CIDR.
  model::IpAddress gateway() const;
  // `key`'s address: the one it holds, else the lowest free one; nullopt when the CIDR is full.
  std::optional<model::IpAddress> allocate(const std::string& key);
  std::optional<model::IpAddress> find(const std::string& key) const;
  bool release(const std::string& key);
  std::size_t size() const { return by_ip_.size(); }

  std::string toJson() const;
  // Entries outside the CIDR, or on the reserved addresses, are dropped.
  static api::Result<IpAllocations> fromJson(model::Cidr cidr, const std::string& text);

 private:
  model::Cidr cidr_;
  std::map<uint32_t, std::string> by_ip_;  // host-order IPv4 -> key
};

// IpAllocations persisted in `path` under an exclusive flock() of `path`.lock, so concurrent
// `ferry pod run`s on one node never hand out one address twice.
class IpPool {
 public:
  IpPool(std::string path, model::Cidr cidr) : path_(std::move(path)), cidr_(cidr) {}

  api::Result<model::IpAddress> allocate(const std::string& key);
  api::Result<bool> release(const std::string& key);
  api::Result<IpAllocations> load() const;

 private:
  std::string path_;
  model::Cidr cidr_;
};

}  // namespace ferry::agent::pods
