// The few POSIX file operations durability depends on, with errors as Status.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "ferry/store/status.h"

namespace ferry::controlplane::store {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// kUnavailable carrying "<what> <path>: <strerror(err)>".
Status errnoStatus(std::string_view what, const std::filesystem::path& path, int err);

// write(2) until everything is written (retrying EINTR and short writes).
Status writeAll(int fd, std::string_view data, const std::filesystem::path& path);
// fsync a directory so entries created, renamed or removed in it survive a crash; fdatasync
// on a file covers its data, never its name.
Status fsyncDir(const std::filesystem::path& dir);
Status fsyncFile(int fd, const std::filesystem::path& path);
Result<std::string> readFile(const std::filesystem::path& path);

}  // namespace ferry::controlplane::store
