#include "ferry/controlplane/allocators.h"

namespace ferry::controlplane {
namespace {

using u128 = Uint128;

u128 toInt(const model::IpAddress& ip) {
  u128 v = 0;
  for (uint8_t b : ip.bytes()) v = (v << 8) | b;
  return v;
}

model::IpAddress fromInt(u128 v) {
  ferry_addr raw{};
  for (int i = 15; i >= 0; --i) {
    raw.b[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
  return model::IpAddress(raw);
}

store::Status loadKeys(store::Store& s, const std::string& prefix, const std::function<void(const std::string&)>& fn) {
  store::RangeRequest req;
  req.prefix = prefix;
  auto res = s.range(req);
  if (!res.ok()) return res.status();
  for (const auto& kv : res->items) fn(kv->key.substr(prefix.size()));
  return {};
}

}  // namespace

IpAllocator::IpAllocator(model::Cidr range, std::string family_tag)
    : range_(std::move(range)), prefix_("/registry/ferry/allocations/serviceip/" + family_tag + "/") {
  int bits = (range_.base().family() == model::Family::kIpv4 ? 32 : 128) - range_.prefixLength();
  u128 total = bits >= 127 ? ~u128(0) : (u128(1) << bits);
  // Network address and (IPv4) broadcast are not usable.
  size_ = total > 2 ? total - (range_.base().family() == model::Family::kIpv4 ? 2 : 1) : 0;
}

store::Status IpAllocator::load(store::Store& s) {
  std::lock_guard lock(mu_);
  used_.clear();
  return loadKeys(s, prefix_, [this](const std::string& k) {
    if (auto ip = model::IpAddress::parse(k)) used_.insert(*ip);
  });
}

bool IpAllocator::contains(const model::IpAddress& ip) const {
  if (!range_.contains(ip)) return false;
  u128 off = toInt(ip) - toInt(range_.base());
  return off >= 1 && off <= size_;
}

model::IpAddress IpAllocator::firstUsable() const { return fromInt(toInt(range_.base()) + 1); }

std::optional<model::IpAddress> IpAllocator::pick(bool allow_first) {
  std::lock_guard lock(mu_);
  if (size_ <= 1) return std::nullopt;
  // Random start, linear probe: O(1) expected while the range is sparse, as kube's bitmap
  // allocator's random scan. The first address is skipped for default/kubernetes.
  const u128 span = size_ - 1;
  u128 start = (static_cast<u128>(rng_()) << 64 | rng_()) % span;
  const u128 limit = std::min<u128>(span, 1u << 22);  // bound the probe on huge IPv6 ranges
  for (u128 i = 0; i < limit; ++i) {
    u128 off = 2 + (start + i) % span;  // 2..size_
    auto ip = fromInt(toInt(range_.base()) + off);
    if (!used_.contains(ip)) return ip;
  }
  if (allow_first && !used_.contains(firstUsable())) return firstUsable();
  return std::nullopt;
}

std::string IpAllocator::recordKey(const model::IpAddress& ip) const { return prefix_ + ip.toString(); }

void IpAllocator::markUsed(const model::IpAddress& ip) {
  std::lock_guard lock(mu_);
  used_.insert(ip);
}

void IpAllocator::markFree(const model::IpAddress& ip) {
  std::lock_guard lock(mu_);
  used_.erase(ip);
}

size_t IpAllocator::usedCount() const {
  std::lock_guard lock(mu_);
  return used_.size();
}

PortAllocator::PortAllocator(uint16_t first, uint16_t last, std::string tag)
    : first_(first), last_(last), prefix_("/registry/ferry/allocations/" + tag + "/") {}

store::Status PortAllocator::load(store::Store& s) {
  std::lock_guard lock(mu_);
  used_.clear();
  return loadKeys(s, prefix_, [this](const std::string& k) {
    int v = std::atoi(k.c_str());
    if (v > 0 && v < 65536) used_.insert(static_cast<uint16_t>(v));
  });
}

std::optional<uint16_t> PortAllocator::pick() {
  std::lock_guard lock(mu_);
  const uint32_t span = uint32_t(last_) - first_ + 1;
  uint32_t start = rng_() % span;
  for (uint32_t i = 0; i < span; ++i) {
    auto p = static_cast<uint16_t>(first_ + (start + i) % span);
    if (!used_.contains(p)) return p;
  }
  return std::nullopt;
}

std::string PortAllocator::recordKey(uint16_t port) const { return prefix_ + std::to_string(port); }

void PortAllocator::markUsed(uint16_t port) {
  std::lock_guard lock(mu_);
  used_.insert(port);
}

void PortAllocator::markFree(uint16_t port) {
  std::lock_guard lock(mu_);
  used_.erase(port);
}

}  // namespace ferry::controlplane
