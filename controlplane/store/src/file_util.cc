#include "file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace ferry::controlplane::store {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Status errnoStatus(std::string_view what, const std::filesystem::path& path, int err) {
  std::string msg(what);
  msg += " ";
  msg += path.string();
  msg += ": ";
  msg += std::system_category().message(err);  // strerror() is not thread-safe
  return {StatusCode::kUnavailable, std::move(msg)};
}

Status writeAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status fsyncDir(const std::filesystem::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errnoStatus("open", dir, errno);
  if (::fsync(fd.get()) != 0) return errnoStatus("fsync", dir, errno);
  return {};
}

Status fsyncFile(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) return errnoStatus("fsync", path, errno);
  return {};
}

Result<std::string> readFile(const std::filesystem::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errnoStatus("open", path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errnoStatus("stat", path, errno);
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoStatus("read", path, errno);
    }
    if (n == 0) break;  // shrank under us: what we have is the file
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

}  // namespace ferry::controlplane::store
