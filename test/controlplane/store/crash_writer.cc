// ferry_store_crash_writer <dir> <run> <threads>: the victim of crash_test.cc.
//
// Opens the store, prints "R <revision>", then writes from several threads until killed and
// prints one line per acknowledged write, only after the store call returned:
//   C <rev> <key>              create
//   U <rev> <key> <run> <i>    update of the thread's counter key to "<run> <i>"
//   T <rev> <key1> <key2>      txn creating both keys
//   d <key>                    (before the call) about to delete key
//   D <rev> <key>              delete
// Each line is one write(2) to a pipe, so it arrives whole or not at all. Small segments,
// frequent snapshots and compactions make the kills land in every part of the store.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "ferry/store/embedded_store.h"

namespace {

using ferry::controlplane::store::EmbeddedStore;
using ferry::controlplane::store::EmbeddedStoreOptions;
using ferry::controlplane::store::Revision;
using ferry::controlplane::store::Status;
using ferry::controlplane::store::StatusCode;
using ferry::controlplane::store::TxnOp;
using ferry::controlplane::store::TxnRequest;

void emit(const std::string& line) {
  const std::string out = line + "\n";
  if (::write(STDOUT_FILENO, out.data(), out.size()) != static_cast<ssize_t>(out.size())) {
    std::_Exit(3);
  }
}

[[noreturn]] void die(const std::string& what, const Status& s) {
  emit("E " + what + ": " + s.toString());
  std::_Exit(2);
}

void writer(EmbeddedStore& store, const std::string& run, int thread) {
  const std::string base = "/crash/" + run + "/" + std::to_string(thread) + "/";
  const std::string counter = "/counter/" + std::to_string(thread);
  for (int i = 0;; ++i) {
    const std::string key = base + std::to_string(i);
    switch (i % 4) {
      case 0: {
        auto w = store.create(key, std::string(100 + (i % 7) * 50, 'x'));
        if (!w) die("create " + key, w.status());
        emit("C " + std::to_string(w->revision) + " " + key);
        break;
      }
      case 1: {
        TxnRequest t;
        t.compares = {{key + "/a", 0}, {key + "/b", 0}};
        t.ops = {TxnOp::put(key + "/a", "pair"), TxnOp::put(key + "/b", "pair")};
        auto w = store.txn(t);
        if (!w) die("txn " + key, w.status());
        std::string line = "T " + std::to_string(w->revision);
        line.append(" ").append(key).append("/a ").append(key).append("/b");
        emit(line);
        break;
      }
      case 2: {
        const std::string value = run + " " + std::to_string(i);
        auto w = store.update(counter, value, 0);
        if (w.code() == StatusCode::kNotFound) w = store.create(counter, value);
        if (!w) die("update " + counter, w.status());
        std::string line = "U " + std::to_string(w->revision);
        line.append(" ").append(counter).append(" ").append(value);
        emit(line);
        break;
      }
      default: {
        const std::string victim = base + std::to_string(i - 3);  // created at case 0
        emit("d " + victim);
        auto w = store.remove(victim, 0);
        if (!w) die("remove " + victim, w.status());
        emit("D " + std::to_string(w->revision) + " " + victim);
        break;
      }
    }
    if (thread == 0 && i % 64 == 63) {
      // Compaction writes a snapshot and deletes log segments: kill that too.
      const Revision target = store.currentRevision() - 32;
      if (target > store.compactedRevision()) {
        Status s = store.compact(target);
        if (!s.ok() && s.code() != StatusCode::kCompacted) die("compact", s);
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <dir> <run> <threads>\n", argv[0]);
    return 64;
  }
  EmbeddedStoreOptions options;
  options.dir = argv[1];
  options.segment_bytes = uint64_t{16} << 10;
  options.snapshot_after_records = 150;
  auto store = EmbeddedStore::open(options);
  if (!store) die("open", store.status());
  emit("R " + std::to_string((*store)->currentRevision()));
  const int threads = std::atoi(argv[3]);
  std::vector<std::thread> pool;
  pool.reserve(static_cast<size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&store, run = std::string(argv[2]), t] { writer(**store, run, t); });
  }
  for (auto& t : pool) t.join();  // never: the test kills us
  return 0;
}
