#include "ferry/dns/rate_limiter.h"

#include <algorithm>
#include <array>

#include "ferry/dns/domain_name.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {

ResponseRateLimiter::ResponseRateLimiter(RrlOptions options)
    : options_(options),
      // A second's worth of responses may come at once: resolvers burst at cache expiry.
      burst_(std::max(1.0, options.responses_per_second)),
      buckets_(std::max<size_t>(1, options.table_size)) {}

uint64_t ResponseRateLimiter::networkKey(const ClientAddress& client) {
  uint64_t key = 0;
  if (client.isV4()) {
    for (size_t i = 12; i < 15; ++i) key = (key << 8) | client.bytes[i];
    return key | (uint64_t{1} << 63);
  }
  for (size_t i = 0; i < 7; ++i) key = (key << 8) | client.bytes[i];
  return key;
}

RrlVerdict ResponseRateLimiter::check(const ClientAddress& client, Clock::time_point now) {
  if (!enabled()) return RrlVerdict::kSend;
  const uint64_t key = networkKey(client);
  // Fibonacci hashing spreads adjacent /24s over the table.
  const size_t slot = static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >> 20) % buckets_.size();
  Bucket& b = buckets_[slot];
  if (!b.used || b.key != key) {
    b = Bucket{key, true, burst_, now, 0};
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.refilled).count();
    if (elapsed > 0) {
      b.tokens = std::min(burst_, b.tokens + elapsed * options_.responses_per_second);
      b.refilled = now;
    }
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return RrlVerdict::kSend;
  }
  ++b.over;
  if (options_.slip > 0 && b.over % options_.slip == 0) return RrlVerdict::kSlip;
  return RrlVerdict::kDrop;
}

size_t truncateToQuestion(std::span<uint8_t> m, size_t size) {
  if (size < kHeaderSize || m.size() < size) return 0;
  size_t end = kHeaderSize;
  const bool has_question = m[4] == 0 && m[5] == 1;
  if (has_question) {
    std::array<uint8_t, kMaxNameLength> scratch{};
    size_t length = 0;
    size_t next = 0;
    if (readName(m.first(size), kHeaderSize, scratch, length, next) == NameError::kNone &&
        next + 4 <= size) {
      end = next + 4;
    }
  }
  m[2] |= static_cast<uint8_t>(flag::kTc >> 8);
  if (end == kHeaderSize) m[4] = m[5] = 0;  // no question survived
  std::fill(m.begin() + 6, m.begin() + 12, uint8_t{0});
  return end;
}

}  // namespace ferry::dns
