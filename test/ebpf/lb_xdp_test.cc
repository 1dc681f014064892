// Packet fixtures through the real XDP load balancer with BPF_PROG_TEST_RUN (Katran's way of
// testing BPF programs): verdicts, the DNAT result, checksums recomputed independently, the
// conntrack and drop-counter side effects, and byte-for-byte parity with the reference model's
// NAT (ferry::model::natRewrite over the same input and the backend the program chose).
//
// Needs root (bpf()): label "privileged"; skips when not root.
#include "ferry/ebpf/lb_xdp.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ferry/abi/ct.h"
#include "ferry/abi/flow_hash.h"
#include "ferry/abi/lb.h"
#include "ferry/ebpf/maglev_tables.h"
#include "ferry/model/address.h"
#include "ferry/model/backend_selection.h"
#include "ferry/model/maglev.h"
#include "ferry/model/nat.h"
#include "ferry/model/packet_view.h"
#include "ferry/testing/packet_builder.h"
#include "ferry/testing/packet_checks.h"

namespace {

using ferry::ebpf::LbXdp;
using ferry::ebpf::LbXdpOptions;
using ferry::model::IpAddress;
using ferry::testing::Bytes;
using ferry::testing::PacketBuilder;

constexpr uint32_t kSvc4 = 1;       // 10.96.0.10:80/TCP, round robin over backends 1, 2
constexpr uint32_t kSvc6 = 2;       // [fd00:96::10]:80/TCP, random over backends 3, 4
constexpr uint32_t kSvcEmpty = 3;   // 10.96.0.20:80/TCP, no backends
constexpr uint32_t kSvcMaglev = 4;  // 10.96.0.30:80/TCP, Maglev over backends 1, 2, 5

struct Backend {
  uint32_t id;
  const char* address;
  uint16_t port;
};
constexpr Backend kBackends[] = {
    {1, "10.0.1.1", 8080},  {2, "10.0.1.2", 8080}, {3, "fd00:1::1", 8080},
    {4, "fd00:1::2", 8080}, {5, "10.0.1.3", 8080},
};

const Backend* backendById(uint32_t id) {
  for (const Backend& b : kBackends)
    if (b.id == id) return &b;
  return nullptr;
}

ferry_addr addr(const char* text) {
  auto ip = IpAddress::parse(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip ? ip->raw() : ferry_addr{};
}

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

struct RunResult {
  uint32_t verdict = 0;
  Bytes out;
};

class LbXdpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for bpf()";
    LbXdpOptions options;
    // Small maps keep the load fast; the program's behaviour does not depend on capacity.
    options.sizes = {.services = 64,
                     .slots = 256,
                     .backends = 64,
                     .rev_nat = 64,
                     .affinity = 64,
                     .conntrack = 1024};
    options.ct_timeouts.tcp_syn_s = 7;  // proves the loader's rodata reaches the program
    std::string error;
    lb_ = LbXdp::load(options, error);
    ASSERT_NE(lb_, nullptr) << error;

    for (const Backend& b : kBackends) {
      ferry_lb_backend value{};
      value.addr = addr(b.address);
      value.port = ferry_htons(b.port);
      value.proto = FERRY_IPPROTO_TCP;
      ASSERT_EQ(bpf_map_update_elem(lb_->maps().backends, &b.id, &value, BPF_ANY), 0)
          << std::strerror(errno);
    }
    addService("10.96.0.10", 80, kSvc4, FERRY_LB_ROUND_ROBIN, {1, 2});
    addService("fd00:96::10", 80, kSvc6, FERRY_LB_RANDOM, {3, 4});
    addService("10.96.0.20", 80, kSvcEmpty, FERRY_LB_RANDOM, {});
    addService("10.96.0.30", 80, kSvcMaglev, FERRY_LB_MAGLEV, {1, 2, 5});
  }

  // The Maglev table the agent would write for `ids`: built by the model from the backends'
  // identities, slot values = backend ids.
  static ferry::model::MaglevTable maglevTableFor(const std::vector<uint32_t>& ids) {
    std::vector<ferry::model::MaglevBackend> mb;
    for (uint32_t id : ids) {
      const Backend* b = backendById(id);
      mb.push_back({ferry::model::maglevIdentity(*IpAddress::parse(b->address), b->port), 1, id});
    }
    return ferry::model::buildMaglev(mb, FERRY_MAGLEV_SIZE).table;
  }

  void addService(const char* vip, uint16_t port, uint32_t svc_id, uint8_t algorithm,
                  const std::vector<uint32_t>& backend_ids) {
    ferry_lb_svc_key key{};
    key.addr = addr(vip);
    key.port = ferry_htons(port);
    key.proto = FERRY_IPPROTO_TCP;
    key.scope = FERRY_SCOPE_EXTERNAL;
    ferry_lb_svc_value value{};
    value.svc_id = svc_id;
    value.backend_count = static_cast<uint16_t>(backend_ids.size());
    value.rev_nat_id = static_cast<uint16_t>(svc_id);
    value.algorithm = algorithm;
    ASSERT_EQ(bpf_map_update_elem(lb_->maps().services, &key, &value, BPF_ANY), 0);
    for (uint32_t slot = 1; slot <= backend_ids.size(); ++slot)
      setSlot(svc_id, slot, backend_ids[slot - 1]);
  }

  void setSlot(uint32_t svc_id, uint32_t slot, uint32_t backend_id) {
    ferry_lb_slot_key key{svc_id, slot};
    ASSERT_EQ(bpf_map_update_elem(lb_->maps().slots, &key, &backend_id, BPF_ANY), 0);
  }

  RunResult run(const Bytes& in) {
    RunResult r;
    r.out.assign(in.size() + 256, 0);
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in.data(), .data_out = r.out.data(),
                .data_size_in = static_cast<__u32>(in.size()),
                .data_size_out = static_cast<__u32>(r.out.size()), .repeat = 1);
    int err = bpf_prog_test_run_opts(lb_->programFd(), &opts);
    EXPECT_EQ(err, 0) << "bpf_prog_test_run_opts: " << std::strerror(errno);
    r.verdict = opts.retval;
    r.out.resize(opts.data_size_out);
    return r;
  }

  std::optional<ferry_ct_entry> ctEntry(const Bytes& packet) {
    auto parsed = ferry::model::parsePacket(packet);
    EXPECT_EQ(parsed.status, ferry::model::ParseStatus::kOk);
    ferry_ct_key key{};
    key.tuple = parsed.pkt.tuple;
    key.tuple.pad = 0;
    key.dir = FERRY_CT_ORIGINAL;
    ferry_ct_entry e{};
    if (bpf_map_lookup_elem(lb_->maps().conntrack, &key, &e) != 0) return std::nullopt;
    return e;
  }

  uint64_t drops(ferry_drop_reason reason) {
    std::string error;
    auto counters = lb_->dropCounters(error);
    EXPECT_TRUE(counters.has_value()) << error;
    return counters ? (*counters)[reason] : 0;
  }

  // What the reference model makes of `in` when DNATed to `backend`.
  static Bytes modelDnat(const Bytes& in, const Backend& backend) {
    Bytes frame = in;
    auto parsed = ferry::model::parsePacket(frame);
    EXPECT_EQ(parsed.status, ferry::model::ParseStatus::kOk);
    int rc = ferry::model::natRewrite(frame, parsed, ferry::model::NatSide::kDestination,
                                      *IpAddress::parse(backend.address), backend.port);
    EXPECT_EQ(rc, FERRY_DROP_NONE);
    return frame;
  }

  // Runs `in` (a packet to a balanced service), checks the forward-path contract and returns
  // the backend the program chose.
  const Backend* expectForwarded(const Bytes& in, uint32_t svc_id) {
    RunResult r = run(in);
    EXPECT_EQ(r.verdict, static_cast<uint32_t>(XDP_TX));
    EXPECT_EQ(r.out.size(), in.size());
    auto ct = ctEntry(in);
    EXPECT_TRUE(ct.has_value()) << "no conntrack entry for the flow";
    if (!ct) return nullptr;
    EXPECT_EQ(ct->svc_id, svc_id);
    EXPECT_EQ(ct->rev_nat_id, svc_id);
    const Backend* backend = backendById(ct->backend_id);
    EXPECT_NE(backend, nullptr) << "conntrack names backend id " << ct->backend_id;
    if (!backend) return nullptr;

    auto out = ferry::model::parsePacket(r.out);
    EXPECT_EQ(out.status, ferry::model::ParseStatus::kOk);
    EXPECT_EQ(out.destination().toString(), IpAddress::parse(backend->address)->toString());
    EXPECT_EQ(out.destinationPort(), backend->port);
    if (out.pkt.tuple.family == FERRY_AF_INET) {
      EXPECT_TRUE(ferry::testing::verifyIpv4HeaderChecksum(r.out))
          << ferry::testing::hexdump(r.out);
    }
    EXPECT_TRUE(ferry::testing::verifyL4Checksum(r.out)) << ferry::testing::hexdump(r.out);

    Bytes want = modelDnat(in, *backend);
    EXPECT_TRUE(r.out == want) << ferry::testing::describePacketDiff(want, r.out);
    return backend;
  }

  std::unique_ptr<LbXdp> lb_;
};

Bytes syn4(uint16_t sport, const char* dst = "10.96.0.10", uint16_t dport = 80) {
  return PacketBuilder()
      .ipv4("10.0.0.1", dst)
      .tcp(sport, dport)
      .seq(1000)
      .tcpFlags(ferry::testing::kTcpSyn)
      .build();
}

Bytes syn6(uint16_t sport) {
  return PacketBuilder()
      .ipv6("fd00:5::1", "fd00:96::10")
      .tcp(sport, 80)
      .seq(1000)
      .tcpFlags(ferry::testing::kTcpSyn)
      .build();
}

TEST_F(LbXdpTest, Ipv4SynIsForwardedToABackend) {
  Bytes in = syn4(40000);
  uint64_t before = monotonicNs();
  const Backend* b = expectForwarded(in, kSvc4);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->id, 1U) << "round robin starts at slot 1";

  auto ct = ctEntry(in);
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(ct->state, FERRY_CT_SYN_SENT);
  EXPECT_EQ(ct->packets, 1U);
  EXPECT_EQ(ct->bytes, in.size());
  // tcp_syn_s = 7 came in through the program's read-only data.
  EXPECT_GE(ct->expires_ns, before + 7 * FERRY_NSEC_PER_SEC);
  EXPECT_LT(ct->expires_ns, monotonicNs() + 7 * FERRY_NSEC_PER_SEC);
}

TEST_F(LbXdpTest, SameFlowStaysOnItsBackendThroughConntrack) {
  Bytes syn = syn4(40001);
  const Backend* first = expectForwarded(syn, kSvc4);
  ASSERT_NE(first, nullptr);
  // Round robin would pick the other backend for a new flow: these must come from conntrack.
  Bytes ack = PacketBuilder()
                  .ipv4("10.0.0.1", "10.96.0.10")
                  .tcp(40001, 80)
                  .seq(1001)
                  .ack(1)
                  .tcpFlags(ferry::testing::kTcpAck)
                  .payload("GET / HTTP/1.1\r\n\r\n")
                  .build();
  for (int i = 0; i < 3; ++i) {
    const Backend* again = expectForwarded(ack, kSvc4);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->id, first->id);
  }
  auto ct = ctEntry(syn);
  ASSERT_TRUE(ct.has_value());
  EXPECT_EQ(ct->packets, 4U);
  EXPECT_EQ(ct->bytes, syn.size() + 3 * ack.size());
  // A new flow goes round to the other backend.
  const Backend* other = expectForwarded(syn4(40002), kSvc4);
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->id, first->id);
}

TEST_F(LbXdpTest, RoundRobinAlternatesBackends) {
  std::vector<uint32_t> chosen;
  for (uint16_t sport = 41000; sport < 41004; ++sport) {
    const Backend* b = expectForwarded(syn4(sport), kSvc4);
    ASSERT_NE(b, nullptr);
    chosen.push_back(b->id);
  }
  EXPECT_EQ(chosen, (std::vector<uint32_t>{1, 2, 1, 2}));
}

TEST_F(LbXdpTest, Ipv6SynIsForwardedAndStaysOnItsBackend) {
  Bytes in = syn6(40000);
  const Backend* first = expectForwarded(in, kSvc6);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(first->id == 3 || first->id == 4) << first->id;
  // Random selection: without conntrack 7 more runs would all agree with chance 1/128.
  for (int i = 0; i < 7; ++i) {
    const Backend* again = expectForwarded(in, kSvc6);
    ASSERT_NE(again, nullptr);
    EXPECT_EQ(again->id, first->id);
  }
}

TEST_F(LbXdpTest, FlowMovesWhenItsBackendVanishes) {
  Bytes in = syn4(40003);
  const Backend* first = expectForwarded(in, kSvc4);
  ASSERT_NE(first, nullptr);
  uint32_t gone = first->id;
  uint32_t remaining = gone == 1 ? 2 : 1;
  // The agent removes the backend: slots first, then the backend itself.
  ferry_lb_svc_key key{};
  key.addr = addr("10.96.0.10");
  key.port = ferry_htons(80);
  key.proto = FERRY_IPPROTO_TCP;
  ferry_lb_svc_value value{};
  ASSERT_EQ(bpf_map_lookup_elem(lb_->maps().services, &key, &value), 0);
  value.backend_count = 1;
  setSlot(kSvc4, 1, remaining);
  ASSERT_EQ(bpf_map_update_elem(lb_->maps().services, &key, &value, BPF_ANY), 0);
  ASSERT_EQ(bpf_map_delete_elem(lb_->maps().backends, &gone), 0);

  const Backend* moved = expectForwarded(in, kSvc4);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(moved->id, remaining);
}

// Maglev: every new flow goes to the backend the model's table gives for the model's flow
// hash (parity with ferry::model::pickMaglev over ferry_flow_hash); after a backend leaves,
// flows it did not own keep their backend (the property Maglev exists for); without a table
// the service is still balanced (at random over its slots).
TEST_F(LbXdpTest, MaglevFollowsTheModelsTableAndMovesOnlyTheLeaversFlows) {
  const ferry::model::MaglevTable table = maglevTableFor({1, 2, 5});
  ferry::ebpf::MaglevTables tables(lb_->maps().maglev);
  std::string error;
  ASSERT_TRUE(tables.set(kSvcMaglev, table, error)) << error;

  std::map<uint32_t, int> per_backend;
  std::map<uint16_t, uint32_t> owner;
  for (uint16_t sport = 42000; sport < 42300; ++sport) {
    const Bytes in = syn4(sport, "10.96.0.30");
    auto parsed = ferry::model::parsePacket(in);
    ASSERT_EQ(parsed.status, ferry::model::ParseStatus::kOk);
    const uint32_t want = ferry::model::pickMaglev(table, ferry_flow_hash(&parsed.pkt.tuple, 0));
    const Backend* b = expectForwarded(in, kSvcMaglev);
    ASSERT_NE(b, nullptr);
    ASSERT_EQ(b->id, want) << "sport " << sport;
    ++per_backend[b->id];
    owner[sport] = b->id;
  }
  EXPECT_EQ(per_backend.size(), 3U) << "300 flows should reach all three backends";

  // Backend 5 leaves: a new table, rewritten in place; new flows (fresh conntrack: other
  // client address) whose old owner was 1 or 2 keep it.
  const ferry::model::MaglevTable smaller = maglevTableFor({1, 2});
  ASSERT_TRUE(tables.set(kSvcMaglev, smaller, error)) << error;
  int kept = 0, moved = 0;
  for (const auto& [sport, was] : owner) {
    const Bytes in = PacketBuilder()
                         .ipv4("10.0.0.1", "10.96.0.30")
                         .tcp(sport, 80)
                         .seq(1000)
                         .tcpFlags(ferry::testing::kTcpSyn)
                         .build();
    // Same tuple: conntrack still holds it, so flush it to see a fresh choice.
    auto parsed = ferry::model::parsePacket(in);
    ferry_ct_key key{};
    key.tuple = parsed.pkt.tuple;
    key.tuple.pad = 0;
    key.dir = FERRY_CT_ORIGINAL;
    bpf_map_delete_elem(lb_->maps().conntrack, &key);
    const Backend* b = expectForwarded(in, kSvcMaglev);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->id, ferry::model::pickMaglev(smaller, ferry_flow_hash(&parsed.pkt.tuple, 0)));
    if (was != 5) {
      EXPECT_EQ(b->id, was) << "a flow of a backend that stayed moved";
      ++kept;
    } else {
      EXPECT_NE(b->id, 5U);
      ++moved;
    }
  }
  EXPECT_GT(kept, 0);
  EXPECT_GT(moved, 0);

  tables.remove(kSvcMaglev);
  const Backend* fallback = expectForwarded(syn4(43000, "10.96.0.30"), kSvcMaglev);
  ASSERT_NE(fallback, nullptr);
  EXPECT_TRUE(fallback->id == 1 || fallback->id == 2 || fallback->id == 5);
}

TEST_F(LbXdpTest, UnknownFrontendPassesUnchanged) {
  for (const Bytes& in : {syn4(40000, "10.96.0.11", 80), syn4(40000, "10.96.0.10", 443)}) {
    RunResult r = run(in);
    EXPECT_EQ(r.verdict, static_cast<uint32_t>(XDP_PASS));
    EXPECT_TRUE(r.out == in) << ferry::testing::describePacketDiff(in, r.out);
    EXPECT_FALSE(ctEntry(in).has_value());
  }
}

TEST_F(LbXdpTest, TruncatedPacketIsCountedAndDropped) {
  // Cut inside the IPv4 header (the parser checks it before anything else) and inside the
  // IPv6 one.
  const Bytes cut[] = {
      PacketBuilder().ipv4("10.0.0.1", "10.96.0.10").tcp(40000, 80).truncate(14 + 12).build(),
      PacketBuilder().ipv6("fd00:5::1", "fd00:96::10").tcp(40000, 80).truncate(14 + 30).build(),
  };
  uint64_t before = drops(FERRY_DROP_TRUNCATED);
  for (const Bytes& in : cut) EXPECT_EQ(run(in).verdict, static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(drops(FERRY_DROP_TRUNCATED), before + 2);
}

TEST_F(LbXdpTest, ServiceWithoutBackendsIsCountedAndDropped) {
  Bytes in = syn4(40000, "10.96.0.20", 80);
  uint64_t before = drops(FERRY_DROP_NO_BACKEND);
  RunResult r = run(in);
  EXPECT_EQ(r.verdict, static_cast<uint32_t>(XDP_DROP));
  EXPECT_EQ(drops(FERRY_DROP_NO_BACKEND), before + 1);
  EXPECT_FALSE(ctEntry(in).has_value());
}

TEST(LbXdpLoadTest, ZeroCapacityIsRefusedWithAMessage) {
  LbXdpOptions options;
  options.sizes.conntrack = 0;
  std::string error;
  EXPECT_EQ(LbXdp::load(options, error), nullptr);
  EXPECT_NE(error.find("ferry_ct"), std::string::npos) << error;
}

}  // namespace
