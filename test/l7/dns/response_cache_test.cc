// The forwarder's cache without sockets: upstream answers built byte by byte, time moved by
// hand.
#include "ferry/dns/response_cache.h"

#include <gmock/gmock.h>

#include "dns_packets.h"
#include "ferry/dns/query.h"

namespace ferry::dns {
namespace {

using namespace std::chrono_literals;
using testing::decodeResponse;
using testing::makeQuery;

void put16(std::vector<uint8_t>& m, uint16_t v) {
  m.push_back(static_cast<uint8_t>(v >> 8));
  m.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t>& m, uint32_t v) {
  put16(m, static_cast<uint16_t>(v >> 16));
  put16(m, static_cast<uint16_t>(v));
}

Query parsed(const std::string& name, uint16_t qtype, const testing::QueryOptions& o = {}) {
  Query q;
  const auto bytes = makeQuery(name, qtype, o);
  EXPECT_EQ(parseQuery(bytes, q).status, ParseStatus::kOk);
  return q;
}

// An upstream response to `name` A: `ttls` A records, or (none) NXDOMAIN with an SOA whose TTL
// and MINIMUM are given; an OPT at the end.
std::vector<uint8_t> upstreamResponse(const std::string& name, const std::vector<uint32_t>& ttls,
                                      uint32_t soa_ttl = 0, uint32_t soa_minimum = 0,
                                      bool with_soa = true) {
  auto m = makeQuery(name, rrtype::kA, testing::edns(1232));
  // Turn the query into a response: QR RD RA, rcode; counts; drop the query's OPT and re-add.
  m.resize(m.size() - 11);
  const bool nx = ttls.empty();
  m[2] = 0x81;
  m[3] = static_cast<uint8_t>(0x80 | (nx ? 3 : 0));
  m[6] = 0;
  m[7] = static_cast<uint8_t>(ttls.size());
  m[9] = (nx && with_soa) ? 1 : 0;
  m[11] = 1;
  for (size_t i = 0; i < ttls.size(); ++i) {
    put16(m, 0xC00C);
    put16(m, rrtype::kA);
    put16(m, 1);
    put32(m, ttls[i]);
    put16(m, 4);
    m.insert(m.end(), {192, 0, 2, static_cast<uint8_t>(i + 1)});
  }
  if (nx && with_soa) {
    put16(m, 0xC00C);
    put16(m, rrtype::kSoa);
    put16(m, 1);
    put32(m, soa_ttl);
    put16(m, 26);  // "\1n\0" "\1h\0" and five 32-bit fields
    m.insert(m.end(), {1, 'n', 0, 1, 'h', 0});
    for (uint32_t v : {1u, 2u, 3u, 4u, soa_minimum}) put32(m, v);
  }
  m.insert(m.end(), {0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0});  // OPT 1232
  return m;
}

struct Cached {
  std::string key;
  CachedAnswer answer;
  UpstreamAnswer inspected;
};

Cached cache(const std::vector<uint8_t>& m, const Query& q, CacheClock::time_point now,
             std::chrono::seconds max_ttl = 300s) {
  Cached c;
  c.inspected = inspectUpstreamAnswer(m, q);
  EXPECT_TRUE(c.inspected.valid);
  c.answer = makeCachedAnswer(m, c.inspected, now, max_ttl);
  CacheKeyBuffer buf;
  c.key = std::string(cacheKey(q, buf));
  return c;
}

std::vector<uint8_t> serve(const CachedAnswer& a, const Query& client, CacheClock::time_point now,
                           bool stale = false, size_t limit = 4096) {
  std::vector<uint8_t> out(kMaxMessageSize);
  const ServedAnswer s = writeCachedAnswer(a, client, limit, out, now, stale, 4096);
  out.resize(s.size);
  return out;
}

const CacheClock::time_point t0{std::chrono::hours(1000)};

TEST(UpstreamAnswer, PositiveTtlIsTheSmallestAnswerTtl) {
  const Query q = parsed("www.example.test", rrtype::kA);
  const auto m = upstreamResponse("www.example.test", {60, 20, 90});
  const UpstreamAnswer a = inspectUpstreamAnswer(m, q);
  ASSERT_TRUE(a.valid);
  EXPECT_EQ(a.cache_ttl, 20u);
  EXPECT_FALSE(a.negative);
  EXPECT_TRUE(a.had_opt);
  EXPECT_EQ(a.size, m.size() - 11);
  EXPECT_EQ(a.ttl_offsets.size(), 3u);
}

TEST(UpstreamAnswer, NegativeTtlIsTheSoaMinimumOrTtl) {
  const Query q = parsed("nx.example.test", rrtype::kA);
  EXPECT_EQ(inspectUpstreamAnswer(upstreamResponse("nx.example.test", {}, 600, 30), q).cache_ttl,
            30u);
  EXPECT_EQ(inspectUpstreamAnswer(upstreamResponse("nx.example.test", {}, 10, 30), q).cache_ttl,
            10u);
  const auto no_soa =
      inspectUpstreamAnswer(upstreamResponse("nx.example.test", {}, 0, 0, false), q);
  EXPECT_TRUE(no_soa.valid);
  EXPECT_EQ(no_soa.rcode, Rcode::kNxDomain);
  EXPECT_FALSE(no_soa.cache_ttl.has_value()) << "RFC 2308 §5: no SOA, no negative caching";
}

TEST(UpstreamAnswer, OtherQuestionsAndGarbageAreRejected) {
  const Query q = parsed("www.example.test", rrtype::kA);
  EXPECT_FALSE(inspectUpstreamAnswer(upstreamResponse("xyz.example.test", {60}), q).valid);
  EXPECT_FALSE(inspectUpstreamAnswer(upstreamResponse("www.example.test", {60}),
                                     parsed("www.example.test", rrtype::kAaaa))
                   .valid);
  auto cut = upstreamResponse("www.example.test", {60});
  cut.resize(cut.size() - 15);
  EXPECT_FALSE(inspectUpstreamAnswer(cut, q).valid);
  EXPECT_FALSE(inspectUpstreamAnswer(makeQuery("www.example.test", 1), q).valid) << "no QR";
  // Case differences are fine (RFC 4343).
  EXPECT_TRUE(inspectUpstreamAnswer(upstreamResponse("WWW.example.TEST", {60}), q).valid);
}

TEST(CachedAnswer, ServedWithClientIdCaseAndTtlCountedDown) {
  const Query first = parsed("www.example.test", rrtype::kA);
  const Cached c = cache(upstreamResponse("www.example.test", {60, 20}), first, t0);
  EXPECT_EQ(c.answer.expires, t0 + 20s);
  testing::QueryOptions o = testing::edns(1232);
  o.id = 0xBEEF;
  const Query other = parsed("WwW.Example.TEST", rrtype::kA, o);
  const auto out = serve(c.answer, other, t0 + 7s);
  const auto d = decodeResponse(out);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->id, 0xBEEF);
  EXPECT_EQ(d->qname, "WwW.Example.TEST.");
  EXPECT_FALSE(d->aa());
  EXPECT_TRUE(d->flags & flag::kRa);
  ASSERT_EQ(d->answers.size(), 2u);
  EXPECT_EQ(d->answers[0].ttl, 53u);
  EXPECT_EQ(d->answers[1].ttl, 13u);
  EXPECT_TRUE(d->has_opt);
  // Without EDNS0 the client gets no OPT.
  const auto plain = decodeResponse(serve(c.answer, parsed("www.example.test", 1), t0));
  EXPECT_FALSE(plain->has_opt);
  EXPECT_EQ(plain->answers.size(), 2u);
}

TEST(CachedAnswer, TtlsAreCappedByMaxTtl) {
  const Query q = parsed("www.example.test", rrtype::kA);
  const Cached c = cache(upstreamResponse("www.example.test", {86400}), q, t0, 300s);
  EXPECT_EQ(c.answer.expires, t0 + 300s);
  EXPECT_EQ(decodeResponse(serve(c.answer, q, t0))->answers[0].ttl, 300u);
}

TEST(CachedAnswer, StaleAnswersCarryTtl30) {
  const Query q = parsed("www.example.test", rrtype::kA);
  const Cached c = cache(upstreamResponse("www.example.test", {5}), q, t0);
  EXPECT_EQ(decodeResponse(serve(c.answer, q, t0 + 100s, true))->answers[0].ttl, kStaleAnswerTtl);
}

TEST(CachedAnswer, TooBigForTheClientIsTruncatedToTheQuestion) {
  const Query q = parsed("www.example.test", rrtype::kA);
  std::vector<uint32_t> many(40, 60);  // 40 × 16 bytes: past 512
  const Cached c = cache(upstreamResponse("www.example.test", many), q, t0);
  std::vector<uint8_t> out(kMaxMessageSize);
  const ServedAnswer s = writeCachedAnswer(c.answer, q, 512, out, t0, false, 4096);
  EXPECT_TRUE(s.truncated);
  out.resize(s.size);
  const auto d = decodeResponse(out);
  EXPECT_TRUE(d->tc());
  EXPECT_TRUE(d->answers.empty());
  EXPECT_EQ(d->qname, "www.example.test.");
}

TEST(ResponseCache, FreshThenStaleWithinTheWindowThenGone) {
  ResponseCache rc({.max_entries = 10, .max_ttl = 300s, .serve_stale = 3600s});
  const Query q = parsed("www.example.test", rrtype::kA);
  Cached c = cache(upstreamResponse("www.example.test", {10}), q, t0);
  rc.insert(c.key, std::move(c.answer));
  EXPECT_EQ(rc.find(c.key, t0 + 9s).state, ResponseCache::State::kFresh);
  EXPECT_EQ(rc.find(c.key, t0 + 10s).state, ResponseCache::State::kStale);
  EXPECT_EQ(rc.find(c.key, t0 + 10s + 3599s).state, ResponseCache::State::kStale);
  EXPECT_EQ(rc.find(c.key, t0 + 10s + 3600s).state, ResponseCache::State::kMiss);
  EXPECT_EQ(rc.size(), 0u) << "expired past the window: erased";
}

TEST(ResponseCache, ServeStaleOffMeansExpiredIsAMiss) {
  ResponseCache rc({.max_entries = 10, .max_ttl = 300s, .serve_stale = 0s});
  const Query q = parsed("www.example.test", rrtype::kA);
  Cached c = cache(upstreamResponse("www.example.test", {10}), q, t0);
  rc.insert(c.key, std::move(c.answer));
  EXPECT_EQ(rc.find(c.key, t0 + 10s).state, ResponseCache::State::kMiss);
}

TEST(ResponseCache, NegativeEntriesLiveForTheSoaMinimum) {
  ResponseCache rc({.max_entries = 10, .max_ttl = 300s, .serve_stale = 0s});
  const Query q = parsed("nx.example.test", rrtype::kA);
  Cached c = cache(upstreamResponse("nx.example.test", {}, 3600, 15), q, t0);
  EXPECT_TRUE(c.inspected.negative);
  rc.insert(c.key, std::move(c.answer));
  const auto hit = rc.find(c.key, t0 + 14s);
  ASSERT_EQ(hit.state, ResponseCache::State::kFresh);
  EXPECT_EQ(hit.answer->rcode, Rcode::kNxDomain);
  const auto d = decodeResponse(serve(*hit.answer, q, t0 + 14s));
  EXPECT_EQ(d->rcode, 3);
  ASSERT_EQ(d->authority.size(), 1u);
  EXPECT_EQ(rc.find(c.key, t0 + 15s).state, ResponseCache::State::kMiss);
}

TEST(ResponseCache, KeysAreCaseInsensitiveAndIncludeType) {
  const Query a = parsed("WWW.example.test", rrtype::kA);
  const Query b = parsed("www.EXAMPLE.test", rrtype::kA);
  const Query c = parsed("www.example.test", rrtype::kAaaa);
  CacheKeyBuffer ka, kb, kc;
  EXPECT_EQ(cacheKey(a, ka), cacheKey(b, kb));
  EXPECT_NE(cacheKey(a, ka), cacheKey(c, kc));
}

TEST(ResponseCache, LeastRecentlyUsedIsEvictedAtTheBound) {
  ResponseCache rc({.max_entries = 2, .max_ttl = 300s, .serve_stale = 0s});
  std::vector<std::string> keys;
  for (const char* name : {"a.example.test", "b.example.test", "c.example.test"}) {
    const Query q = parsed(name, rrtype::kA);
    Cached c = cache(upstreamResponse(name, {60}), q, t0);
    keys.push_back(c.key);
    rc.insert(c.key, std::move(c.answer));
    if (keys.size() == 2) {
      // Touch "a" so "b" is the least recently used when "c" arrives.
      EXPECT_EQ(rc.find(keys[0], t0).state, ResponseCache::State::kFresh);
    }
  }
  EXPECT_EQ(rc.size(), 2u);
  EXPECT_EQ(rc.find(keys[0], t0).state, ResponseCache::State::kFresh);
  EXPECT_EQ(rc.find(keys[1], t0).state, ResponseCache::State::kMiss);
  EXPECT_EQ(rc.find(keys[2], t0).state, ResponseCache::State::kFresh);
}

TEST(ServFail, EchoesTheQuestion) {
  testing::QueryOptions o = testing::edns(1232);
  o.id = 77;
  const Query q = parsed("www.example.test", rrtype::kA, o);
  std::vector<uint8_t> out(kMaxMessageSize);
  out.resize(writeServFail(q, out, 4096).size);
  const auto d = decodeResponse(out);
  EXPECT_EQ(d->id, 77);
  EXPECT_EQ(d->rcode, 2);
  EXPECT_EQ(d->qname, "www.example.test.");
  EXPECT_TRUE(d->has_opt);
}

}  // namespace
}  // namespace ferry::dns
