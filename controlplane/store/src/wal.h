// The write-ahead log: append-only segment files "wal-<seq:016x>.log" in the data directory.
//
// Record = header (16 bytes) + payload:
//   u32 payload length | u32 CRC32C(length, revision, payload) | u64 revision | payload
// The CRC covers the length, so a torn or garbled header is caught, not trusted to size the
// next read. Every record is one write (one revision) and revisions are consecutive across the
// whole log: a record out of sequence is treated as corrupt, like a CRC mismatch.
//
// Payload (kind 1 = txn): u8 kind | u32 op count | ops sorted by key, each
//   u8 type (1 put, 2 delete) | u32 key length | key | (put) u32 value length | value
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/store/store.h"
#include "file_util.h"

namespace ferry::controlplane::store::wal {

inline constexpr size_t kHeaderBytes = 16;
// Larger lengths can only be garbage: the store refuses values anywhere near this.
inline constexpr uint32_t kMaxPayloadBytes = 1U << 30;
inline constexpr uint8_t kKindTxn = 1;

// A record with a zeroed header followed by the payload; finishRecord() fills in the header
// once the revision is known (on the committer thread, off the writers' lock).
std::string encodeTxnRecord(const std::vector<TxnOp>& ops);
void finishRecord(std::string& record, Revision revision);
Status decodeTxnPayload(std::string_view payload, std::vector<TxnOp>& ops);

struct RecordView {
  Revision revision = 0;
  std::string_view payload;
  uint64_t offset = 0;  // of the header within the segment
  uint64_t end = 0;     // offset just past the payload
};

enum class ScanStop {
  kEnd,      // the bytes end exactly at a record boundary
  kTorn,     // a header or payload runs past the end: a write cut short by a crash
  kCorrupt,  // impossible length or CRC mismatch
};

struct ScanResult {
  std::vector<RecordView> records;
  uint64_t valid_bytes = 0;  // offset of the first byte not part of a valid record
  ScanStop stop = ScanStop::kEnd;
};

// Parses records from the start of `bytes` up to the first torn or corrupt one.
ScanResult scanRecords(std::string_view bytes);

struct SegmentInfo {
  uint64_t seq = 0;
  std::filesystem::path path;
  Revision first_revision = 0;  // of its first record (or the next one if it has none yet)
  Revision last_revision = 0;   // of its last record; first_revision - 1 while empty
};

std::filesystem::path segmentPath(const std::filesystem::path& dir, uint64_t seq);
// The directory's segments, ordered by sequence number (revision ranges not filled in).
Result<std::vector<SegmentInfo>> listSegments(const std::filesystem::path& dir);

struct Recovery {
  std::vector<SegmentInfo> segments;
  uint64_t next_seq = 1;
  Revision last_revision = 0;  // of the last record kept (or the snapshot's revision)
  uint64_t replayed_records = 0;
  uint64_t truncated_bytes = 0;
  uint64_t dropped_segments = 0;
  uint64_t covered_damage = 0;  // damaged segments skipped because the snapshot covers them
};

// Replays, in order, every record with a revision above `snapshot_revision` through `apply`.
// Stops at the first torn, corrupt or out-of-sequence record, truncates its segment there and
// deletes every later segment: nothing after damage is trusted. The one exception is damage
// wholly below the snapshot, proven by the next segment starting at or before
// snapshot_revision + 1: replay resumes with that segment. Fails (kUnavailable) when the
// log does not reach back to the snapshot (a gap) or `apply` fails.
Result<Recovery> recover(const std::filesystem::path& dir, Revision snapshot_revision,
                         const std::function<Status(Revision, std::string_view)>& apply);

// The writing side. append/sync/maybeRoll belong to the committer thread; dropCoveredBy and
// segmentCount may be called from any thread.
class Writer {
 public:
  Writer(std::filesystem::path dir, uint64_t segment_bytes, std::function<int(int)> sync);

  // Adopts the segments recovery kept and opens a fresh one for `next_revision`.
  Status start(std::vector<SegmentInfo> segments, uint64_t next_seq, Revision next_revision);
  Status append(std::string_view records, Revision last_revision);
  Status sync();
  // Starts a new segment when the active one has outgrown segment_bytes.
  Status maybeRoll(Revision next_revision);
  // Deletes closed segments whose records all have revisions <= `revision`; returns how many.
  Result<uint64_t> dropCoveredBy(Revision revision);
  size_t segmentCount() const;
  uint64_t segmentsCreated() const;
  void close();

 private:
  Status openSegment(uint64_t seq, Revision first_revision);

  const std::filesystem::path dir_;
  const uint64_t segment_bytes_;
  const std::function<int(int)> sync_;
  UniqueFd fd_;                        // the active segment; committer thread only
  std::filesystem::path active_path_;  // committer thread only
  uint64_t active_bytes_ = 0;          // committer thread only
  mutable std::mutex mu_;              // guards segments_ and segments_created_
  std::vector<SegmentInfo> segments_;  // back() is the active segment
  uint64_t segments_created_ = 0;
};

}  // namespace ferry::controlplane::store::wal
