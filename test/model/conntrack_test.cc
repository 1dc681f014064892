#include "ferry/model/conntrack.h"

#include <gtest/gtest.h>

#include "ferry/model/address.h"

namespace ferry::model {
namespace {

constexpr uint8_t kTcp = 6, kUdp = 17;
constexpr uint8_t SYN = FERRY_TCP_SYN, ACK = FERRY_TCP_ACK, FIN = FERRY_TCP_FIN,
                  RST = FERRY_TCP_RST;
constexpr uint8_t O = FERRY_CT_ORIGINAL, R = FERRY_CT_REPLY;

// The TCP state machine as a table: (state, flags, dir) -> state, with the FIN bookkeeping.
TEST(CtPolicy, TcpTransitions) {
  struct Row {
    uint8_t state, flags_in, tcp, dir, want_state, want_flags;
    int reopened;
  };
  const Row rows[] = {
      {FERRY_CT_SYN_SENT, 0, SYN | ACK, R, FERRY_CT_ESTABLISHED, 0, 0},
      {FERRY_CT_SYN_SENT, 0, SYN, O, FERRY_CT_SYN_SENT, 0, 0},  // retransmitted SYN
      {FERRY_CT_ESTABLISHED, 0, ACK, O, FERRY_CT_ESTABLISHED, 0, 0},
      {FERRY_CT_ESTABLISHED, 0, FIN | ACK, O, FERRY_CT_FIN_WAIT, FERRY_CT_F_FIN_ORIG, 0},
      {FERRY_CT_FIN_WAIT, FERRY_CT_F_FIN_ORIG, ACK, R, FERRY_CT_FIN_WAIT, FERRY_CT_F_FIN_ORIG, 0},
      {FERRY_CT_FIN_WAIT, FERRY_CT_F_FIN_ORIG, FIN | ACK, R, FERRY_CT_CLOSING,
       FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY, 0},
      {FERRY_CT_ESTABLISHED, 0, RST, R, FERRY_CT_CLOSED, 0, 0},
      {FERRY_CT_SYN_SENT, 0, RST | ACK, R, FERRY_CT_CLOSED, 0, 0},
      {FERRY_CT_CLOSED, 0, SYN, O, FERRY_CT_SYN_SENT, 0, 1},  // tuple reused
      {FERRY_CT_CLOSING, FERRY_CT_F_FIN_ORIG | FERRY_CT_F_FIN_REPLY, SYN, O, FERRY_CT_SYN_SENT, 0,
       1},
      {FERRY_CT_CLOSED, 0, FIN, O, FERRY_CT_CLOSED, FERRY_CT_F_FIN_ORIG, 0},
  };
  for (const Row& r : rows) {
    uint8_t state = r.state, flags = r.flags_in;
    int reopened = ferry_ct_advance(&state, &flags, kTcp, r.tcp, r.dir);
    EXPECT_EQ(state, r.want_state) << "from " << int(r.state) << " flags " << int(r.tcp);
    EXPECT_EQ(flags, r.want_flags) << "from " << int(r.state) << " flags " << int(r.tcp);
    EXPECT_EQ(reopened, r.reopened);
  }
}

TEST(CtPolicy, InitialStates) {
  EXPECT_EQ(ferry_ct_initial_state(kTcp, SYN), FERRY_CT_SYN_SENT);
  EXPECT_EQ(ferry_ct_initial_state(kTcp, ACK), FERRY_CT_ESTABLISHED) << "mid-stream pickup";
  EXPECT_EQ(ferry_ct_initial_state(kTcp, SYN | ACK), FERRY_CT_ESTABLISHED);
  EXPECT_EQ(ferry_ct_initial_state(kTcp, RST), FERRY_CT_CLOSED);
  EXPECT_EQ(ferry_ct_initial_state(kUdp, 0), FERRY_CT_UNREPLIED);
}

TEST(CtPolicy, UdpRepliedIsSticky) {
  uint8_t state = FERRY_CT_UNREPLIED, flags = 0;
  ferry_ct_advance(&state, &flags, kUdp, 0, O);
  EXPECT_EQ(state, FERRY_CT_UNREPLIED);
  ferry_ct_advance(&state, &flags, kUdp, 0, R);
  EXPECT_EQ(state, FERRY_CT_REPLIED);
  ferry_ct_advance(&state, &flags, kUdp, 0, O);
  EXPECT_EQ(state, FERRY_CT_REPLIED);
}

TEST(CtPolicy, LifetimesFollowTheConfiguredTimeouts) {
  ferry_ct_timeouts t = FERRY_CT_TIMEOUTS_DEFAULT;
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_SYN_SENT, &t), 60U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_ESTABLISHED, &t), 21600U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_FIN_WAIT, &t), 120U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_CLOSING, &t), 10U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_CLOSED, &t), 10U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_UNREPLIED, &t), 30U);
  EXPECT_EQ(ferry_ct_lifetime_s(FERRY_CT_REPLIED, &t), 120U);
  EXPECT_EQ(ferry_ct_max_lifetime_s(&t), 21600U);
  t.replied_s = 99999;
  EXPECT_EQ(ferry_ct_max_lifetime_s(&t), 99999U);
  EXPECT_EQ(ferry_ct_deadline(FERRY_CT_CLOSED, 5, &t), 5 + 10 * FERRY_NSEC_PER_SEC);
}

ferry_tuple tuple(uint16_t sport) {
  ferry_tuple t{};
  t.saddr = IpAddress::parse("10.244.1.5")->raw();
  t.daddr = IpAddress::parse("10.96.0.20")->raw();
  t.sport = ferry_htons(sport);
  t.dport = ferry_htons(80);
  t.proto = kTcp;
  t.family = FERRY_AF_INET;
  return t;
}

MonoTime sec(int s) {
  return std::chrono::seconds(s);
}

TEST(ConntrackTable, LifecycleOfATcpFlow) {
  ConntrackTable ct(16);
  auto key = makeCtKey(tuple(40000), FERRY_CT_ORIGINAL);
  EXPECT_EQ(ct.lookup(key, sec(0)), nullptr);
  auto& e = ct.create(key, kTcp, SYN, sec(0), 3, 7, 3);
  EXPECT_EQ(e.state, FERRY_CT_SYN_SENT);
  EXPECT_EQ(e.backend_id, 7U);
  ASSERT_NE(ct.lookup(key, sec(59)), nullptr);
  EXPECT_EQ(ct.lookup(key, sec(60)), nullptr) << "SYN lifetime is 60 s";

  auto& again = ct.create(key, kTcp, SYN, sec(100), 3, 7, 3);
  ct.touch(again, kTcp, SYN | ACK, FERRY_CT_REPLY, 60, sec(100));
  EXPECT_EQ(again.state, FERRY_CT_ESTABLISHED);
  EXPECT_EQ(again.packets, 1U);
  EXPECT_EQ(again.bytes, 60U);
  EXPECT_NE(ct.lookup(key, sec(100 + 21599)), nullptr);
  ct.touch(*ct.lookup(key, sec(200)), kTcp, RST, FERRY_CT_ORIGINAL, 40, sec(200));
  EXPECT_NE(ct.lookup(key, sec(209)), nullptr);
  EXPECT_EQ(ct.lookup(key, sec(210)), nullptr) << "closed flows linger 10 s";
  EXPECT_EQ(ct.expire(sec(210)), 1U);
  EXPECT_EQ(ct.size(), 0U);
}

TEST(ConntrackTable, EvictsLeastRecentlyUsedWhenFull) {
  ConntrackTable ct(2);
  auto k1 = makeCtKey(tuple(1), FERRY_CT_ORIGINAL);
  auto k2 = makeCtKey(tuple(2), FERRY_CT_ORIGINAL);
  auto k3 = makeCtKey(tuple(3), FERRY_CT_ORIGINAL);
  ct.create(k1, kTcp, SYN, sec(0), 1, 1, 1);
  ct.create(k2, kTcp, SYN, sec(0), 1, 1, 1);
  ASSERT_NE(ct.lookup(k1, sec(1)), nullptr);  // k1 is now the most recent
  ct.create(k3, kTcp, SYN, sec(2), 1, 1, 1);
  EXPECT_EQ(ct.size(), 2U);
  EXPECT_EQ(ct.evictions(), 1U);
  EXPECT_NE(ct.lookup(k1, sec(2)), nullptr);
  EXPECT_EQ(ct.lookup(k2, sec(2)), nullptr);
  EXPECT_NE(ct.lookup(k3, sec(2)), nullptr);
}

TEST(ConntrackTable, EraseIfPurgesFlowsToARemovedBackend) {
  ConntrackTable ct(16);
  for (uint16_t p = 1; p <= 6; ++p)
    ct.create(makeCtKey(tuple(p), FERRY_CT_ORIGINAL), kUdp, 0, sec(0), 1, p % 2 ? 5 : 6, 1);
  size_t purged =
      ct.eraseIf([](const ferry_ct_key&, const ferry_ct_entry& e) { return e.backend_id == 5; });
  EXPECT_EQ(purged, 3U);
  EXPECT_EQ(ct.size(), 3U);
  EXPECT_TRUE(ct.erase(makeCtKey(tuple(2), FERRY_CT_ORIGINAL)));
  EXPECT_FALSE(ct.erase(makeCtKey(tuple(2), FERRY_CT_ORIGINAL)));
}

TEST(ConntrackTable, DirectionIsPartOfTheKey) {
  ConntrackTable ct(16);
  auto fwd = makeCtKey(tuple(9), FERRY_CT_ORIGINAL);
  auto rev = makeCtKey(tuple(9), FERRY_CT_REPLY);
  ct.create(fwd, kTcp, SYN, sec(0), 1, 1, 1);
  EXPECT_EQ(ct.lookup(rev, sec(0)), nullptr);
}

}  // namespace
}  // namespace ferry::model
