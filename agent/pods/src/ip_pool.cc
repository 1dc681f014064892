#include "ferry/agent/pods/ip_pool.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ferry/agent/pods/subprocess.h"

namespace ferry::agent::pods {
namespace {

// [first, last] host-order addresses of an IPv4 CIDR.
std::pair<uint32_t, uint32_t> range(const model::Cidr& cidr) {
  const int len = cidr.prefixLength();
  const uint32_t mask = len == 0 ? 0 : ~uint32_t{0} << (32 - len);
  const uint32_t first = cidr.base().v4HostOrder() & mask;
  return {first, first | ~mask};
}

// Usable pod addresses: not the network, gateway (first host) or broadcast address.
bool assignable(const model::Cidr& cidr, uint32_t ip) {
  auto [first, last] = range(cidr);
  return ip > first + 1 && ip < last;
}

// An exclusive flock() held for the object's lifetime.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      error_ = "open " + path + ": " + errnoMessage(errno);
      return;
    }
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        error_ = "flock " + path + ": " + errnoMessage(errno);
        return;
      }
    }
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  const std::string& error() const { return error_; }

 private:
  int fd_ = -1;
  std::string error_;
};

api::Result<std::string> readAll(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::string();  // no allocations yet
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Written to a temporary file and renamed over `path`: a crash never leaves half a table.
std::string writeAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return "write " + tmp;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return ec ? "rename " + tmp + ": " + ec.message() : std::string();
}

}  // namespace

model::IpAddress IpAllocations::gateway() const {
  return model::IpAddress::v4(range(cidr_).first + 1);
}

std::optional<model::IpAddress> IpAllocations::find(const std::string& key) const {
  for (const auto& [ip, owner] : by_ip_)
    if (owner == key) return model::IpAddress::v4(ip);
  return std::nullopt;
}

std::optional<model::IpAddress> IpAllocations::allocate(const std::string& key) {
  if (auto held = find(key)) return held;
  auto [first, last] = range(cidr_);
  for (uint64_t ip = uint64_t{first} + 2; ip < last; ++ip) {
    if (by_ip_.count(static_cast<uint32_t>(ip))) continue;
    by_ip_.emplace(static_cast<uint32_t>(ip), key);
    return model::IpAddress::v4(static_cast<uint32_t>(ip));
  }
  return std::nullopt;
}

bool IpAllocations::release(const std::string& key) {
  for (auto it = by_ip_.begin(); it != by_ip_.end(); ++it) {
    if (it->second == key) {
      by_ip_.erase(it);
      return true;
    }
  }
  return false;
}

std::string IpAllocations::toJson() const {
  nlohmann::json j = {{"cidr", cidr_.toString()}, {"allocations", nlohmann::json::object()}};
  for (const auto& [ip, key] : by_ip_) j["allocations"][model::IpAddress::v4(ip).toString()] = key;
  return j.dump(2) + "\n";
}

api::Result<IpAllocations> IpAllocations::fromJson(model::Cidr cidr, const std::string& text) {
  IpAllocations a(cidr);
  if (text.empty()) return a;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return api::Error{"IP allocations: not JSON"};
  if (!j.contains("allocations") || !j["allocations"].is_object()) return a;
  for (const auto& [ip_text, key] : j["allocations"].items()) {
    auto ip = model::IpAddress::parse(ip_text);
    if (!ip || ip->family() != model::Family::kIpv4 || !key.is_string()) continue;
    if (!cidr.contains(*ip) || !assignable(cidr, ip->v4HostOrder())) continue;
    a.by_ip_.emplace(ip->v4HostOrder(), key.get<std::string>());
  }
  return a;
}

api::Result<IpAllocations> IpPool::load() const {
  FileLock lock(path_ + ".lock");
  if (!lock.error().empty()) return api::Error{lock.error()};
  auto text = readAll(path_);
  if (!text) return api::Error{text.error()};
  return IpAllocations::fromJson(cidr_, *text);
}

api::Result<model::IpAddress> IpPool::allocate(const std::string& key) {
  if (cidr_.base().family() != model::Family::kIpv4 || cidr_.prefixLength() > 30)
    return api::Error{"pod CIDR " + cidr_.toString() + ": need an IPv4 CIDR of /30 or larger"};
  FileLock lock(path_ + ".lock");
  if (!lock.error().empty()) return api::Error{lock.error()};
  auto text = readAll(path_);
  if (!text) return api::Error{text.error()};
  auto table = IpAllocations::fromJson(cidr_, *text);
  if (!table) return api::Error{path_ + ": " + table.error()};
  auto ip = table->allocate(key);
  if (!ip) return api::Error{"pod CIDR " + cidr_.toString() + " is full"};
  if (auto e = writeAtomically(path_, table->toJson()); !e.empty()) return api::Error{e};
  return *ip;
}

api::Result<bool> IpPool::release(const std::string& key) {
  FileLock lock(path_ + ".lock");
  if (!lock.error().empty()) return api::Error{lock.error()};
  auto text = readAll(path_);
  if (!text) return api::Error{text.error()};
  auto table = IpAllocations::fromJson(cidr_, *text);
  if (!table) return api::Error{path_ + ": " + table.error()};
  const bool released = table->release(key);
  if (released)
    if (auto e = writeAtomically(path_, table->toJson()); !e.empty()) return api::Error{e};
  return released;
}

}  // namespace ferry::agent::pods
