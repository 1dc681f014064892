// Response-rate limiting, simplified from BIND's RRL (Vixie & Schryver, "DNS Response Rate
// Limiting", 2012): a token bucket per client network (IPv4 /24, IPv6 /56) over UDP responses
// only, so a spoofed source cannot turn the server into an amplifier. Over the limit a response
// is dropped, except every `slip`-th, which goes out truncated (TC=1, no records) so a real
// client at that address retries over TCP, where the handshake proves its address.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "ferry/dns/address_set.h"

namespace ferry::dns {

struct RrlOptions {
  double responses_per_second = 100;  // 0 turns limiting off
  unsigned slip = 2;                  // 0: never slip, 1: always slip
  size_t table_size = 4096;           // buckets; colliding networks share one
};

enum class RrlVerdict { kSend, kDrop, kSlip };

// One per worker: no locks on the UDP path. A spoofed flood's random source ports spread it
// over the SO_REUSEPORT workers, so the bound is rate × workers per network.
class ResponseRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResponseRateLimiter(RrlOptions options);

  bool enabled() const { return options_.responses_per_second > 0; }
  RrlVerdict check(const ClientAddress& client, Clock::time_point now);

  // The network a client is limited under: IPv4 /24 or IPv6 /56, tagged by family.
  static uint64_t networkKey(const ClientAddress& client);

 private:
  struct Bucket {
    uint64_t key = 0;
    bool used = false;
    double tokens = 0;
    Clock::time_point refilled{};
    uint32_t over = 0;  // responses over the limit, for the slip cadence
  };

  RrlOptions options_;
  double burst_;
  std::vector<Bucket> buckets_;
};

// Cuts a response to header and question with TC set and no records (RFC 2181 §9), in place.
// Returns the new size; 0 if the message has no header.
size_t truncateToQuestion(std::span<uint8_t> message, size_t size);

}  // namespace ferry::dns
