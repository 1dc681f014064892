// Runs queries through respond() against a ZoneIndex loaded with the cluster fixture.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "cluster_fixture.h"
#include "dns_packets.h"
#include "ferry/dns/responder.h"
#include "ferry/dns/zone_index.h"

namespace ferry::dns::testing {

class DnsAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override { load(ZoneConfig{}); }

  void load(ZoneConfig config, bool synced = true) {
    index_ = std::make_unique<ZoneIndex>(std::move(config));
    const nlohmann::json objects = clusterObjects();  // the loop must not outlive it
    for (const auto& item : objects["items"]) {
      auto applied = index_->apply(item["kind"].get<std::string>(), item);
      ASSERT_TRUE(applied.ok()) << applied.error();
    }
    if (synced) index_->markSynced();
  }

  DecodedResponse ask(const std::string& name, uint16_t qtype, const QueryOptions& options = {},
                      Transport transport = Transport::kUdp) {
    return send(makeQuery(name, qtype, options), transport);
  }

  DecodedResponse send(const std::vector<uint8_t>& query, Transport transport = Transport::kUdp) {
    std::vector<uint8_t> out(kMaxMessageSize);
    const Response r = respond(*index_->snapshot(), query, transport, out);
    out.resize(r.size);
    last_ = r;
    auto decoded = decodeResponse(out);
    EXPECT_TRUE(decoded.has_value()) << "response does not decode";
    return decoded.value_or(DecodedResponse{});
  }

  std::unique_ptr<ZoneIndex> index_;
  Response last_;
};

}  // namespace ferry::dns::testing
