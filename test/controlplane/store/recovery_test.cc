// Durability: reopen after clean close, torn and corrupt log tails, snapshots and compaction,
// damaged snapshots, the directory lock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "crc32c.h"
#include "ferry/store/embedded_store.h"
#include "snapshot_file.h"
#include "store_test_util.h"
#include "wal.h"

namespace ferry::controlplane::store {
namespace {

namespace fs = std::filesystem;
using testing::openOrDie;
using testing::optionsFor;
using testing::TempDir;
using testing::waitFor;

std::string readAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeAll(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void copyDir(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from))
    fs::copy_file(e.path(), to / e.path().filename());
}

// The segments holding records, oldest first.
std::vector<fs::path> segmentsWithRecords(const fs::path& dir) {
  std::vector<fs::path> out;
  auto segments = wal::listSegments(dir);
  EXPECT_TRUE(segments.ok());
  for (const auto& s : *segments) {
    if (fs::file_size(s.path) > 0) out.push_back(s.path);
  }
  return out;
}

std::string key(int i) {
  return "/k/" + std::to_string(i);
}

// Writes keys 1..n, one revision each, and closes the store.
void writeKeys(const fs::path& dir, int n) {
  auto s = openOrDie(optionsFor(dir));
  for (int i = 1; i <= n; ++i) {
    auto w = s->create(key(i), "value-" + std::to_string(i));
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->revision, i);
  }
}

// Opens `dir` and checks it holds exactly keys 1..n at revision n, then that a new write gets
// revision n + 1 and survives another reopen.
void expectRecoveredExactly(const fs::path& dir, int n) {
  {
    auto s = openOrDie(optionsFor(dir));
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->currentRevision(), n);
    for (int i = 1; i <= n; ++i) {
      auto kv = s->get(key(i));
      ASSERT_TRUE(kv.ok()) << key(i);
      EXPECT_EQ(kv->value, "value-" + std::to_string(i));
      EXPECT_EQ(kv->mod_revision, i);
    }
    auto all = s->range({.prefix = "/k/"});
    EXPECT_EQ(all->items.size(), static_cast<size_t>(n)) << "nothing after the damage survives";
    auto w = s->create("/after", "x");
    ASSERT_TRUE(w.ok()) << w.status().toString();
    EXPECT_EQ(w->revision, n + 1);
  }
  auto s = openOrDie(optionsFor(dir));
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->currentRevision(), n + 1);
  EXPECT_TRUE(s->get("/after").ok());
}

TEST(Crc32c, KnownAnswers) {
  // RFC 3720 B.4 test vectors and the classic check value.
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAU);
  EXPECT_EQ(crc32c(std::string(32, '\xff')), 0x62A8AB43U);
  std::string inc;
  for (int i = 0; i < 32; ++i) inc.push_back(static_cast<char>(i));
  EXPECT_EQ(crc32c(inc), 0x46DD794EU);
  EXPECT_EQ(crc32c(""), 0U);
}

TEST(Crc32c, ExtendEqualsWhole) {
  std::string data;
  for (int i = 0; i < 1000; ++i) data.push_back(static_cast<char>(i * 7));
  for (size_t cut : {0UL, 1UL, 7UL, 8UL, 9UL, 500UL, 999UL, 1000UL}) {
    const uint32_t a = crc32c(std::string_view(data).substr(0, cut));
    EXPECT_EQ(crc32cExtend(a, data.data() + cut, data.size() - cut), crc32c(data)) << cut;
  }
}

TEST(WalFormat, RecordRoundTrip) {
  std::vector<TxnOp> ops = {TxnOp::put("/a", "1"), TxnOp::del("/b"),
                            TxnOp::put("/c", std::string("\0\xff", 2))};
  std::string rec = wal::encodeTxnRecord(ops);
  wal::finishRecord(rec, 42);
  auto scan = wal::scanRecords(rec);
  ASSERT_EQ(scan.records.size(), 1U);
  EXPECT_EQ(scan.stop, wal::ScanStop::kEnd);
  EXPECT_EQ(scan.records[0].revision, 42);
  std::vector<TxnOp> back;
  ASSERT_TRUE(wal::decodeTxnPayload(scan.records[0].payload, back).ok());
  ASSERT_EQ(back.size(), 3U);
  EXPECT_EQ(back[1].type, TxnOp::Type::kDelete);
  EXPECT_EQ(back[2].value, std::string("\0\xff", 2));
}

TEST(WalFormat, GarbageLengthIsCorruptNotAHugeRead) {
  std::string rec = wal::encodeTxnRecord({TxnOp::put("/a", "1")});
  wal::finishRecord(rec, 1);
  rec[3] = '\x7f';  // length now ~2 GiB
  EXPECT_EQ(wal::scanRecords(rec).stop, wal::ScanStop::kCorrupt);
}

TEST(Recovery, ReopenAfterCleanCloseKeepsEverything) {
  TempDir dir;
  {
    auto s = openOrDie(optionsFor(dir.path()));
    ASSERT_TRUE(s->create("/a", "1").ok());     // 1
    ASSERT_TRUE(s->update("/a", "2", 0).ok());  // 2
    ASSERT_TRUE(s->create("/b", "1").ok());     // 3
    ASSERT_TRUE(s->remove("/b", 0).ok());       // 4
    TxnRequest t;
    t.ops = {TxnOp::put("/x", "1"), TxnOp::put("/y", "1")};
    ASSERT_TRUE(s->txn(t).ok());  // 5
  }
  auto s = openOrDie(optionsFor(dir.path()));
  EXPECT_EQ(s->currentRevision(), 5);
  EXPECT_EQ(s->stats().recovered_records, 5U);
  auto a = s->get("/a");
  EXPECT_EQ(a->value, "2");
  EXPECT_EQ(a->version, 2);
  EXPECT_EQ(a->create_revision, 1);
  EXPECT_EQ(s->get("/b").code(), StatusCode::kNotFound);
  EXPECT_EQ(s->get("/x")->mod_revision, 5);
  EXPECT_EQ(s->get("/a", 1)->value, "1") << "history is rebuilt from the log";
  EXPECT_EQ(s->get("/b", 3)->value, "1");
  auto w = s->watch("/", 0);
  ASSERT_TRUE(w.ok());
  std::vector<Event> events;
  EXPECT_TRUE((*w)->poll(events, 100).ok());
  EXPECT_EQ(events.size(), 6U);
  EXPECT_EQ(s->create("/c", "1")->revision, 6);
}

TEST(Recovery, TornTailAtEveryOffsetOfTheLastRecord) {
  TempDir dir;
  constexpr int kRecords = 5;
  writeKeys(dir / "pristine", kRecords);
  const auto segments = segmentsWithRecords(dir / "pristine");
  ASSERT_EQ(segments.size(), 1U);
  const std::string bytes = readAll(segments[0]);
  const auto scan = wal::scanRecords(bytes);
  ASSERT_EQ(scan.records.size(), static_cast<size_t>(kRecords));
  const auto last = scan.records.back();
  for (uint64_t cut = last.offset; cut < last.end; ++cut) {
    SCOPED_TRACE("truncated at byte " + std::to_string(cut));
    const fs::path work = dir / "work";
    copyDir(dir / "pristine", work);
    fs::resize_file(work / segments[0].filename(), cut);
    {
      auto s = openOrDie(optionsFor(work));
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(s->stats().recovery_truncated_bytes, cut - last.offset);
    }
    expectRecoveredExactly(work, kRecords - 1);
    if (::testing::Test::HasFailure()) return;  // one offset's failure tells the story
  }
}

TEST(Recovery, BitFlipsInTheLastRecordAreDetected) {
  TempDir dir;
  constexpr int kRecords = 5;
  writeKeys(dir / "pristine", kRecords);
  const auto segment = segmentsWithRecords(dir / "pristine").at(0);
  const std::string bytes = readAll(segment);
  const auto last = wal::scanRecords(bytes).records.back();
  for (uint64_t at = last.offset; at < last.end; ++at) {
    for (int bit : {0, 5}) {
      SCOPED_TRACE("bit " + std::to_string(bit) + " of byte " + std::to_string(at));
      const fs::path work = dir / "work";
      copyDir(dir / "pristine", work);
      std::string damaged = bytes;
      damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
      writeAll(work / segment.filename(), damaged);
      expectRecoveredExactly(work, kRecords - 1);
      if (::testing::Test::HasFailure()) return;
    }
  }
}

TEST(Recovery, CorruptRecordInTheMiddleDropsEverythingAfterIt) {
  TempDir dir;
  writeKeys(dir.path(), 6);
  const auto segment = segmentsWithRecords(dir.path()).at(0);
  std::string bytes = readAll(segment);
  const auto third = wal::scanRecords(bytes).records.at(2);
  bytes[third.offset + wal::kHeaderBytes + 3] ^= 0x10;
  writeAll(segment, bytes);
  {
    auto s = openOrDie(optionsFor(dir.path()));
    EXPECT_EQ(s->stats().recovery_truncated_bytes, bytes.size() - third.offset);
  }
  expectRecoveredExactly(dir.path(), 2);
}

TEST(Recovery, DamageInAnEarlierSegmentDropsTheLaterSegments) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;  // every batch starts a new segment
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 6; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
  }
  const auto segments = segmentsWithRecords(dir.path());
  ASSERT_EQ(segments.size(), 6U);
  std::string bytes = readAll(segments[3]);  // holds revision 4
  bytes[bytes.size() - 1] ^= 0x01;
  writeAll(segments[3], bytes);
  {
    auto s = openOrDie(options);
    EXPECT_EQ(s->currentRevision(), 3);
    EXPECT_EQ(s->stats().recovery_dropped_segments, 3U)
        << "revisions 5, 6 and the empty active one";
    for (int i = 4; i <= 6; ++i) EXPECT_EQ(s->get(key(i)).code(), StatusCode::kNotFound);
  }
  expectRecoveredExactly(dir.path(), 3);
}

TEST(Recovery, DamageASnapshotCoversDoesNotCostLaterWrites) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->snapshot().ok());
    for (int i = 6; i <= 10; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->snapshot().ok());  // the log from revision 6 on stays for the fallback
    for (int i = 11; i <= 13; ++i) {
      ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    }
  }
  const auto segments = segmentsWithRecords(dir.path());
  ASSERT_EQ(segments.size(), 8U);
  std::string bytes = readAll(segments[1]);  // revision 7, inside the newest snapshot
  bytes[wal::kHeaderBytes + 2] ^= 0x04;
  writeAll(segments[1], bytes);
  {
    auto s = openOrDie(options);
    EXPECT_EQ(s->stats().recovery_covered_damage, 1U);
    EXPECT_EQ(s->stats().recovery_dropped_segments, 0U);
  }
  expectRecoveredExactly(dir.path(), 13);
}

TEST(Recovery, DamageTheSnapshotDoesNotCoverStillEndsTheLog) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->snapshot().ok());
    for (int i = 4; i <= 6; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
  }
  const auto segments = segmentsWithRecords(dir.path());
  ASSERT_EQ(segments.size(), 3U);  // 4, 5, 6: the rest went with the snapshot
  std::string bytes = readAll(segments[1]);
  bytes[wal::kHeaderBytes + 2] ^= 0x04;
  writeAll(segments[1], bytes);
  {
    auto s = openOrDie(options);
    EXPECT_EQ(s->stats().recovery_covered_damage, 0U);
    EXPECT_EQ(s->currentRevision(), 4);
  }
  expectRecoveredExactly(dir.path(), 4);
}

TEST(Recovery, RecordsOutOfSequenceAreTreatedAsDamage) {
  TempDir dir;
  writeKeys(dir.path(), 3);
  // Append a well-formed record that skips a revision: stale bytes, not a continuation.
  const auto segment = segmentsWithRecords(dir.path()).at(0);
  std::string rec = wal::encodeTxnRecord({TxnOp::put("/k/5", "value-5")});
  wal::finishRecord(rec, 5);
  writeAll(segment, readAll(segment) + rec);
  expectRecoveredExactly(dir.path(), 3);
}

TEST(Recovery, SnapshotAndCompactionSurviveReopen) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 10; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->update(key(1), "updated", 0).ok());  // 11
    ASSERT_TRUE(s->remove(key(2), 0).ok());             // 12
    ASSERT_TRUE(s->compact(8).ok());
    ASSERT_TRUE(s->create(key(13), "value-13").ok());  // 13
    EXPECT_EQ(s->stats().snapshots_written, 1U);
    ASSERT_TRUE(s->snapshot().ok());
    EXPECT_GT(s->stats().wal_segments_deleted, 0U) << "the log covered by the snapshots went";
  }
  auto snaps = snapshot::list(dir.path());
  ASSERT_TRUE(snaps.ok());
  EXPECT_EQ(snaps->size(), 2U);
  auto s = openOrDie(options);
  EXPECT_EQ(s->stats().recovered_snapshot_revision, 13);
  EXPECT_EQ(s->currentRevision(), 13);
  EXPECT_EQ(s->compactedRevision(), 8);
  EXPECT_EQ(s->get(key(1), 7).code(), StatusCode::kCompacted);
  EXPECT_EQ(s->get(key(1), 8)->value, "value-1");
  EXPECT_EQ(s->get(key(1))->value, "updated");
  EXPECT_EQ(s->get(key(1))->version, 2);
  EXPECT_EQ(s->get(key(2)).code(), StatusCode::kNotFound);
  EXPECT_EQ(s->get(key(2), 11)->value, "value-2") << "history after the compaction point kept";
  EXPECT_EQ(s->watch("/", 7).code(), StatusCode::kCompacted);
  auto w = s->watch("/", 8);
  ASSERT_TRUE(w.ok());
  std::vector<Event> events;
  EXPECT_TRUE((*w)->poll(events, 100).ok());
  std::vector<Revision> revs;
  revs.reserve(events.size());
  for (const auto& e : events) revs.push_back(e.kv->mod_revision);
  EXPECT_EQ(revs, (std::vector<Revision>{9, 10, 11, 12, 13}));
  ASSERT_EQ(events.size(), 5U);
  ASSERT_NE(events[2].prev, nullptr) << "prev of an update survives the snapshot";
  EXPECT_EQ(events[2].prev->value, "value-1");
  EXPECT_EQ(events[3].type, EventType::kDelete);
  EXPECT_EQ(s->create("/new", "x")->revision, 14);
}

TEST(Recovery, PeriodicSnapshotsBoundTheLog) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 256;
  options.snapshot_after_records = 20;
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 200; ++i)
      ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(waitFor([&] { return s->stats().snapshots_written >= 2; }));
    EXPECT_GT(s->stats().wal_segments_deleted, 0U);
  }
  const auto left = wal::listSegments(dir.path());
  EXPECT_LT(left->size(), 100U);
  auto s = openOrDie(options);
  EXPECT_GT(s->stats().recovered_snapshot_revision, 0);
  EXPECT_EQ(s->currentRevision(), 200);
  for (int i = 1; i <= 200; ++i) ASSERT_TRUE(s->get(key(i)).ok()) << i;
}

TEST(Recovery, DamagedNewestSnapshotFallsBackToTheOlderOne) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;
  {
    auto s = openOrDie(options);
    for (int i = 1; i <= 5; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->snapshot().ok());
    for (int i = 6; i <= 10; ++i) ASSERT_TRUE(s->create(key(i), "value-" + std::to_string(i)).ok());
    ASSERT_TRUE(s->snapshot().ok());
    ASSERT_TRUE(s->create(key(11), "value-11").ok());
  }
  auto snaps = snapshot::list(dir.path());
  ASSERT_EQ(snaps->size(), 2U);
  std::string bytes = readAll(snaps->front().path);
  bytes[bytes.size() / 2] ^= 0x40;
  writeAll(snaps->front().path, bytes);
  {
    auto s = openOrDie(options);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->stats().recovery_bad_snapshots, 1U);
    EXPECT_EQ(s->stats().recovered_snapshot_revision, 5);
  }
  expectRecoveredExactly(dir.path(), 11);
}

TEST(Recovery, MissingLogAfterSnapshotIsRefusedNotGuessed) {
  TempDir dir;
  auto options = optionsFor(dir.path());
  options.segment_bytes = 1;
  {
    auto s = openOrDie(options);
    for (int round = 0; round < 3; ++round) {
      for (int i = 0; i < 3; ++i) ASSERT_TRUE(s->create(key(round * 3 + i), "v").ok());
      ASSERT_TRUE(s->snapshot().ok());
    }
  }
  auto snaps = snapshot::list(dir.path());
  ASSERT_TRUE(snaps.ok());
  for (const auto& f : *snaps) fs::remove(f.path);
  auto s = EmbeddedStore::open(options);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("missing"), std::string::npos) << s.status().message();
}

TEST(Recovery, LeftoverTemporaryFilesAreRemoved) {
  TempDir dir;
  writeKeys(dir.path(), 2);
  writeAll(dir / "snap-0000000000000009.snap.tmp", "half a snapshot");
  auto s = openOrDie(optionsFor(dir.path()));
  EXPECT_FALSE(fs::exists(dir / "snap-0000000000000009.snap.tmp"));
  EXPECT_EQ(s->currentRevision(), 2);
}

TEST(Recovery, DirectoryIsLockedWhileOpen) {
  TempDir dir;
  auto first = openOrDie(optionsFor(dir.path()));
  auto second = EmbeddedStore::open(optionsFor(dir.path()));
  EXPECT_EQ(second.code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  first.reset();
  auto third = EmbeddedStore::open(optionsFor(dir.path()));
  EXPECT_TRUE(third.ok()) << third.status().toString();
}

}  // namespace
}  // namespace ferry::controlplane::store
