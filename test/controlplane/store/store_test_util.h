// Helpers shared by the store tests: unique temporary data directories and waiting on a
// condition with a deadline (never a bare sleep).
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "ferry/store/embedded_store.h"

namespace ferry::controlplane::store::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ferry-store-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline EmbeddedStoreOptions optionsFor(const std::filesystem::path& dir) {
  EmbeddedStoreOptions o;
  o.dir = dir;
  return o;
}

inline std::unique_ptr<EmbeddedStore> openOrDie(EmbeddedStoreOptions options) {
  auto store = EmbeddedStore::open(std::move(options));
  if (!store) {
    ADD_FAILURE() << "open: " << store.status().toString();
    return nullptr;
  }
  return std::move(*store);
}

template <class Pred>
bool waitFor(Pred pred, std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace ferry::controlplane::store::testing
