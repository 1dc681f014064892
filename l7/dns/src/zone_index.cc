#include "ferry/dns/zone_index.h"

#include <nlohmann/json.hpp>

#include "ferry/api/timestamp.h"

namespace ferry::dns {
namespace {

constexpr const char* kTriggerTime = "endpoints.kubernetes.io/last-change-trigger-time";

std::optional<std::chrono::system_clock::time_point> triggerTime(const nlohmann::json& slice) {
  const auto meta = slice.find("metadata");
  if (meta == slice.end() || !meta->is_object()) return std::nullopt;
  const auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object()) return std::nullopt;
  const auto value = annotations->find(kTriggerTime);
  if (value == annotations->end() || !value->is_string()) return std::nullopt;
  return api::parseTimestamp(value->get_ref<const std::string&>());
}

}  // namespace

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
    if (programming_latency_ != nullptr && synced_) {
      // The initial list is state, not change: only later slices are programming events.
      if (auto t = triggerTime(object)) pending_triggers_.push_back(*t);
    }
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
  if (programming_latency_ != nullptr) {
    const auto now = std::chrono::system_clock::now();
    for (const auto& t : pending_triggers_) {
      programming_latency_->observe(std::chrono::duration<double>(now - t).count());
    }
  }
  pending_triggers_.clear();
}

}  // namespace ferry::dns
