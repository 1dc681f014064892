// Which endpoint of a backend gets a request, per worker (no shared state, no locks):
//  - round robin (default): a counter per backend id;
//  - least request: power of two random choices over this worker's in-flight counts
//    (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", 2001);
//  - maglev: ResolvedBackend::maglevPick over a hash of the client address, so a client sticks
//    to one endpoint while the endpoint set allows (NSDI'16 §3.4).
// `exclude` (may be null) is skipped when another endpoint exists: the retry goes elsewhere.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "ferry/ingress/ingress_config.h"

namespace ferry::ingress {

struct EndpointHash {
  size_t operator()(const Endpoint& e) const;
};

class EndpointPicker {
 public:
  explicit EndpointPicker(uint64_t seed) : rng_(seed) {}

  const Endpoint* pick(const ResolvedBackend& backend, uint32_t backend_id,
                       const boost::asio::ip::address& client, const Endpoint* exclude);

  // In-flight requests per endpoint on this worker (least request reads them).
  void started(const Endpoint& e) { ++in_flight_[e]; }
  void finished(const Endpoint& e);

  // A new config: backend ids are renumbered, so the round-robin positions restart.
  void reset(uint64_t config_version);

 private:
  uint32_t inFlight(const Endpoint& e) const;

  std::mt19937_64 rng_;
  uint64_t version_ = 0;
  std::vector<uint32_t> next_;  // round-robin position by backend id
  std::unordered_map<Endpoint, uint32_t, EndpointHash> in_flight_;
};

// FNV-1a 64 over the address bytes: the Maglev flow hash of a client.
uint64_t clientHash(const boost::asio::ip::address& client);

}  // namespace ferry::ingress
