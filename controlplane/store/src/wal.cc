#include "wal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <optional>
#include <system_error>
#include <utility>

#include "codec.h"
#include "crc32c.h"

namespace ferry::controlplane::store::wal {
namespace {

constexpr uint8_t kOpPut = 1;
constexpr uint8_t kOpDelete = 2;

uint32_t recordCrc(const char* header, std::string_view payload) {
  uint32_t crc = crc32cExtend(0, header, 4);  // length
  crc = crc32cExtend(crc, header + 8, 8);     // revision
  return crc32cExtend(crc, payload.data(), payload.size());
}

}  // namespace

std::string encodeTxnRecord(const std::vector<TxnOp>& ops) {
  size_t size = kHeaderBytes + 1 + 4;
  for (const auto& op : ops) size += 1 + 4 + op.key.size() + 4 + op.value.size();
  std::string out;
  out.reserve(size);
  out.resize(kHeaderBytes);
  out.push_back(static_cast<char>(kKindTxn));
  putFixed32(out, static_cast<uint32_t>(ops.size()));
  for (const auto& op : ops) {
    out.push_back(static_cast<char>(op.type == TxnOp::Type::kPut ? kOpPut : kOpDelete));
    putBytes(out, op.key);
    if (op.type == TxnOp::Type::kPut) putBytes(out, op.value);
  }
  return out;
}

void finishRecord(std::string& record, Revision revision) {
  const std::string_view payload = std::string_view(record).substr(kHeaderBytes);
  storeFixed32(record.data(), static_cast<uint32_t>(payload.size()));
  storeFixed64(record.data() + 8, static_cast<uint64_t>(revision));
  storeFixed32(record.data() + 4, recordCrc(record.data(), payload));
}

Status decodeTxnPayload(std::string_view payload, std::vector<TxnOp>& ops) {
  Decoder d(payload);
  if (d.u8() != kKindTxn) return {StatusCode::kUnavailable, "wal: unknown record kind"};
  const uint32_t count = d.u32();
  // Each op takes at least 5 bytes: a bogus count cannot make us reserve gigabytes.
  if (!d.ok() || count > d.remaining() / 5) return {StatusCode::kUnavailable, "wal: bad op count"};
  ops.clear();
  ops.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint8_t type = d.u8();
    std::string_view key = d.bytes();
    if (type == kOpPut) {
      std::string_view value = d.bytes();
      ops.push_back(TxnOp::put(std::string(key), std::string(value)));
    } else if (type == kOpDelete) {
      ops.push_back(TxnOp::del(std::string(key)));
    } else {
      return {StatusCode::kUnavailable, "wal: unknown op type"};
    }
  }
  if (!d.ok() || !d.done()) return {StatusCode::kUnavailable, "wal: malformed txn payload"};
  return {};
}

ScanResult scanRecords(std::string_view bytes) {
  ScanResult out;
  uint64_t pos = 0;
  while (pos < bytes.size()) {
    const uint64_t left = bytes.size() - pos;
    if (left < kHeaderBytes) {
      out.stop = ScanStop::kTorn;
      break;
    }
    const char* h = bytes.data() + pos;
    const uint32_t length = loadFixed32(h);
    if (length > kMaxPayloadBytes) {
      out.stop = ScanStop::kCorrupt;
      break;
    }
    if (left - kHeaderBytes < length) {
      out.stop = ScanStop::kTorn;
      break;
    }
    const std::string_view payload = bytes.substr(pos + kHeaderBytes, length);
    if (loadFixed32(h + 4) != recordCrc(h, payload)) {
      out.stop = ScanStop::kCorrupt;
      break;
    }
    const uint64_t end = pos + kHeaderBytes + length;
    out.records.push_back({static_cast<Revision>(loadFixed64(h + 8)), payload, pos, end});
    pos = end;
  }
  out.valid_bytes = pos;
  return out;
}

std::filesystem::path segmentPath(const std::filesystem::path& dir, uint64_t seq) {
  char name[32];
  std::snprintf(name, sizeof(name), "wal-%016llx.log", static_cast<unsigned long long>(seq));
  return dir / name;
}

Result<std::vector<SegmentInfo>> listSegments(const std::filesystem::path& dir) {
  std::vector<SegmentInfo> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 24 || !name.starts_with("wal-") || !name.ends_with(".log")) continue;
    uint64_t seq = 0;
    const char* first = name.data() + 4;
    const char* last = name.data() + 20;
    auto [ptr, err] = std::from_chars(first, last, seq, 16);
    if (err != std::errc() || ptr != last) continue;
    out.push_back({seq, entry.path(), 0, 0});
  }
  if (ec) return errnoStatus("list", dir, ec.value());
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.seq < b.seq; });
  return out;
}

Result<Recovery> recover(const std::filesystem::path& dir, Revision snapshot_revision,
                         const std::function<Status(Revision, std::string_view)>& apply) {
  auto listed = listSegments(dir);
  if (!listed) return listed.status();
  auto& segments = *listed;
  Recovery out;
  out.last_revision = snapshot_revision;
  Revision prev = 0;  // revision of the previous record read, whether replayed or not
  bool damaged = false;
  std::optional<std::string> next_bytes;  // the following segment, when read ahead
  for (size_t i = 0; i < segments.size(); ++i) {
    auto& seg = segments[i];
    out.next_seq = seg.seq + 1;
    if (damaged) {
      // After a damaged record nothing is trusted, however valid it looks.
      std::error_code ec;
      std::filesystem::remove(seg.path, ec);
      if (ec) return errnoStatus("remove", seg.path, ec.value());
      ++out.dropped_segments;
      continue;
    }
    std::string bytes;
    if (next_bytes) {
      bytes = std::move(*next_bytes);
      next_bytes.reset();
    } else {
      auto read = readFile(seg.path);
      if (!read) return read.status();
      bytes = std::move(*read);
    }
    ScanResult scan = scanRecords(bytes);
    uint64_t keep = scan.valid_bytes;
    damaged = scan.stop != ScanStop::kEnd;
    seg.first_revision = prev + 1;
    for (const auto& rec : scan.records) {
      if (prev != 0 && rec.revision != prev + 1) {
        keep = rec.offset;  // out of sequence: stale or misdirected bytes, treat as damage
        damaged = true;
        break;
      }
      if (prev == 0) {
        if (rec.revision > snapshot_revision + 1) {
          return Status{StatusCode::kUnavailable,
                        "wal starts at revision " + std::to_string(rec.revision) +
                            " but the snapshot ends at " + std::to_string(snapshot_revision) +
                            ": records are missing"};
        }
        seg.first_revision = rec.revision;
      }
      prev = rec.revision;
      if (rec.revision > snapshot_revision) {
        Status s = apply(rec.revision, rec.payload);
        if (!s.ok()) return s;
        ++out.replayed_records;
        out.last_revision = rec.revision;
      }
    }
    // An empty segment gets last = first - 1, so it counts as covered by any snapshot.
    seg.last_revision = prev == 0 ? seg.first_revision - 1 : prev;
    if (damaged && i + 1 < segments.size()) {
      // Damage the snapshot already covers (old bits rotting, not a torn tail): whatever
      // followed it in this segment comes before the next segment's first record. If that
      // record continues the snapshot, nothing after the damage is needed, and dropping the
      // later segments would throw away acknowledged writes the snapshot does not hold.
      auto read = readFile(segments[i + 1].path);
      if (!read) return read.status();
      next_bytes = std::move(*read);
      const ScanResult next = scanRecords(*next_bytes);
      if (!next.records.empty() && next.records.front().revision <= snapshot_revision + 1 &&
          next.records.front().revision > prev) {
        ++out.covered_damage;
        damaged = false;
        prev = next.records.front().revision - 1;
        seg.last_revision = prev;
        out.segments.push_back(std::move(seg));  // left as is; the next snapshot drops it
        continue;
      }
    }
    if (keep < bytes.size()) {
      UniqueFd fd(::open(seg.path.c_str(), O_WRONLY | O_CLOEXEC));
      if (!fd.valid()) return errnoStatus("open", seg.path, errno);
      if (::ftruncate(fd.get(), static_cast<off_t>(keep)) != 0) {
        return errnoStatus("truncate", seg.path, errno);
      }
      Status s = fsyncFile(fd.get(), seg.path);
      if (!s.ok()) return s;
      out.truncated_bytes += bytes.size() - keep;
    }
    out.segments.push_back(std::move(seg));
  }
  if (out.dropped_segments > 0) {
    Status s = fsyncDir(dir);
    if (!s.ok()) return s;
  }
  return out;
}

Writer::Writer(std::filesystem::path dir, uint64_t segment_bytes, std::function<int(int)> sync)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes), sync_(std::move(sync)) {}

Status Writer::start(std::vector<SegmentInfo> segments, uint64_t next_seq, Revision next_revision) {
  {
    std::lock_guard lock(mu_);
    segments_ = std::move(segments);
  }
  // Always a fresh segment: recovered ones stay immutable, and a truncated tail is never
  // appended to.
  return openSegment(next_seq, next_revision);
}

Status Writer::openSegment(uint64_t seq, Revision first_revision) {
  const auto path = segmentPath(dir_, seq);
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
  if (!fd.valid()) return errnoStatus("create", path, errno);
  // The name must be durable before any record in the file is acknowledged.
  Status s = fsyncDir(dir_);
  if (!s.ok()) return s;
  fd_ = std::move(fd);
  active_path_ = path;
  active_bytes_ = 0;
  std::lock_guard lock(mu_);
  segments_.push_back({seq, path, first_revision, first_revision - 1});
  ++segments_created_;
  return {};
}

Status Writer::append(std::string_view records, Revision last_revision) {
  Status s = writeAll(fd_.get(), records, active_path_);
  if (!s.ok()) return s;
  active_bytes_ += records.size();
  std::lock_guard lock(mu_);
  segments_.back().last_revision = last_revision;
  return {};
}

Status Writer::sync() {
  const int rc = sync_ ? sync_(fd_.get()) : ::fdatasync(fd_.get());
  if (rc != 0) return errnoStatus("fdatasync", active_path_, errno);
  return {};
}

Status Writer::maybeRoll(Revision next_revision) {
  if (active_bytes_ < segment_bytes_) return {};
  uint64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    seq = segments_.back().seq + 1;
  }
  return openSegment(seq, next_revision);
}

Result<uint64_t> Writer::dropCoveredBy(Revision revision) {
  std::vector<std::filesystem::path> doomed;
  {
    std::lock_guard lock(mu_);
    // Only a prefix of closed segments: the log must stay contiguous from its first record.
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n].last_revision <= revision) ++n;
    for (size_t i = 0; i < n; ++i) doomed.push_back(segments_[i].path);
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
  }
  for (const auto& path : doomed) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errnoStatus("unlink", path, errno);
  }
  if (!doomed.empty()) {
    Status s = fsyncDir(dir_);
    if (!s.ok()) return s;
  }
  return static_cast<uint64_t>(doomed.size());
}

size_t Writer::segmentCount() const {
  std::lock_guard lock(mu_);
  return segments_.size();
}

uint64_t Writer::segmentsCreated() const {
  std::lock_guard lock(mu_);
  return segments_created_;
}

void Writer::close() {
  fd_.reset();
}

}  // namespace ferry::controlplane::store::wal
