// The forwarder's answer cache: upstream responses kept as wire messages (OPT removed, TTLs
// capped) under (lower-case name, type, class), served with the client's ID and question case
// and TTLs counted down. Positive answers live for the smallest answer TTL, negative ones
// (NXDOMAIN, NODATA) for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); both are capped, and the
// number of entries is bounded with LRU eviction. Expired entries are kept a while longer so
// they can be served stale, TTL 30, when every upstream fails (RFC 8767 §4-5).
//
// The clock is a parameter of every call so tests can move time.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/dns/query.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {

using CacheClock = std::chrono::steady_clock;

// RFC 8767 §4: the TTL of a stale answer.
inline constexpr uint32_t kStaleAnswerTtl = 30;

struct CacheOptions {
  size_t max_entries = 10000;
  std::chrono::seconds max_ttl{300};
  std::chrono::seconds serve_stale{3600};  // 0: never serve stale
};

// What an upstream response says, after checking that it answers our question.
struct UpstreamAnswer {
  bool valid = false;  // parsed, QR set, same question
  Rcode rcode = Rcode::kNoError;
  bool truncated = false;
  size_t size = 0;  // the message without its OPT record
  bool had_opt = false;
  // Offsets of every TTL field (OPT excluded), for counting down.
  std::vector<uint16_t> ttl_offsets;
  // How long it may be cached; nullopt: not at all (errors, negative without SOA, referrals).
  std::optional<uint32_t> cache_ttl;
  bool negative = false;
};

UpstreamAnswer inspectUpstreamAnswer(std::span<const uint8_t> message, const Query& question);

struct CachedAnswer {
  std::vector<uint8_t> message;  // OPT removed, TTLs capped at max_ttl
  std::vector<uint16_t> ttl_offsets;
  CacheClock::time_point stored{};
  CacheClock::time_point expires{};
  Rcode rcode = Rcode::kNoError;
};

// Copies an inspected upstream message into a cache entry, capping its TTLs.
CachedAnswer makeCachedAnswer(std::span<const uint8_t> message, const UpstreamAnswer& inspected,
                              CacheClock::time_point now, std::chrono::seconds max_ttl);

struct ServedAnswer {
  size_t size = 0;
  Rcode rcode = Rcode::kNoError;
  bool truncated = false;
};

// Writes `answer` for `client` into `out`: the client's ID, RD/CD and question case, RA set, AA
// clear, TTLs counted down to `now` (or all kStaleAnswerTtl when `stale`), an OPT when the
// client sent one. If the result exceeds `limit` it is cut to the question with TC set.
ServedAnswer writeCachedAnswer(const CachedAnswer& answer, const Query& client, size_t limit,
                               std::span<uint8_t> out, CacheClock::time_point now, bool stale,
                               uint16_t our_udp_payload);

// SERVFAIL for `client` (every upstream failed and nothing stale).
ServedAnswer writeServFail(const Query& client, std::span<uint8_t> out, uint16_t our_udp_payload);

// Name (lower case, wire) + type + class: unique per question, built without allocating.
using CacheKeyBuffer = std::array<uint8_t, kMaxNameLength + 4>;
std::string_view cacheKey(const Query& q, CacheKeyBuffer& buffer);

class ResponseCache {
 public:
  enum class State { kMiss, kFresh, kStale };
  struct Found {
    const CachedAnswer* answer = nullptr;
    State state = State::kMiss;
  };

  explicit ResponseCache(CacheOptions options) : options_(options) {}

  // Fresh entries move to the front of the LRU list. Stale ones (expired, within the serve-stale
  // window) are returned as such; older ones are erased.
  Found find(std::string_view key, CacheClock::time_point now);
  // Replaces any entry under `key`; evicts the least recently used beyond max_entries.
  void insert(std::string_view key, CachedAnswer answer);

  size_t size() const { return entries_.size(); }
  const CacheOptions& options() const { return options_; }

 private:
  struct Entry {
    std::string key;
    CachedAnswer answer;
  };

  CacheOptions options_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace ferry::dns
