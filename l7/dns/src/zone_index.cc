#include "ferry/dns/zone_index.h"

#include <nlohmann/json.hpp>

namespace ferry::dns {

ZoneIndex::ZoneIndex(ZoneConfig config) : config_(std::move(config)) {
  current_.store(buildZone(config_, {}, false, serial_), std::memory_order_release);
}

api::Result<bool> ZoneIndex::apply(std::string_view kind, const nlohmann::json& object) {
  std::lock_guard lock(mu_);
  if (kind == "Service") {
    auto svc = parseService(object);
    if (!svc.ok()) return api::Error{svc.error()};
    objects_.services[{svc->ns, svc->name}] = std::move(*svc);
  } else if (kind == "EndpointSlice") {
    auto slice = parseEndpointSlice(object);
    if (!slice.ok()) return api::Error{slice.error()};
    objects_.slices[{slice->ns, slice->name}] = std::move(*slice);
  } else if (kind == "Pod") {
    auto pod = parsePod(object);
    if (!pod.ok()) return api::Error{pod.error()};
    objects_.pods[{pod->ns, pod->name}] = std::move(*pod);
  } else {
    return false;
  }
  if (synced_) publishLocked();
  return true;
}

bool ZoneIndex::remove(std::string_view kind, const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  const ObjectKey key{ns, name};
  size_t erased = 0;
  if (kind == "Service") erased = objects_.services.erase(key);
  if (kind == "EndpointSlice") erased = objects_.slices.erase(key);
  if (kind == "Pod") erased = objects_.pods.erase(key);
  if (erased && synced_) publishLocked();
  return erased != 0;
}

void ZoneIndex::markSynced() {
  std::lock_guard lock(mu_);
  synced_ = true;
  publishLocked();
}

void ZoneIndex::beginBatch() {
  std::lock_guard lock(mu_);
  batching_ = true;
}

void ZoneIndex::endBatch() {
  std::lock_guard lock(mu_);
  batching_ = false;
  if (dirty_ && synced_) publishLocked();
}

void ZoneIndex::publishLocked() {
  if (batching_) {
    dirty_ = true;  // published once, at endBatch()
    return;
  }
  dirty_ = false;
  ++serial_;
  current_.store(buildZone(config_, objects_, synced_, serial_), std::memory_order_release);
}

}  // namespace ferry::dns
