#include "ferry/model/maglev.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace ferry::model {
namespace {

// splitmix64 finaliser (Steele et al., "Fast splittable pseudorandom number generators"):
// a cheap, well-mixed 64-bit hash for deriving permutation parameters.
uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

bool isPrime(uint32_t n) {
  if (n < 2) return false;
  if (n % 2 == 0) return n == 2;
  for (uint32_t d = 3; static_cast<uint64_t>(d) * d <= n; d += 2)
    if (n % d == 0) return false;
  return true;
}

uint64_t maglevIdentity(const IpAddress& address, uint16_t port) {
  uint64_t h = 0x6d61676c6576ULL;  // "maglev"
  for (uint8_t b : address.bytes()) h = mix64(h ^ b);
  return mix64(h ^ port);
}

MaglevBuild buildMaglev(std::span<const MaglevBackend> backends, uint32_t size,
                        const MaglevTable* previous) {
  // A prime M makes every skip in [1, M-1] coprime with M, so each permutation visits every
  // slot and the population loop terminates.
  if (!isPrime(size)) throw std::invalid_argument("maglev table size must be prime");
  MaglevBuild out;
  out.table.slots.assign(size, 0);

  // Backends in identity order so the table does not depend on the caller's ordering.
  std::vector<MaglevBackend> live;
  for (const auto& b : backends)
    if (b.weight > 0) live.push_back(b);
  std::sort(live.begin(), live.end(),
            [](const auto& a, const auto& b) { return a.identity < b.identity; });

  if (!live.empty()) {
    const size_t n = live.size();
    std::vector<uint64_t> offset(n), skip(n), next(n, 0);
    for (size_t i = 0; i < n; ++i) {
      offset[i] = mix64(live[i].identity ^ 0x0ff5e7) % size;
      skip[i] = mix64(live[i].identity ^ 0x5c1b) % (size - 1) + 1;
    }
    // Weighted population: in every round backend i claims weight_i / g slots, where g is the
    // weights' gcd, so shares follow weights exactly up to the final partial round.
    uint32_t g = 0;
    for (const auto& b : live) g = std::gcd(g, b.weight);
    std::vector<uint32_t> turns(n);
    for (size_t i = 0; i < n; ++i) turns[i] = live[i].weight / g;

    uint32_t filled = 0;
    std::vector<uint8_t> taken(size, 0);
    while (filled < size) {
      for (size_t i = 0; i < n && filled < size; ++i) {
        for (uint32_t t = 0; t < turns[i] && filled < size; ++t) {
          // Walk backend i's permutation (offset + j*skip) mod M to its next empty slot.
          uint64_t c = (offset[i] + next[i] * skip[i]) % size;
          while (taken[c]) {
            ++next[i];
            c = (offset[i] + next[i] * skip[i]) % size;
          }
          taken[c] = 1;
          out.table.slots[c] = live[i].value;
          ++next[i];
          ++filled;
        }
      }
    }
  }

  const bool comparable = previous && previous->slots.size() == size;
  for (uint32_t s = 0; s < size; ++s)
    if (!comparable || previous->slots[s] != out.table.slots[s]) out.changed.push_back(s);
  return out;
}

}  // namespace ferry::model
