// The Kubernetes DNS specification (schema 1.0.1) table as test cases: one per record kind and
// per negative answer, against the cluster fixture.
#include <gmock/gmock.h>

#include "answer_fixture.h"

namespace ferry::dns::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr int kNoError = 0, kServFail = 2, kNxDomain = 3;

TEST_F(DnsAnswerTest, ClusterIpServiceAnswersItsAddressesPerFamily) {
  auto a = ask("web.default.svc.cluster.local", rrtype::kA);
  EXPECT_EQ(a.rcode, kNoError);
  EXPECT_TRUE(a.aa());
  EXPECT_THAT(a.answerData(rrtype::kA), ElementsAre("10.96.0.10"));
  EXPECT_EQ(a.answers.at(0).ttl, 5u);
  EXPECT_EQ(a.answers.at(0).name, "web.default.svc.cluster.local.");

  auto aaaa = ask("web.default.svc.cluster.local", rrtype::kAaaa);
  EXPECT_THAT(aaaa.answerData(rrtype::kAaaa), ElementsAre("fd00::10"));
}

TEST_F(DnsAnswerTest, NamedPortsGetSrvRecordsWithTargetAddressesInAdditional) {
  auto r = ask("_http._tcp.web.default.svc.cluster.local", rrtype::kSrv);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_THAT(r.answerData(rrtype::kSrv), ElementsAre("0 100 80 web.default.svc.cluster.local."));
  std::vector<std::string> glue;
  for (const auto& rec : r.additional) glue.push_back(rec.data);
  EXPECT_THAT(glue, UnorderedElementsAre("10.96.0.10", "fd00::10"));

  auto udp = ask("_dns._udp.web.default.svc.cluster.local", rrtype::kSrv);
  EXPECT_THAT(udp.answerData(rrtype::kSrv), ElementsAre("0 100 53 web.default.svc.cluster.local."));
}

TEST_F(DnsAnswerTest, UnnamedPortsGetNoSrvAndProtocolsDoNotMix) {
  // The _tcp level exists (it holds _http) so it is NODATA; a name for a port that does not
  // exist under that protocol is NXDOMAIN.
  auto ent = ask("_tcp.web.default.svc.cluster.local", rrtype::kSrv);
  EXPECT_EQ(ent.rcode, kNoError);
  EXPECT_THAT(ent.answers, IsEmpty());
  EXPECT_EQ(ask("_http._udp.web.default.svc.cluster.local", rrtype::kSrv).rcode, kNxDomain);
  EXPECT_EQ(ask("_8080._tcp.web.default.svc.cluster.local", rrtype::kSrv).rcode, kNxDomain);
}

TEST_F(DnsAnswerTest, ClusterIpEndpointsHaveNoNamesOfTheirOwn) {
  EXPECT_EQ(ask("web-host.web.default.svc.cluster.local", rrtype::kA).rcode, kNxDomain);
  EXPECT_EQ(ask("10-244-0-9.web.default.svc.cluster.local", rrtype::kA).rcode, kNxDomain);
}

TEST_F(DnsAnswerTest, HeadlessServiceListsReadyEndpointsOnly) {
  auto a = ask("db.apps.svc.cluster.local", rrtype::kA);
  EXPECT_EQ(a.rcode, kNoError);
  EXPECT_THAT(a.answerData(rrtype::kA), UnorderedElementsAre("10.244.1.5", "10.244.1.6"));
  auto aaaa = ask("db.apps.svc.cluster.local", rrtype::kAaaa);
  EXPECT_THAT(aaaa.answerData(rrtype::kAaaa), ElementsAre("fd00::1:5"));
}

TEST_F(DnsAnswerTest, HeadlessEndpointsAreNamedByHostnameElseDashedAddress) {
  auto host = ask("db-0.db.apps.svc.cluster.local", rrtype::kA);
  EXPECT_THAT(host.answerData(rrtype::kA), ElementsAre("10.244.1.5"));
  auto host6 = ask("db-0.db.apps.svc.cluster.local", rrtype::kAaaa);
  EXPECT_THAT(host6.answerData(rrtype::kAaaa), ElementsAre("fd00::1:5"));
  auto dashed = ask("10-244-1-6.db.apps.svc.cluster.local", rrtype::kA);
  EXPECT_THAT(dashed.answerData(rrtype::kA), ElementsAre("10.244.1.6"));
  // Not ready: not published.
  EXPECT_EQ(ask("db-2.db.apps.svc.cluster.local", rrtype::kA).rcode, kNxDomain);
}

TEST_F(DnsAnswerTest, HeadlessSrvPointsAtEachReadyEndpoint) {
  auto r = ask("_pg._tcp.db.apps.svc.cluster.local", rrtype::kSrv);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_THAT(r.answerData(rrtype::kSrv),
              UnorderedElementsAre("0 100 5432 db-0.db.apps.svc.cluster.local.",
                                   "0 100 5432 10-244-1-6.db.apps.svc.cluster.local."));
  std::vector<std::string> glue;
  for (const auto& rec : r.additional) glue.push_back(rec.name + " " + rec.data);
  EXPECT_THAT(glue, UnorderedElementsAre("db-0.db.apps.svc.cluster.local. 10.244.1.5",
                                         "db-0.db.apps.svc.cluster.local. fd00::1:5",
                                         "10-244-1-6.db.apps.svc.cluster.local. 10.244.1.6"));
}

TEST_F(DnsAnswerTest, HeadlessWithoutReadyEndpointsIsNxDomain) {
  for (const char* name : {"empty.apps.svc.cluster.local", "noslices.apps.svc.cluster.local"}) {
    auto r = ask(name, rrtype::kA);
    EXPECT_EQ(r.rcode, kNxDomain) << name;
    ASSERT_EQ(r.authority.size(), 1u) << name;
    EXPECT_EQ(r.authority[0].type, rrtype::kSoa);
  }
}

TEST_F(DnsAnswerTest, ExternalNameIsACname) {
  for (uint16_t type : {rrtype::kA, rrtype::kAaaa, rrtype::kCname}) {
    auto r = ask("ext.default.svc.cluster.local", type);
    EXPECT_EQ(r.rcode, kNoError);
    EXPECT_THAT(r.answerData(rrtype::kCname), ElementsAre("example.com.")) << type;
    EXPECT_EQ(r.answers.size(), 1u);
  }
}

TEST_F(DnsAnswerTest, ReversePointersForClusterIpsAndEndpoints) {
  EXPECT_THAT(ask("10.0.96.10.in-addr.arpa", rrtype::kPtr).answerData(rrtype::kPtr),
              ElementsAre("web.default.svc.cluster.local."));
  EXPECT_THAT(ask("5.1.244.10.in-addr.arpa", rrtype::kPtr).answerData(rrtype::kPtr),
              ElementsAre("db-0.db.apps.svc.cluster.local."));
  EXPECT_THAT(ask("6.1.244.10.in-addr.arpa", rrtype::kPtr).answerData(rrtype::kPtr),
              ElementsAre("10-244-1-6.db.apps.svc.cluster.local."));
  // fd00::10, nibbles reversed (RFC 3596 §2.5).
  const std::string v6 = "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa";
  EXPECT_THAT(ask(v6, rrtype::kPtr).answerData(rrtype::kPtr),
              ElementsAre("web.default.svc.cluster.local."));
  auto unknown = ask("1.2.3.4.in-addr.arpa", rrtype::kPtr);
  EXPECT_EQ(unknown.rcode, kNxDomain);
  ASSERT_EQ(unknown.authority.size(), 1u);
  EXPECT_EQ(unknown.authority[0].name, "in-addr.arpa.");
}

TEST_F(DnsAnswerTest, InsecurePodNamesEchoTheirAddress) {
  auto r = ask("10-244-7-8.anyns.pod.cluster.local", rrtype::kA);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_THAT(r.answerData(rrtype::kA), ElementsAre("10.244.7.8"));
  auto v6 = ask("fd00--7.anyns.pod.cluster.local", rrtype::kAaaa);
  EXPECT_THAT(v6.answerData(rrtype::kAaaa), ElementsAre("fd00::7"));
  EXPECT_EQ(ask("10-244-7-8.anyns.pod.cluster.local", rrtype::kAaaa).answers.size(), 0u);
  EXPECT_EQ(ask("not-an-ip.anyns.pod.cluster.local", rrtype::kA).rcode, kNxDomain);
  EXPECT_EQ(ask("10-244-7-8.x.y.pod.cluster.local", rrtype::kA).rcode, kNxDomain);
}

TEST_F(DnsAnswerTest, VerifiedPodNamesNeedAKnownPod) {
  ZoneConfig config;
  config.pods = PodMode::kVerified;
  load(config);
  EXPECT_THAT(ask("10-244-0-9.default.pod.cluster.local", rrtype::kA).answerData(rrtype::kA),
              ElementsAre("10.244.0.9"));
  EXPECT_EQ(ask("10-244-0-9.apps.pod.cluster.local", rrtype::kA).rcode, kNxDomain);
  EXPECT_EQ(ask("10-244-7-8.default.pod.cluster.local", rrtype::kA).rcode, kNxDomain);
}

TEST_F(DnsAnswerTest, DnsVersionTxt) {
  auto r = ask("dns-version.cluster.local", rrtype::kTxt);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_THAT(r.answerData(rrtype::kTxt), ElementsAre("\"1.0.1\""));
}

TEST_F(DnsAnswerTest, ApexHasSoaAndNs) {
  auto soa = ask("cluster.local", rrtype::kSoa);
  ASSERT_EQ(soa.answers.size(), 1u);
  EXPECT_THAT(
      soa.answers[0].data,
      ::testing::MatchesRegex("ns\\.dns\\.cluster\\.local\\. hostmaster\\.cluster\\.local\\. "
                              "[0-9]+ 7200 1800 86400 5"));
  EXPECT_THAT(ask("cluster.local", rrtype::kNs).answerData(rrtype::kNs),
              ElementsAre("ns.dns.cluster.local."));
}

TEST_F(DnsAnswerTest, NoDataVersusNxDomainBothCarryTheSoa) {
  ZoneConfig config;
  config.negative_ttl = 3;
  load(config);
  auto nodata = ask("web.default.svc.cluster.local", rrtype::kTxt);
  EXPECT_EQ(nodata.rcode, kNoError);
  EXPECT_THAT(nodata.answers, IsEmpty());
  ASSERT_EQ(nodata.authority.size(), 1u);
  EXPECT_EQ(nodata.authority[0].type, rrtype::kSoa);
  EXPECT_EQ(nodata.authority[0].name, "cluster.local.");
  EXPECT_EQ(nodata.authority[0].ttl, 3u);  // RFC 2308: min(SOA TTL, MINIMUM)

  for (const char* missing : {"nope.default.svc.cluster.local", "web.nons.svc.cluster.local",
                              "a.b.web.default.svc.cluster.local"}) {
    auto nx = ask(missing, rrtype::kA);
    EXPECT_EQ(nx.rcode, kNxDomain) << missing;
    ASSERT_EQ(nx.authority.size(), 1u) << missing;
    EXPECT_EQ(nx.authority[0].type, rrtype::kSoa);
  }
  // A namespace with services, and svc/pod levels, are empty non-terminals: NODATA.
  for (const char* ent : {"default.svc.cluster.local", "svc.cluster.local", "pod.cluster.local"}) {
    auto r = ask(ent, rrtype::kA);
    EXPECT_EQ(r.rcode, kNoError) << ent;
    EXPECT_THAT(r.answers, IsEmpty()) << ent;
  }
}

TEST_F(DnsAnswerTest, MatchingIgnoresCaseAndEchoesTheQuestion) {
  auto r = ask("WeB.DeFault.SVC.Cluster.LOCAL", rrtype::kA);
  EXPECT_EQ(r.rcode, kNoError);
  EXPECT_EQ(r.qname, "WeB.DeFault.SVC.Cluster.LOCAL.");
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].name, "WeB.DeFault.SVC.Cluster.LOCAL.");
}

TEST_F(DnsAnswerTest, UdpAnswerPast512BytesIsTruncated) {
  auto r = ask("big.apps.svc.cluster.local", rrtype::kA);
  EXPECT_TRUE(r.tc());
  EXPECT_THAT(r.answers, IsEmpty());
  EXPECT_LE(r.size, 512u);
  EXPECT_EQ(r.qname, "big.apps.svc.cluster.local.");
}

TEST_F(DnsAnswerTest, Edns4096FitsTheLargeAnswerAndEchoesOpt) {
  auto r = ask("big.apps.svc.cluster.local", rrtype::kA, edns(4096));
  EXPECT_FALSE(r.tc());
  EXPECT_EQ(r.answers.size(), static_cast<size_t>(kBigEndpoints));
  EXPECT_GT(r.size, 512u);
  EXPECT_LE(r.size, 4096u);
  EXPECT_TRUE(r.has_opt);
  EXPECT_EQ(r.opt_udp_size, 4096);
}

TEST_F(DnsAnswerTest, SmallEdnsSizeStillTruncatesAndKeepsOpt) {
  auto r = ask("big.apps.svc.cluster.local", rrtype::kA, edns(600));
  EXPECT_TRUE(r.tc());
  EXPECT_TRUE(r.has_opt);
  EXPECT_LE(r.size, 600u);
}

TEST_F(DnsAnswerTest, TcpCarriesTheWholeAnswer) {
  auto r = ask("big.apps.svc.cluster.local", rrtype::kA, {}, Transport::kTcp);
  EXPECT_FALSE(r.tc());
  EXPECT_EQ(r.answers.size(), static_cast<size_t>(kBigEndpoints));
}

TEST_F(DnsAnswerTest, ServFailBeforeTheFirstSync) {
  load(ZoneConfig{}, /*synced=*/false);
  EXPECT_EQ(ask("web.default.svc.cluster.local", rrtype::kA).rcode, kServFail);
  EXPECT_EQ(ask("nope.default.svc.cluster.local", rrtype::kA).rcode, kServFail);
  index_->markSynced();
  EXPECT_EQ(ask("web.default.svc.cluster.local", rrtype::kA).rcode, kNoError);
}

TEST_F(DnsAnswerTest, ZoneAndTtlAreConfigurable) {
  ZoneConfig config;
  config.origin = "Corp.Internal.";
  config.ttl = 30;
  load(config);
  auto r = ask("web.default.svc.corp.internal", rrtype::kA);
  EXPECT_EQ(r.rcode, kNoError);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].ttl, 30u);
  EXPECT_THAT(ask("dns-version.corp.internal", rrtype::kTxt).answerData(rrtype::kTxt),
              ElementsAre("\"1.0.1\""));
  EXPECT_EQ(ask("web.default.svc.cluster.local", rrtype::kA).rcode, 5);  // REFUSED
}

}  // namespace
}  // namespace ferry::dns::testing
