// Fuzz target for every byte string ferry-dns accepts from the network, through the functions
// the server itself calls: a client's query answered over UDP and TCP from a zone built from the
// shared test cluster, and an upstream's answer inspected, cached and served back to a client.
// Besides the sanitizers' findings it traps when an answer breaks a size invariant.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cluster_fixture.h"
#include "ferry/dns/cluster_objects.h"
#include "ferry/dns/query.h"
#include "ferry/dns/responder.h"
#include "ferry/dns/response_cache.h"
#include "ferry/dns/zone_builder.h"

namespace {

using namespace ferry::dns;

void require(bool condition) {
  if (!condition) __builtin_trap();
}

std::shared_ptr<const Zone> testZone() {
  ClusterObjects objects;
  const nlohmann::json list = testing::clusterObjects();
  for (const nlohmann::json& item : list["items"]) {
    const std::string kind = item["kind"].get<std::string>();
    const ObjectKey key{item["metadata"]["namespace"].get<std::string>(),
                        item["metadata"]["name"].get<std::string>()};
    if (kind == "Service") {
      auto parsed = parseService(item);
      if (parsed.ok()) objects.services.emplace(key, std::move(parsed.value()));
    } else if (kind == "EndpointSlice") {
      auto parsed = parseEndpointSlice(item);
      if (parsed.ok()) objects.slices.emplace(key, std::move(parsed.value()));
    } else if (kind == "Pod") {
      auto parsed = parsePod(item);
      if (parsed.ok()) objects.pods.emplace(key, std::move(parsed.value()));
    }
  }
  return buildZone(ZoneConfig{}, objects, /*synced=*/true, /*serial=*/1);
}

// A client query: the server's answer path on both transports.
void answerAsServer(const Zone& zone, std::span<const uint8_t> input, std::span<uint8_t> out) {
  for (Transport transport : {Transport::kUdp, Transport::kTcp}) {
    const Response r = respond(zone, input, transport, out);
    require(r.size <= out.size());
    Query q;
    if (r.size > 0 && parseQuery(input, q).status == ParseStatus::kOk) {
      require(r.size <= responseLimit(q, transport, ResponderOptions{}));
    }
  }
}

// An upstream answer: the forwarder checks it answers our question, caches it and serves it.
// The question is the input's own (with QR cleared), so mutations reach the record parsing.
void answerFromUpstream(std::span<const uint8_t> input, std::span<uint8_t> out) {
  if (input.size() < kHeaderSize) return;
  std::vector<uint8_t> as_query(input.begin(), input.end());
  as_query[2] &= 0x7f;  // QR off
  Query question;
  if (parseQuery(as_query, question).status != ParseStatus::kOk) return;

  const UpstreamAnswer inspected = inspectUpstreamAnswer(input, question);
  if (!inspected.valid) return;
  require(inspected.size <= input.size());
  for (uint16_t offset : inspected.ttl_offsets) require(offset + 4u <= inspected.size);
  if (!inspected.cache_ttl) return;

  const auto now = CacheClock::now();
  ResponseCache cache(CacheOptions{});
  CacheKeyBuffer key_buffer;
  const std::string_view key = cacheKey(question, key_buffer);
  cache.insert(key, makeCachedAnswer(input, inspected, now, std::chrono::seconds(300)));
  const ResponseCache::Found found = cache.find(key, now);
  require(found.answer != nullptr);
  for (size_t limit : {kClassicUdpPayload, kMaxMessageSize}) {
    for (bool stale : {false, true}) {
      const ServedAnswer served =
          writeCachedAnswer(*found.answer, question, limit, out, now, stale, 1232);
      require(served.size <= limit && served.size <= out.size());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const Zone> zone = testZone();
  static std::vector<uint8_t> out(kMaxMessageSize);
  const std::span<const uint8_t> input(data, size);
  answerAsServer(*zone, input, out);
  answerFromUpstream(input, out);
  return 0;
}
