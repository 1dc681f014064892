// The codec on its own: names in and out of wire form, compression, and malformed input that
// must end in a clean error, never a crash or a loop.
#include <gmock/gmock.h>

#include <random>

#include "answer_fixture.h"
#include "ferry/dns/domain_name.h"
#include "ferry/dns/message_writer.h"
#include "ferry/dns/query.h"

namespace ferry::dns::testing {
namespace {

NameError readAll(const std::vector<uint8_t>& m, size_t offset, std::string* text = nullptr) {
  std::array<uint8_t, kMaxNameLength> out{};
  size_t length = 0, next = 0;
  const NameError e = readName(m, offset, out, length, next);
  if (text && e == NameError::kNone) {
    *text = nameToText({reinterpret_cast<const char*>(out.data()), length});
  }
  return e;
}

TEST(DnsDomainName, TextRoundTrip) {
  auto wire = nameFromText("Web.default.svc.cluster.local.");
  ASSERT_TRUE(wire.has_value());
  EXPECT_EQ(wire->size(), 31u);
  EXPECT_EQ(nameToText(*wire), "Web.default.svc.cluster.local.");
  EXPECT_EQ(nameFromText(".").value(), std::string(1, '\0'));
  EXPECT_FALSE(nameFromText("a..b").has_value());
  EXPECT_FALSE(nameFromText(std::string(64, 'a') + ".com").has_value());
  std::string long_name;
  for (int i = 0; i < 130; ++i) long_name += "a.";
  EXPECT_FALSE(nameFromText(long_name).has_value());  // 260 bytes in wire form
}

TEST(DnsDomainName, SubdomainOnLabelBoundariesOnly) {
  const auto zone = nameFromText("cluster.local").value();
  EXPECT_TRUE(isSubdomain(nameFromText("a.cluster.local").value(), zone));
  EXPECT_TRUE(isSubdomain(zone, zone));
  EXPECT_FALSE(isSubdomain(nameFromText("acluster.local").value(), zone));
  EXPECT_FALSE(isSubdomain(nameFromText("local").value(), zone));
}

TEST(DnsDomainName, PointerLoopsAreRefused) {
  std::vector<uint8_t> m(12, 0);
  m.insert(m.end(), {0xC0, 12});  // points at itself
  EXPECT_EQ(readAll(m, 12), NameError::kBadPointer);
  std::vector<uint8_t> two(12, 0);
  two.insert(two.end(), {1, 'a', 0xC0, 14, 0xC0, 12});  // a -> forward -> back: a cycle
  EXPECT_EQ(readAll(two, 12), NameError::kBadPointer);
  EXPECT_EQ(readAll(two, 16), NameError::kBadPointer);
}

TEST(DnsDomainName, BackwardPointersDecode) {
  std::vector<uint8_t> m(12, 0);
  m.insert(m.end(), {3, 'c', 'o', 'm', 0, 3, 'w', 'w', 'w', 0xC0, 12});
  std::string text;
  EXPECT_EQ(readAll(m, 17, &text), NameError::kNone);
  EXPECT_EQ(text, "www.com.");
}

TEST(DnsDomainName, OversizedLabelsNamesAndTruncationAreErrors) {
  std::vector<uint8_t> label(12, 0);
  label.push_back(64);  // 0x40: the reserved extended label type, never a length
  label.insert(label.end(), 64, 'a');
  label.push_back(0);
  EXPECT_EQ(readAll(label, 12), NameError::kBadLabelType);

  std::vector<uint8_t> name(12, 0);
  for (int i = 0; i < 5; ++i) {
    name.push_back(63);
    name.insert(name.end(), 63, 'a');
  }
  name.push_back(0);
  EXPECT_EQ(readAll(name, 12), NameError::kNameTooLong);

  std::vector<uint8_t> cut(12, 0);
  cut.insert(cut.end(), {5, 'a', 'b'});
  EXPECT_EQ(readAll(cut, 12), NameError::kTruncated);
  EXPECT_EQ(readAll(cut, 40), NameError::kTruncated);
}

TEST(DnsMessageWriter, CompressesRepeatedNamesAndRespectsTheLimit) {
  std::vector<uint8_t> buf(kMaxMessageSize);
  MessageWriter w(buf, 512);
  w.writeHeader(7, flag::kQr);
  const auto qname = nameFromText("web.default.svc.cluster.local").value();
  ASSERT_TRUE(w.addQuestion(qname, rrtype::kA, rrclass::kIn));
  const size_t after_question = w.size();
  Record a;
  a.type = rrtype::kA;
  a.ttl = 5;
  a.fixed = std::string("\x0a\x60\x00\x0a", 4);
  ASSERT_TRUE(w.addRecord(Section::kAnswer, qname, a));
  // Owner as a 2-byte pointer + type, class, TTL, RDLENGTH + 4 address bytes.
  EXPECT_EQ(w.size() - after_question, 2u + 10u + 4u);

  Record cname;
  cname.type = rrtype::kCname;
  cname.ttl = 5;
  cname.target = nameFromText("db.default.svc.cluster.local").value();
  const size_t before = w.size();
  ASSERT_TRUE(w.addRecord(Section::kAnswer, qname, cname));
  // The target shares "default.svc.cluster.local": "db" plus a pointer.
  EXPECT_EQ(w.size() - before, 2u + 10u + 3u + 2u);

  while (w.addRecord(Section::kAnswer, qname, a)) {
  }
  EXPECT_LE(w.size(), 512u);
  std::vector<uint8_t> message(buf.begin(), buf.begin() + static_cast<long>(w.size()));
  auto decoded = decodeResponse(message);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->answers.size(), w.count(Section::kAnswer));
  EXPECT_EQ(decoded->answers.at(1).data, "db.default.svc.cluster.local.");
}

TEST(DnsQueryParser, ReadsQuestionAndEdns) {
  auto m = makeQuery("A.B", rrtype::kSrv, edns(1400));
  Query q;
  auto outcome = parseQuery(m, q);
  ASSERT_EQ(outcome.status, ParseStatus::kOk);
  EXPECT_EQ(q.qtype, rrtype::kSrv);
  EXPECT_EQ(nameToText(q.nameWire()), "A.B.");
  EXPECT_EQ(nameToText(q.lowerWire()), "a.b.");
  EXPECT_TRUE(q.has_edns);
  EXPECT_EQ(q.edns_udp_size, 1400);
}

TEST(DnsQueryParser, EveryTruncationOfAQueryIsACleanError) {
  const auto full = makeQuery("web.default.svc.cluster.local", rrtype::kA, edns(1232));
  for (size_t n = 0; n < full.size(); ++n) {
    Query q;
    const std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    const auto outcome = parseQuery(cut, q);
    if (n < kHeaderSize) {
      EXPECT_EQ(outcome.status, ParseStatus::kDrop) << n;
    } else {
      EXPECT_EQ(outcome.status, ParseStatus::kFormErr) << n;
    }
  }
}

// Random and mutated packets through the whole responder: every one either gets no answer or a
// well-formed response carrying the query's ID.
TEST_F(DnsAnswerTest, MalformedPacketsNeverCrashTheResponder) {
  std::mt19937 rng(20261122);
  const auto seed = makeQuery("_pg._tcp.db.apps.svc.cluster.local", rrtype::kSrv, edns(4096));
  std::vector<uint8_t> out(kMaxMessageSize);
  size_t answered = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> m;
    if (i % 2 == 0) {
      m.resize(rng() % 600);
      for (auto& b : m) b = static_cast<uint8_t>(rng());
    } else {
      m = seed;
      for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips) {
        m[rng() % m.size()] = static_cast<uint8_t>(rng());
      }
      if (rng() % 3 == 0) m.resize(rng() % m.size());
    }
    m.resize(std::max<size_t>(m.size(), 0));
    const Response r = respond(*index_->snapshot(), m, Transport::kUdp, out);
    ASSERT_LE(r.size, 4096u);
    if (r.size == 0) continue;
    ++answered;
    std::vector<uint8_t> reply(out.begin(), out.begin() + static_cast<long>(r.size));
    auto decoded = decodeResponse(reply);
    ASSERT_TRUE(decoded.has_value()) << "iteration " << i;
    EXPECT_EQ(decoded->id, (m[0] << 8) | m[1]);
    EXPECT_TRUE(decoded->flags & flag::kQr);
  }
  EXPECT_GT(answered, 1000u);
}

}  // namespace
}  // namespace ferry::dns::testing
