#include "ferry/store/embedded_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "file_util.h"
#include "mvcc_index.h"
#include "snapshot_file.h"
#include "wal.h"
#include "watch_hub.h"

namespace ferry::controlplane::store {
namespace {

// Keys bigger than this are a caller bug, not data (etcd and k8s keys are paths).
constexpr size_t kMaxKeyBytes = size_t{64} << 10;

Status closedStatus() {
  return {StatusCode::kUnavailable, "store is closed"};
}

}  // namespace

// Threads and locks (acquire in this order; none is held while waiting on a later one):
//   snapshot_mu_   one snapshot at a time (maintenance thread, compact()).
//   mu_            the index: writers exclusive, readers shared. A writer checks
//                  preconditions, takes the next revision, applies to the index and queues its
//                  record, all under it, so queue order is revision order.
//   queue_mu_      the committer's input queue.
//   commit_mu_     committed_/failure_, for writers waiting on their acknowledgement.
// Readers see revisions <= committed_ only, so a write is visible exactly when acknowledged.
class EmbeddedStore::Impl {
 public:
  explicit Impl(EmbeddedStoreOptions options) : options_(std::move(options)) {}
  ~Impl() { close(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Status open();
  void close();

  Result<KeyValue> get(std::string_view key, Revision revision);
  Result<RangeResponse> range(const RangeRequest& request);
  Result<WriteResponse> create(std::string_view key, std::string value);
  Result<WriteResponse> update(std::string_view key, std::string value, Revision expected);
  Result<WriteResponse> remove(std::string_view key, Revision expected);
  Result<TxnResponse> txn(const TxnRequest& request);
  Result<std::unique_ptr<Watch>> watch(std::string_view prefix, std::optional<Revision> after,
                                       WatchOptions options);
  Status compact(Revision revision);
  Revision currentRevision() const { return committed_.load(); }
  Revision compactedRevision() const;
  Status snapshot();
  EmbeddedStoreStats stats() const;

 private:
  struct PendingRecord {
    Revision revision = 0;
    std::string bytes;  // header (filled in by the committer) + payload
    std::vector<Event> events;
  };

  Status lockDirectory();
  Status recover();
  Status checkKey(std::string_view key) const;
  Status checkValue(std::string_view key, const std::string& value) const;
  Status checkReadRevision(Revision revision) const;  // mu_ held
  template <class Check>
  Result<Revision> execute(std::vector<TxnOp> ops, Check&& check);
  Status waitCommitted(Revision revision);
  Status failure();
  void fail(const Status& cause);
  void committerLoop();
  void maintenanceLoop();
  Status takeSnapshot();

  const EmbeddedStoreOptions options_;
  UniqueFd lock_fd_;

  mutable std::shared_mutex mu_;
  MvccIndex index_;
  Revision last_assigned_ = 0;  // mu_

  std::atomic<Revision> committed_{0};
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  Status failure_;  // commit_mu_

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::vector<PendingRecord> queue_;  // queue_mu_
  std::thread committer_;

  std::unique_ptr<wal::Writer> wal_;
  std::shared_ptr<WatchHub> hub_;

  std::mutex snapshot_mu_;
  std::mutex maintenance_mu_;
  std::condition_variable maintenance_cv_;
  std::thread maintenance_;

  std::mutex close_mu_;

  std::atomic<uint64_t> queued_{0};
  std::atomic<uint64_t> since_snapshot_records_{0};
  std::atomic<uint64_t> since_snapshot_bytes_{0};
  std::atomic<uint64_t> wal_records_{0};
  std::atomic<uint64_t> wal_bytes_{0};
  std::atomic<uint64_t> wal_syncs_{0};
  std::atomic<uint64_t> segments_deleted_{0};
  std::atomic<uint64_t> snapshots_written_{0};
  std::atomic<uint64_t> write_failures_{0};
  EmbeddedStoreStats recovery_stats_;  // written once, by open()

  // Flags last, together: no padding holes between the larger members.
  std::atomic<bool> failed_{false};
  bool closing_ = false;           // mu_
  bool stop_committer_ = false;    // queue_mu_
  bool snapshot_wanted_ = false;   // maintenance_mu_
  bool stop_maintenance_ = false;  // maintenance_mu_
  bool open_ = false;              // close_mu_
  bool closed_ = false;            // close_mu_
};

Status EmbeddedStore::Impl::lockDirectory() {
  std::error_code ec;
  std::filesystem::create_directories(options_.dir, ec);
  if (ec) return errnoStatus("create", options_.dir, ec.value());
  const auto path = options_.dir / "LOCK";
  lock_fd_.reset(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock_fd_.valid()) return errnoStatus("open", path, errno);
  // flock locks belong to the open file description: a second open in this process conflicts
  // too, and the kernel drops the lock when a killed process's descriptors close.
  if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    lock_fd_.reset();
    if (err == EWOULDBLOCK) {
      return {StatusCode::kUnavailable,
              "data directory " + options_.dir.string() + " is in use by another store"};
    }
    return errnoStatus("flock", path, err);
  }
  return {};
}

Status EmbeddedStore::Impl::recover() {
  Status s = snapshot::removeTemporaries(options_.dir);
  if (!s.ok()) return s;
  auto snapshots = snapshot::list(options_.dir);
  if (!snapshots) return snapshots.status();
  Revision snapshot_revision = 0;
  for (const auto& file : *snapshots) {
    auto image = snapshot::read(file.path);
    if (image) {
      snapshot_revision = image->revision;
      index_.load(std::move(*image));
      break;
    }
    // Moved aside, kept for a post-mortem: never again taken for a valid snapshot.
    ++recovery_stats_.recovery_bad_snapshots;
    auto aside = file.path;
    aside += ".damaged";
    if (::rename(file.path.c_str(), aside.c_str()) != 0) {
      return errnoStatus("rename", file.path, errno);
    }
  }
  recovery_stats_.recovered_snapshot_revision = snapshot_revision;

  std::vector<TxnOp> ops;
  auto recovery = wal::recover(options_.dir, snapshot_revision,
                               [&](Revision revision, std::string_view payload) -> Status {
                                 Status d = wal::decodeTxnPayload(payload, ops);
                                 if (!d.ok()) return d;
                                 index_.apply(revision, std::move(ops), nullptr);
                                 return {};
                               });
  if (!recovery) return recovery.status();
  recovery_stats_.recovered_records = recovery->replayed_records;
  recovery_stats_.recovery_truncated_bytes = recovery->truncated_bytes;
  recovery_stats_.recovery_dropped_segments = recovery->dropped_segments;
  recovery_stats_.recovery_covered_damage = recovery->covered_damage;
  last_assigned_ = recovery->last_revision;
  committed_.store(recovery->last_revision);

  wal_ =
      std::make_unique<wal::Writer>(options_.dir, options_.segment_bytes, options_.sync_override);
  return wal_->start(std::move(recovery->segments), recovery->next_seq,
                     recovery->last_revision + 1);
}

Status EmbeddedStore::Impl::open() {
  Status s = lockDirectory();
  if (s.ok()) s = recover();
  if (!s.ok()) {
    lock_fd_.reset();
    return s;
  }
  hub_ = std::make_shared<WatchHub>(committed_.load());
  hub_->start();
  committer_ = std::thread([this] { committerLoop(); });
  maintenance_ = std::thread([this] { maintenanceLoop(); });
  std::lock_guard lock(close_mu_);
  open_ = true;
  return {};
}

void EmbeddedStore::Impl::close() {
  std::lock_guard close_lock(close_mu_);
  if (closed_) return;
  closed_ = true;
  if (!open_) return;
  {
    std::unique_lock lock(mu_);
    closing_ = true;  // writers arriving from now on are refused; queued ones still commit
  }
  {
    std::lock_guard lock(queue_mu_);
    stop_committer_ = true;
  }
  queue_cv_.notify_all();
  committer_.join();
  {
    std::lock_guard lock(maintenance_mu_);
    stop_maintenance_ = true;
  }
  maintenance_cv_.notify_all();
  maintenance_.join();
  hub_->stop(Status{StatusCode::kUnavailable, "store closed"});
  // Waits for a compact() still writing its snapshot before giving up the directory.
  std::lock_guard snapshot_lock(snapshot_mu_);
  wal_->close();
  lock_fd_.reset();
}

Status EmbeddedStore::Impl::checkKey(std::string_view key) const {
  if (key.empty()) return {StatusCode::kInvalidArgument, "empty key"};
  if (key.size() > kMaxKeyBytes) return {StatusCode::kInvalidArgument, "key too long"};
  return {};
}

Status EmbeddedStore::Impl::checkValue(std::string_view key, const std::string& value) const {
  if (value.size() > options_.max_value_bytes) {
    return {StatusCode::kInvalidArgument,
            "value for " + std::string(key) + " is " + std::to_string(value.size()) +
                " bytes, over the limit of " + std::to_string(options_.max_value_bytes)};
  }
  return {};
}

Status EmbeddedStore::Impl::checkReadRevision(Revision revision) const {
  if (revision < 0) return {StatusCode::kInvalidArgument, "negative revision"};
  if (revision < index_.compacted()) {
    return {StatusCode::kCompacted, "revision " + std::to_string(revision) +
                                        " has been compacted (history starts at " +
                                        std::to_string(index_.compacted()) + ")"};
  }
  if (revision > committed_.load()) {
    return {StatusCode::kFutureRevision, "revision " + std::to_string(revision) +
                                             " is ahead of the store's " +
                                             std::to_string(committed_.load())};
  }
  return {};
}

Status EmbeddedStore::Impl::failure() {
  std::lock_guard lock(commit_mu_);
  return failure_;
}

void EmbeddedStore::Impl::fail(const Status& cause) {
  {
    std::lock_guard lock(commit_mu_);
    if (!failed_.load()) {
      // Retrying fsync after a failure can report success for data the kernel already
      // dropped ("fsyncgate", PostgreSQL 2018): the only safe state is read-only until a
      // restart recovers from what is really on disk.
      failure_ = Status{StatusCode::kUnavailable,
                        "store failed and is read-only until reopened: " + cause.message()};
      failed_.store(true);
    }
  }
  commit_cv_.notify_all();
}

Status EmbeddedStore::Impl::waitCommitted(Revision revision) {
  std::unique_lock lock(commit_mu_);
  commit_cv_.wait(lock, [&] { return committed_.load() >= revision || failed_.load(); });
  if (committed_.load() >= revision) return {};
  ++write_failures_;
  return failure_;
}

template <class Check>
Result<Revision> EmbeddedStore::Impl::execute(std::vector<TxnOp> ops, Check&& check) {
  // Key order everywhere (record, index, events) makes replay reproduce live event order.
  std::sort(ops.begin(), ops.end(), [](const TxnOp& a, const TxnOp& b) { return a.key < b.key; });
  PendingRecord record;
  record.bytes = wal::encodeTxnRecord(ops);  // the copy of the values happens off the lock
  Revision revision = 0;
  {
    std::unique_lock lock(mu_);
    if (closing_) return closedStatus();
    if (failed_.load()) {
      ++write_failures_;
      return failure();
    }
    Status s = check(std::as_const(index_));
    if (!s.ok()) return s;
    if (!index_.changes(ops)) {
      // Nothing to log, but report a revision that includes every write ordered before.
      revision = last_assigned_;
      lock.unlock();
      s = waitCommitted(revision);
      if (!s.ok()) return s;
      return revision;
    }
    revision = ++last_assigned_;
    index_.apply(revision, std::move(ops), &record.events);
    record.revision = revision;
    std::lock_guard queue_lock(queue_mu_);
    queue_.push_back(std::move(record));
    ++queued_;
  }
  queue_cv_.notify_one();
  Status s = waitCommitted(revision);
  if (!s.ok()) return s;
  return revision;
}

void EmbeddedStore::Impl::committerLoop() {
  std::vector<PendingRecord> batch;
  std::string buffer;
  for (;;) {
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [this] { return stop_committer_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued write was handled
      batch.swap(queue_);
      queued_ -= batch.size();
    }
    if (failed_.load()) {  // its writers were woken by fail() and get the failure
      batch.clear();
      continue;
    }
    // Everything that queued while the previous fdatasync ran goes out in one write and one
    // fdatasync: that is the group commit.
    for (auto& record : batch) wal::finishRecord(record.bytes, record.revision);
    std::string_view bytes;
    if (batch.size() == 1) {
      bytes = batch.front().bytes;
    } else {
      buffer.clear();
      for (const auto& record : batch) buffer += record.bytes;
      bytes = buffer;
    }
    const Revision last = batch.back().revision;
    Status s = wal_->append(bytes, last);
    if (s.ok()) s = wal_->sync();
    if (!s.ok()) {
      fail(s);
      batch.clear();
      continue;
    }
    ++wal_syncs_;
    wal_records_ += batch.size();
    wal_bytes_ += bytes.size();
    {
      std::lock_guard lock(commit_mu_);
      committed_.store(last);
    }
    commit_cv_.notify_all();

    std::vector<Event> events;
    for (auto& record : batch) {
      std::move(record.events.begin(), record.events.end(), std::back_inserter(events));
    }
    hub_->enqueue(last, std::move(events));
    const uint64_t records = since_snapshot_records_ += batch.size();
    const uint64_t logged = since_snapshot_bytes_ += bytes.size();
    batch.clear();

    s = wal_->maybeRoll(last + 1);
    if (!s.ok()) {
      fail(s);
      continue;
    }
    if (records >= options_.snapshot_after_records || logged >= options_.snapshot_after_bytes) {
      std::lock_guard lock(maintenance_mu_);
      if (!snapshot_wanted_) {
        snapshot_wanted_ = true;
        maintenance_cv_.notify_one();
      }
    }
  }
}

void EmbeddedStore::Impl::maintenanceLoop() {
  std::unique_lock lock(maintenance_mu_);
  for (;;) {
    maintenance_cv_.wait(lock, [this] { return stop_maintenance_ || snapshot_wanted_; });
    if (stop_maintenance_) return;
    lock.unlock();
    // A failed snapshot loses nothing (the log still holds every record); it is retried
    // after the next threshold's worth of writes.
    (void)takeSnapshot();
    lock.lock();
    snapshot_wanted_ = false;
  }
}

Status EmbeddedStore::Impl::takeSnapshot() {
  std::lock_guard snapshot_lock(snapshot_mu_);
  IndexImage image;
  {
    std::shared_lock lock(mu_);
    if (closing_) return closedStatus();
    // Pointer copies only: serialising and fsyncing happen off the lock.
    image = index_.image(committed_.load());
  }
  since_snapshot_records_.store(0);
  since_snapshot_bytes_.store(0);
  Status s = snapshot::write(options_.dir, image);
  if (!s.ok()) return s;
  ++snapshots_written_;

  // Keep the two newest snapshots, and the log from the older one on: if the newest is ever
  // unreadable, recovery falls back to the older one plus the log after it.
  auto files = snapshot::list(options_.dir);
  if (!files) return files.status();
  Revision keep_log_after = image.revision;
  if (files->size() >= 2) keep_log_after = (*files)[1].revision;
  bool removed = false;
  for (size_t i = 2; i < files->size(); ++i) {
    if (::unlink((*files)[i].path.c_str()) != 0 && errno != ENOENT) {
      return errnoStatus("unlink", (*files)[i].path, errno);
    }
    removed = true;
  }
  if (removed) {
    s = fsyncDir(options_.dir);
    if (!s.ok()) return s;
  }
  auto dropped = wal_->dropCoveredBy(keep_log_after);
  if (!dropped) return dropped.status();
  segments_deleted_ += *dropped;
  return {};
}

Status EmbeddedStore::Impl::snapshot() {
  return takeSnapshot();
}

Result<KeyValue> EmbeddedStore::Impl::get(std::string_view key, Revision revision) {
  Status s = checkKey(key);
  if (!s.ok()) return s;
  std::shared_lock lock(mu_);
  if (closing_) return closedStatus();
  const Revision at = revision == 0 ? committed_.load() : revision;
  s = checkReadRevision(at);
  if (!s.ok()) return s;
  KeyValuePtr kv = index_.at(key, at);
  if (!kv) return Status{StatusCode::kNotFound, std::string(key) + " not found"};
  return *kv;
}

Result<RangeResponse> EmbeddedStore::Impl::range(const RangeRequest& request) {
  if (!request.from_key.empty() && !request.from_key.starts_with(request.prefix) &&
      request.from_key > request.prefix) {
    return Status{StatusCode::kInvalidArgument, "from_key is outside the prefix"};
  }
  RangeResponse out;
  std::shared_lock lock(mu_);
  if (closing_) return closedStatus();
  const Revision at = request.revision == 0 ? committed_.load() : request.revision;
  Status s = checkReadRevision(at);
  if (!s.ok()) return s;
  index_.range(request, at, out);
  return out;
}

Result<WriteResponse> EmbeddedStore::Impl::create(std::string_view key, std::string value) {
  Status s = checkKey(key);
  if (s.ok()) s = checkValue(key, value);
  if (!s.ok()) return s;
  std::vector<TxnOp> ops;
  ops.push_back(TxnOp::put(std::string(key), std::move(value)));
  auto r = execute(std::move(ops), [key](const MvccIndex& index) -> Status {
    if (index.latest(key)) return {StatusCode::kAlreadyExists, std::string(key) + " exists"};
    return {};
  });
  if (!r) return r.status();
  return WriteResponse{*r, nullptr};
}

namespace {

// The precondition of update() and remove(): the key exists and, if asked, is unchanged.
Status checkExisting(const MvccIndex& index, std::string_view key, Revision expected,
                     KeyValuePtr& prev) {
  const KeyValuePtr& current = index.latest(key);
  if (!current) return {StatusCode::kNotFound, std::string(key) + " not found"};
  if (expected != 0 && current->mod_revision != expected) {
    return {StatusCode::kConflict, std::string(key) + ": expected mod_revision " +
                                       std::to_string(expected) + ", have " +
                                       std::to_string(current->mod_revision)};
  }
  prev = current;
  return {};
}

}  // namespace

Result<WriteResponse> EmbeddedStore::Impl::update(std::string_view key, std::string value,
                                                  Revision expected) {
  Status s = checkKey(key);
  if (s.ok()) s = checkValue(key, value);
  if (!s.ok()) return s;
  std::vector<TxnOp> ops;
  ops.push_back(TxnOp::put(std::string(key), std::move(value)));
  KeyValuePtr prev;
  auto r = execute(std::move(ops), [&](const MvccIndex& index) {
    return checkExisting(index, key, expected, prev);
  });
  if (!r) return r.status();
  return WriteResponse{*r, std::move(prev)};
}

Result<WriteResponse> EmbeddedStore::Impl::remove(std::string_view key, Revision expected) {
  Status s = checkKey(key);
  if (!s.ok()) return s;
  std::vector<TxnOp> ops;
  ops.push_back(TxnOp::del(std::string(key)));
  KeyValuePtr prev;
  auto r = execute(std::move(ops), [&](const MvccIndex& index) {
    return checkExisting(index, key, expected, prev);
  });
  if (!r) return r.status();
  return WriteResponse{*r, std::move(prev)};
}

Result<TxnResponse> EmbeddedStore::Impl::txn(const TxnRequest& request) {
  for (const auto& c : request.compares) {
    Status s = checkKey(c.key);
    if (!s.ok()) return s;
  }
  for (const auto& op : request.ops) {
    Status s = checkKey(op.key);
    if (s.ok() && op.type == TxnOp::Type::kPut) s = checkValue(op.key, op.value);
    if (!s.ok()) return s;
  }
  std::vector<TxnOp> ops = request.ops;
  std::sort(ops.begin(), ops.end(), [](const TxnOp& a, const TxnOp& b) { return a.key < b.key; });
  auto dup = std::adjacent_find(ops.begin(), ops.end(),
                                [](const TxnOp& a, const TxnOp& b) { return a.key == b.key; });
  if (dup != ops.end()) {
    return Status{StatusCode::kInvalidArgument, "key " + dup->key + " appears twice in a txn"};
  }
  auto r = execute(std::move(ops), [&request](const MvccIndex& index) -> Status {
    for (const auto& c : request.compares) {
      const KeyValuePtr& current = index.latest(c.key);
      const Revision have = current ? current->mod_revision : 0;
      if (have != c.mod_revision) {
        return {StatusCode::kConflict,
                "txn compare failed on " + c.key + ": expected mod_revision " +
                    std::to_string(c.mod_revision) + ", have " + std::to_string(have)};
      }
    }
    return {};
  });
  if (!r) return r.status();
  return TxnResponse{*r};
}

Result<std::unique_ptr<Watch>> EmbeddedStore::Impl::watch(std::string_view prefix,
                                                          std::optional<Revision> after,
                                                          WatchOptions options) {
  if (after && *after < 0) return Status{StatusCode::kInvalidArgument, "negative revision"};
  Revision from = 0;
  const auto compactedError = [&] {
    return Status{StatusCode::kCompacted,
                  "watch from revision " + std::to_string(from) + ": history before " +
                      std::to_string(index_.compacted()) + " was compacted; re-list"};
  };
  {
    std::shared_lock lock(mu_);
    if (closing_) return closedStatus();
    from = after.value_or(committed_.load());
    if (from < index_.compacted()) return compactedError();
  }
  const size_t limit = options.queue_limit != 0 ? options.queue_limit : options_.watch_queue_limit;
  auto state =
      std::make_shared<WatcherState>(std::string(prefix), from, limit, std::move(options.on_ready));
  // Registered first, replayed second: the hub delivers everything published after `upto`
  // and the replay covers (from, upto], so nothing falls between the two or comes twice.
  const std::optional<Revision> upto = hub_->add(state);
  if (!upto) return closedStatus();
  if (from < *upto) {
    std::shared_lock lock(mu_);
    if (from < index_.compacted()) {
      hub_->remove(state.get());
      return compactedError();
    }
    index_.collectEvents(prefix, from, *upto, [&state](const Event& e) { state->addReplay(e); });
  }
  return makeWatch(hub_, std::move(state));
}

Status EmbeddedStore::Impl::compact(Revision revision) {
  {
    std::unique_lock lock(mu_);
    if (closing_) return closedStatus();
    if (revision > committed_.load()) {
      return {StatusCode::kFutureRevision, "cannot compact to revision " +
                                               std::to_string(revision) + ", ahead of " +
                                               std::to_string(committed_.load())};
    }
    if (revision <= index_.compacted()) {
      return {StatusCode::kCompacted, "already compacted to " + std::to_string(index_.compacted())};
    }
    index_.compact(revision);
  }
  // The snapshot makes the compaction durable and lets the log it covers go.
  return takeSnapshot();
}

Revision EmbeddedStore::Impl::compactedRevision() const {
  std::shared_lock lock(mu_);
  return index_.compacted();
}

EmbeddedStoreStats EmbeddedStore::Impl::stats() const {
  EmbeddedStoreStats out = recovery_stats_;
  out.wal_records = wal_records_.load();
  out.wal_bytes = wal_bytes_.load();
  out.wal_syncs = wal_syncs_.load();
  out.wal_segments_created = wal_ ? wal_->segmentsCreated() : 0;
  out.wal_segments_deleted = segments_deleted_.load();
  out.snapshots_written = snapshots_written_.load();
  out.write_failures = write_failures_.load();
  out.queued_records = queued_.load();
  if (hub_) {
    out.watchers = hub_->watcherCount();
    out.watchers_cut_off = hub_->cutOffCount();
  }
  return out;
}

// --- EmbeddedStore: forwards to Impl -------------------------------------------------------

Result<std::unique_ptr<EmbeddedStore>> EmbeddedStore::open(EmbeddedStoreOptions options) {
  if (options.dir.empty()) return Status{StatusCode::kInvalidArgument, "no data directory"};
  auto impl = std::make_unique<Impl>(std::move(options));
  Status s = impl->open();
  if (!s.ok()) return s;
  return std::unique_ptr<EmbeddedStore>(new EmbeddedStore(std::move(impl)));
}

EmbeddedStore::EmbeddedStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddedStore::~EmbeddedStore() {
  impl_->close();
}

Result<KeyValue> EmbeddedStore::get(std::string_view key, Revision revision) {
  return impl_->get(key, revision);
}
Result<RangeResponse> EmbeddedStore::range(const RangeRequest& request) {
  return impl_->range(request);
}
Result<WriteResponse> EmbeddedStore::create(std::string_view key, std::string value) {
  return impl_->create(key, std::move(value));
}
Result<WriteResponse> EmbeddedStore::update(std::string_view key, std::string value,
                                            Revision expected_mod_revision) {
  return impl_->update(key, std::move(value), expected_mod_revision);
}
Result<WriteResponse> EmbeddedStore::remove(std::string_view key, Revision expected_mod_revision) {
  return impl_->remove(key, expected_mod_revision);
}
Result<TxnResponse> EmbeddedStore::txn(const TxnRequest& request) {
  return impl_->txn(request);
}
Result<std::unique_ptr<Watch>> EmbeddedStore::watch(std::string_view prefix,
                                                    std::optional<Revision> after,
                                                    WatchOptions options) {
  return impl_->watch(prefix, after, std::move(options));
}
Status EmbeddedStore::compact(Revision revision) {
  return impl_->compact(revision);
}
Revision EmbeddedStore::currentRevision() const {
  return impl_->currentRevision();
}
Revision EmbeddedStore::compactedRevision() const {
  return impl_->compactedRevision();
}
Status EmbeddedStore::snapshot() {
  return impl_->snapshot();
}
void EmbeddedStore::close() {
  impl_->close();
}
EmbeddedStoreStats EmbeddedStore::stats() const {
  return impl_->stats();
}

}  // namespace ferry::controlplane::store
