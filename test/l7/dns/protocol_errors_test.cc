// Response codes for queries we will not or cannot answer, and the header fields every response
// must echo.
#include <gmock/gmock.h>

#include "answer_fixture.h"

namespace ferry::dns::testing {
namespace {

constexpr int kFormErr = 1, kNotImp = 4, kRefused = 5, kBadVers = 16;

TEST_F(DnsAnswerTest, ResponseEchoesIdRdAndQuestion) {
  auto r = ask("web.default.svc.cluster.local", rrtype::kA, withId(0xBEEF));
  EXPECT_EQ(r.id, 0xBEEF);
  EXPECT_TRUE(r.flags & flag::kQr);
  EXPECT_TRUE(r.flags & flag::kRd);
  EXPECT_FALSE(r.flags & flag::kRa);  // no recursion offered
  EXPECT_EQ(r.qtype, rrtype::kA);
  EXPECT_FALSE(r.has_opt);  // the query had none
}

TEST_F(DnsAnswerTest, NamesOutsideOurZonesAreRefusedWithoutForwarding) {
  auto r = ask("example.com", rrtype::kA);
  EXPECT_EQ(r.rcode, kRefused);
  EXPECT_FALSE(r.aa());
  EXPECT_EQ(ask("local", rrtype::kA).rcode, kRefused);
  EXPECT_EQ(ask("xcluster.local", rrtype::kA).rcode, kRefused);
}

TEST_F(DnsAnswerTest, ZoneTransfersAndOtherClassesAreRefused) {
  EXPECT_EQ(ask("cluster.local", rrtype::kAxfr).rcode, kRefused);
  EXPECT_EQ(ask("cluster.local", rrtype::kIxfr).rcode, kRefused);
  EXPECT_EQ(ask("web.default.svc.cluster.local", rrtype::kA, withClass(3)).rcode, kRefused);
}

TEST_F(DnsAnswerTest, OpcodesOtherThanQueryAreNotImplemented) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA);
  query[2] |= 0x28;  // opcode 5 (UPDATE)
  auto r = send(query);
  EXPECT_EQ(r.rcode, kNotImp);
  EXPECT_EQ((r.flags >> 11) & 0xF, 5);
}

TEST_F(DnsAnswerTest, BadQuestionCountIsFormErr) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA);
  query[5] = 2;
  EXPECT_EQ(send(query).rcode, kFormErr);
  query[5] = 0;
  EXPECT_EQ(send(query).rcode, kFormErr);
}

TEST_F(DnsAnswerTest, RecordCountsBeyondTheMessageAreFormErr) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA);
  query[7] = 3;  // three answers that are not there
  EXPECT_EQ(send(query).rcode, kFormErr);
  EXPECT_EQ(last_.problem, ParseProblem::kBadRecord);
}

TEST_F(DnsAnswerTest, TwoOptRecordsAreFormErr) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA, edns(1232));
  const std::vector<uint8_t> opt(query.end() - 11, query.end());
  query.insert(query.end(), opt.begin(), opt.end());
  query[11] = 2;
  EXPECT_EQ(send(query).rcode, kFormErr);
  EXPECT_EQ(last_.problem, ParseProblem::kBadOpt);
}

TEST_F(DnsAnswerTest, UnknownEdnsVersionIsBadVers) {
  auto r = ask("web.default.svc.cluster.local", rrtype::kA, edns(1232, 1));
  EXPECT_EQ(r.rcode, kBadVers);
  EXPECT_TRUE(r.has_opt);
  EXPECT_TRUE(r.answers.empty());
}

TEST_F(DnsAnswerTest, ResponsesAndRuntsAreDropped) {
  auto query = makeQuery("web.default.svc.cluster.local", rrtype::kA);
  query[2] |= 0x80;  // QR: this is a response
  std::vector<uint8_t> out(kMaxMessageSize);
  EXPECT_EQ(respond(*index_->snapshot(), query, Transport::kUdp, out).size, 0u);
  const std::vector<uint8_t> runt(query.begin(), query.begin() + 11);
  EXPECT_EQ(respond(*index_->snapshot(), runt, Transport::kUdp, out).size, 0u);
}

}  // namespace
}  // namespace ferry::dns::testing
