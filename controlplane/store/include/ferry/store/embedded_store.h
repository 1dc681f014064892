// EmbeddedStore: the default, in-process durable Store.
//
//   - In memory: an MVCC index (every key's versions since the last compaction) and an event
//     log in revision order, enough for reads at old revisions and for watch replay.
//   - On disk, in one directory it locks with flock(): a write-ahead log of append-only
//     segment files (each record: length, CRC32C, revision, payload) and snapshot files.
//   - Group commit: writers apply under the index lock, queue their record and wait; one
//     committer thread writes every queued record and calls fdatasync once per batch. A write
//     is acknowledged (and becomes visible to reads and watches) only after its batch's
//     fdatasync returned, so an acknowledged write survives kill -9 and power loss.
//   - Snapshots (after N records or bytes, and on compaction) hold the index at a revision,
//     history included, so a restart does not force watchers to re-list. Written to a temp
//     file, fsynced, renamed, the directory fsynced; WAL segments they cover are then deleted.
//   - Recovery: the newest valid snapshot, then WAL records after it, stopping at the first
//     short or CRC-failing record; the log is truncated there and nothing after it is kept.
//   - Watches: one dispatcher thread fans committed events out to per-prefix groups of
//     watchers, each with a bounded queue; a watcher that overflows is cut off (kOverflow).
//     Writers and the committer never wait for a watcher.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>

#include "ferry/store/store.h"

namespace ferry::controlplane::store {

struct EmbeddedStoreOptions {
  std::filesystem::path dir;  // created if missing
  // A segment is closed and a new one started once it grows past this.
  uint64_t segment_bytes = 64ULL << 20;
  // Write a snapshot after this many records or bytes were logged since the last one.
  uint64_t snapshot_after_records = 100'000;
  uint64_t snapshot_after_bytes = 256ULL << 20;
  size_t watch_queue_limit = 1024;  // default WatchOptions::queue_limit
  size_t max_value_bytes = 16ULL << 20;
  // Test seam: replaces fdatasync(fd) on WAL segments (to count, delay or fail it). Returns
  // 0 or -1 with errno set, like fdatasync.
  std::function<int(int fd)> sync_override;
};

struct EmbeddedStoreStats {
  uint64_t wal_records = 0;  // records appended since open
  uint64_t wal_bytes = 0;
  uint64_t wal_syncs = 0;  // fdatasync calls on WAL segments: one per group-commit batch
  uint64_t wal_segments_created = 0;
  uint64_t wal_segments_deleted = 0;
  uint64_t snapshots_written = 0;
  uint64_t write_failures = 0;  // writes refused because the store had failed on I/O
  uint64_t queued_records = 0;  // records waiting for the committer right now
  // Recovery on open.
  uint64_t recovered_records = 0;
  uint64_t recovery_truncated_bytes = 0;   // bytes of torn or corrupt log dropped
  uint64_t recovery_dropped_segments = 0;  // whole segments after a corrupt record
  uint64_t recovery_covered_damage = 0;    // damaged old segments a snapshot made moot
  uint64_t recovery_bad_snapshots = 0;     // snapshots skipped for a bad CRC or format
  Revision recovered_snapshot_revision = 0;
  // Watches.
  uint64_t watchers = 0;
  uint64_t watchers_cut_off = 0;
};

class EmbeddedStore final : public Store {
 public:
  // Locks `options.dir` and recovers it. kUnavailable when another process (or another open
  // EmbeddedStore) holds it or the data cannot be read back consistently.
  static Result<std::unique_ptr<EmbeddedStore>> open(EmbeddedStoreOptions options);
  ~EmbeddedStore() override;  // close()
  EmbeddedStore(const EmbeddedStore&) = delete;
  EmbeddedStore& operator=(const EmbeddedStore&) = delete;

  Result<KeyValue> get(std::string_view key, Revision revision = 0) override;
  Result<RangeResponse> range(const RangeRequest& request) override;
  Result<WriteResponse> create(std::string_view key, std::string value) override;
  Result<WriteResponse> update(std::string_view key, std::string value,
                               Revision expected_mod_revision) override;
  Result<WriteResponse> remove(std::string_view key, Revision expected_mod_revision) override;
  Result<TxnResponse> txn(const TxnRequest& request) override;
  Result<std::unique_ptr<Watch>> watch(std::string_view prefix, std::optional<Revision> after,
                                       WatchOptions options = {}) override;
  Status compact(Revision revision) override;
  Revision currentRevision() const override;
  Revision compactedRevision() const override;

  // Writes a snapshot at the current revision now and drops the WAL it covers.
  Status snapshot();
  // Waits for queued writes, stops the threads, ends every watch (kUnavailable) and unlocks the
  // directory. Later calls fail with kUnavailable. Idempotent.
  void close();
  EmbeddedStoreStats stats() const;

  class Impl;

 private:
  explicit EmbeddedStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ferry::controlplane::store
