#include "endpoint_picker.h"

namespace ferry::ingress {

namespace {

uint64_t fnv1a(const uint8_t* data, size_t size, uint64_t h = 14695981039346656037ULL) {
  for (size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

size_t EndpointHash::operator()(const Endpoint& e) const {
  const auto& bytes = e.address.bytes();
  return fnv1a(bytes.data(), bytes.size(), e.port);
}

uint64_t clientHash(const boost::asio::ip::address& client) {
  if (client.is_v4()) {
    const auto b = client.to_v4().to_bytes();
    return fnv1a(b.data(), b.size());
  }
  const auto b = client.to_v6().to_bytes();
  return fnv1a(b.data(), b.size());
}

void EndpointPicker::reset(uint64_t config_version) {
  if (config_version == version_) return;
  version_ = config_version;
  next_.clear();
}

void EndpointPicker::finished(const Endpoint& e) {
  auto it = in_flight_.find(e);
  if (it == in_flight_.end()) return;
  if (--it->second == 0) in_flight_.erase(it);
}

uint32_t EndpointPicker::inFlight(const Endpoint& e) const {
  auto it = in_flight_.find(e);
  return it == in_flight_.end() ? 0 : it->second;
}

const Endpoint* EndpointPicker::pick(const ResolvedBackend& backend, uint32_t backend_id,
                                     const boost::asio::ip::address& client,
                                     const Endpoint* exclude) {
  const auto& eps = backend.endpoints;
  if (eps.empty()) return nullptr;
  const size_t n = eps.size();
  auto usable = [&](size_t i) { return n == 1 || exclude == nullptr || !(eps[i] == *exclude); };

  switch (backend.load_balance) {
    case LoadBalance::kMaglev:
      if (const Endpoint* e = backend.maglevPick(clientHash(client)); e && usable(e - eps.data())) {
        return e;
      }
      break;  // no table, or the retry after its endpoint failed: round robin
    case LoadBalance::kLeastRequest:
      if (n >= 2) {
        std::uniform_int_distribution<size_t> dist(0, n - 1);
        size_t a = dist(rng_);
        size_t b = dist(rng_);
        if (b == a) b = (a + 1) % n;
        if (!usable(a)) a = b;
        if (!usable(b)) b = a;
        return &eps[inFlight(eps[b]) < inFlight(eps[a]) ? b : a];
      }
      break;
    case LoadBalance::kRoundRobin:
      break;
  }
  if (next_.size() <= backend_id) next_.resize(backend_id + 1, 0);
  for (size_t tries = 0; tries < n; ++tries) {
    const size_t i = next_[backend_id]++ % n;
    if (usable(i)) return &eps[i];
  }
  return &eps[0];
}

}  // namespace ferry::ingress
