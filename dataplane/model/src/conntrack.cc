#include "ferry/model/conntrack.h"

#include "ferry/abi/flow_hash.h"

namespace ferry::model {

size_t CtKeyHash::operator()(const ferry_ct_key& k) const {
  return ferry_flow_hash(&k.tuple, k.dir);
}

ferry_ct_key makeCtKey(const ferry_tuple& tuple, ferry_ct_dir dir) {
  ferry_ct_key key{};
  key.tuple = tuple;
  key.tuple.pad = 0;
  key.dir = static_cast<uint8_t>(dir);
  return key;
}

ConntrackTable::ConntrackTable(size_t capacity, ferry_ct_timeouts timeouts)
    : capacity_(capacity), timeouts_(timeouts) {}

void ConntrackTable::bump(Slot& slot) {
  lru_.splice(lru_.begin(), lru_, slot.lru);
}

ferry_ct_entry* ConntrackTable::lookup(const ferry_ct_key& key, MonoTime now) {
  auto it = map_.find(key);
  if (it == map_.end()) return nullptr;
  if (ferry_ct_expired(&it->second.entry, static_cast<uint64_t>(now.count()))) return nullptr;
  bump(it->second);
  return &it->second.entry;
}

ferry_ct_entry& ConntrackTable::create(const ferry_ct_key& key, uint8_t proto, uint8_t tcp_flags,
                                       MonoTime now, uint32_t svc_id, uint32_t backend_id,
                                       uint16_t rev_nat_id) {
  if (auto it = map_.find(key); it != map_.end()) {
    lru_.erase(it->second.lru);
    map_.erase(it);
  }
  if (capacity_ > 0 && map_.size() >= capacity_) {
    map_.erase(lru_.back());
    lru_.pop_back();
    ++evictions_;
  }
  lru_.push_front(key);
  Slot slot{};
  slot.lru = lru_.begin();
  ferry_ct_entry& e = slot.entry;
  e.state = ferry_ct_initial_state(proto, tcp_flags);
  e.svc_id = svc_id;
  e.backend_id = backend_id;
  e.rev_nat_id = rev_nat_id;
  e.expires_ns = ferry_ct_deadline(e.state, static_cast<uint64_t>(now.count()), &timeouts_);
  return map_.emplace(key, slot).first->second.entry;
}

int ConntrackTable::touch(ferry_ct_entry& entry, uint8_t proto, uint8_t tcp_flags, ferry_ct_dir dir,
                          uint32_t bytes, MonoTime now) {
  int reopened =
      ferry_ct_advance(&entry.state, &entry.flags, proto, tcp_flags, static_cast<uint8_t>(dir));
  entry.expires_ns = ferry_ct_deadline(entry.state, static_cast<uint64_t>(now.count()), &timeouts_);
  entry.packets += 1;
  entry.bytes += bytes;
  return reopened;
}

bool ConntrackTable::erase(const ferry_ct_key& key) {
  auto it = map_.find(key);
  if (it == map_.end()) return false;
  lru_.erase(it->second.lru);
  map_.erase(it);
  return true;
}

size_t ConntrackTable::eraseIf(
    const std::function<bool(const ferry_ct_key&, const ferry_ct_entry&)>& pred) {
  size_t n = 0;
  for (auto it = map_.begin(); it != map_.end();) {
    if (pred(it->first, it->second.entry)) {
      lru_.erase(it->second.lru);
      it = map_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

size_t ConntrackTable::expire(MonoTime now) {
  auto t = static_cast<uint64_t>(now.count());
  return eraseIf(
      [t](const ferry_ct_key&, const ferry_ct_entry& e) { return ferry_ct_expired(&e, t); });
}

}  // namespace ferry::model
