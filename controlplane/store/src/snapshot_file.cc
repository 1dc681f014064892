#include "snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <string>
#include <system_error>

#include "codec.h"
#include "crc32c.h"
#include "file_util.h"

namespace ferry::controlplane::store::snapshot {
namespace {

constexpr std::string_view kMagic = "FERRYSNP";
constexpr uint32_t kFormat = 1;
constexpr size_t kFlushBytes = 1 << 20;

std::filesystem::path snapshotPath(const std::filesystem::path& dir, Revision revision) {
  char name[32];
  std::snprintf(name, sizeof(name), "snap-%016llx.snap", static_cast<unsigned long long>(revision));
  return dir / name;
}

// Buffers output and keeps a running CRC of everything written.
class ChecksummedWriter {
 public:
  ChecksummedWriter(int fd, const std::filesystem::path& path) : fd_(fd), path_(path) {
    buf_.reserve(kFlushBytes + 4096);
  }
  std::string& buf() { return buf_; }
  Status maybeFlush() { return buf_.size() >= kFlushBytes ? flush() : Status{}; }
  Status flush() {
    crc_ = crc32cExtend(crc_, buf_.data(), buf_.size());
    Status s = writeAll(fd_, buf_, path_);
    buf_.clear();
    return s;
  }
  uint32_t crc() const { return crc_; }

 private:
  int fd_;
  const std::filesystem::path& path_;
  std::string buf_;
  uint32_t crc_ = 0;
};

}  // namespace

Result<std::vector<SnapshotFile>> list(const std::filesystem::path& dir) {
  std::vector<SnapshotFile> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() != 26 || !name.starts_with("snap-") || !name.ends_with(".snap")) continue;
    uint64_t revision = 0;
    const char* first = name.data() + 5;
    const char* last = name.data() + 21;
    auto [ptr, err] = std::from_chars(first, last, revision, 16);
    if (err != std::errc() || ptr != last) continue;
    out.push_back({static_cast<Revision>(revision), entry.path()});
  }
  if (ec) return errnoStatus("list", dir, ec.value());
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.revision > b.revision; });
  return out;
}

Status write(const std::filesystem::path& dir, const IndexImage& image) {
  const auto final_path = snapshotPath(dir, image.revision);
  auto tmp_path = final_path;
  tmp_path += ".tmp";
  UniqueFd fd(::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd.valid()) return errnoStatus("create", tmp_path, errno);
  ChecksummedWriter w(fd.get(), tmp_path);
  w.buf().append(kMagic);
  putFixed32(w.buf(), kFormat);
  putFixed64(w.buf(), static_cast<uint64_t>(image.revision));
  putFixed64(w.buf(), static_cast<uint64_t>(image.compacted));
  putFixed64(w.buf(), image.histories.size());
  for (const auto& history : image.histories) {
    putFixed32(w.buf(), static_cast<uint32_t>(history.size()));
    for (const auto& kv : history) {
      putBytes(w.buf(), kv->key);
      putBytes(w.buf(), kv->value);
      putFixed64(w.buf(), static_cast<uint64_t>(kv->create_revision));
      putFixed64(w.buf(), static_cast<uint64_t>(kv->mod_revision));
      putFixed64(w.buf(), static_cast<uint64_t>(kv->version));
    }
    Status s = w.maybeFlush();
    if (!s.ok()) return s;
  }
  Status s = w.flush();
  if (!s.ok()) return s;
  std::string trailer;
  putFixed32(trailer, w.crc());
  s = writeAll(fd.get(), trailer, tmp_path);
  if (!s.ok()) return s;
  s = fsyncFile(fd.get(), tmp_path);
  if (!s.ok()) return s;
  fd.reset();
  if (::rename(tmp_path.c_str(), final_path.c_str()) != 0) {
    return errnoStatus("rename", tmp_path, errno);
  }
  return fsyncDir(dir);
}

Result<IndexImage> read(const std::filesystem::path& path) {
  auto bytes = readFile(path);
  if (!bytes) return bytes.status();
  const Status bad{StatusCode::kUnavailable, "snapshot " + path.string() + " is damaged"};
  if (bytes->size() < kMagic.size() + 4 + 4) return bad;
  const std::string_view body = std::string_view(*bytes).substr(0, bytes->size() - 4);
  if (loadFixed32(bytes->data() + body.size()) != crc32c(body)) return bad;
  Decoder d(body);
  if (d.raw(kMagic.size()) != kMagic || d.u32() != kFormat) return bad;
  IndexImage image;
  image.revision = static_cast<Revision>(d.u64());
  image.compacted = static_cast<Revision>(d.u64());
  const uint64_t keys = d.u64();
  if (!d.ok() || keys > d.remaining() / 4) return bad;
  image.histories.resize(keys);
  for (auto& history : image.histories) {
    const uint32_t versions = d.u32();
    if (!d.ok() || versions == 0 || versions > d.remaining() / 32) return bad;
    history.reserve(versions);
    for (uint32_t i = 0; i < versions; ++i) {
      auto kv = std::make_shared<KeyValue>();
      kv->key = d.bytes();
      kv->value = d.bytes();
      kv->create_revision = static_cast<Revision>(d.u64());
      kv->mod_revision = static_cast<Revision>(d.u64());
      kv->version = static_cast<int64_t>(d.u64());
      history.push_back(std::move(kv));
    }
  }
  if (!d.ok() || !d.done()) return bad;
  return image;
}

Status removeTemporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".tmp") continue;
    if (::unlink(entry.path().c_str()) != 0 && errno != ENOENT) {
      return errnoStatus("unlink", entry.path(), errno);
    }
  }
  if (ec) return errnoStatus("list", dir, ec.value());
  return {};
}

}  // namespace ferry::controlplane::store::snapshot
