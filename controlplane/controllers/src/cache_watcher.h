// Keeps a ControllerCache in step with the store: lists each watched kind, then watches it from
// the list's revision; when a watch ends (compacted away, or cut off for falling behind) the
// kind is listed again and the difference treated as events, as client-go's reflector does.
// Every change is reported as the Service keys it concerns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller_cache.h"
#include "ferry/runtime/metrics.h"
#include "ferry/store/store.h"

namespace ferry::controlplane::detail {

class CacheWatcher {
 public:
  using OnKeys = std::function<void(const std::vector<std::string>&)>;

  // `relists` counts every list, the first of each kind included.
  CacheWatcher(store::Store& store, ControllerCache& cache, OnKeys on_keys,
               std::chrono::milliseconds relist_backoff, runtime::Counter& relists);
  ~CacheWatcher();

  // Runs until stop(). The first list of every kind reports every Service it finds.
  void run();
  // Makes run() return; callable from any thread.
  void stop();

 private:
  struct KindWatch {
    Kind kind;
    ResourceInfo info;
    std::unique_ptr<store::Watch> watch;
  };

  bool relist(KindWatch& kw, std::vector<std::string>& keys);
  void handleEvents(KindWatch& kw, const std::vector<store::Event>& events,
                    std::vector<std::string>& keys);
  // With cache.mu held: the Service keys a change of one object concerns.
  void keysForChange(Kind kind, const std::string& key, const nlohmann::json* old_obj,
                     const nlohmann::json* new_obj, std::vector<std::string>& keys);
  // Waits for a watch to have something, for `timeout`, or for stop().
  void waitForWork(std::chrono::milliseconds timeout);

  store::Store& store_;
  ControllerCache& cache_;
  OnKeys on_keys_;
  std::chrono::milliseconds relist_backoff_;
  std::vector<KindWatch> kinds_;

  // Shared with the watches' on_ready callbacks, which may outlive nothing: the watches are
  // cancelled in stop()/the destructor before this goes away.
  std::mutex wake_mu_;
  std::condition_variable wake_cv_;
  bool wake_ = false;
  bool stopping_ = false;
  runtime::Counter& relists_;
};

}  // namespace ferry::controlplane::detail
