// Kill -9 a writing process at random moments, over and over on one data directory, and
// check after every restart that every acknowledged write is there and revisions never went
// backwards (issue "Control plane I", done-when).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ferry/store/embedded_store.h"
#include "store_test_util.h"

namespace ferry::controlplane::store {
namespace {

using Clock = std::chrono::steady_clock;
using testing::optionsFor;
using testing::TempDir;

constexpr int kRuns = 25;
constexpr int kWriterThreads = 4;

// Everything the writers were told was durable, across all runs.
struct Acked {
  std::map<std::string, Revision> created;  // C and both keys of T
  std::map<std::string, Revision> deleted;  // D
  std::set<std::string> delete_attempted;   // d: may be gone even if D never came
  // Counter key -> (revision, run, i) of the last acknowledged update.
  std::map<std::string, std::tuple<Revision, int, int>> counters;
  Revision max_revision = 0;
};

// The writer process; killed and reaped on scope exit, so a failing assertion leaves no
// process behind writing into a directory being removed.
struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of its stdout

  Child() = default;
  Child(pid_t p, int fd) : pid(p), out(fd) {}
  Child(Child&& other) noexcept
      : pid(std::exchange(other.pid, -1)), out(std::exchange(other.out, -1)) {}
  Child& operator=(Child&&) = delete;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (out >= 0) ::close(out);
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

Child spawnWriter(const std::string& dir, int run) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  const std::string run_arg = std::to_string(run);
  const std::string threads_arg = std::to_string(kWriterThreads);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    const char* argv[] = {FERRY_STORE_CRASH_WRITER, dir.c_str(), run_arg.c_str(),
                          threads_arg.c_str(), nullptr};
    ::execv(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(fds[1]);
  return {pid, fds[0]};
}

// Reads whatever is available until `until` (or EOF) and appends complete lines to `lines`.
// Returns false on EOF.
bool pump(int fd, std::string& partial, std::vector<std::string>& lines, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0)));
    if (rc == 0) return true;  // deadline
    if (rc < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    char buf[65536];
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n <= 0) return false;
    partial.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(partial.substr(start, nl - start));
    }
    partial.erase(0, start);
    if (Clock::now() >= until) return true;
  }
}

void record(const std::string& line, Acked& acked) {
  std::istringstream in(line);
  std::string tag;
  in >> tag;
  Revision rev = 0;
  if (tag == "R") return;
  if (tag == "E") {
    ADD_FAILURE() << "writer failed: " << line;
    return;
  }
  if (tag == "d") {
    std::string key;
    in >> key;
    acked.delete_attempted.insert(key);
    return;
  }
  in >> rev;
  acked.max_revision = std::max(acked.max_revision, rev);
  std::string key;
  std::string key2;
  if (tag == "C") {
    in >> key;
    acked.created[key] = rev;
  } else if (tag == "T") {
    in >> key >> key2;
    acked.created[key] = rev;
    acked.created[key2] = rev;
  } else if (tag == "D") {
    in >> key;
    acked.deleted[key] = rev;
  } else if (tag == "U") {
    int run = 0;
    int i = 0;
    in >> key >> run >> i;
    acked.counters[key] = {rev, run, i};
  } else {
    ADD_FAILURE() << "unexpected line: " << line;
  }
}

void verify(EmbeddedStore& store, const Acked& acked, Revision& floor) {
  const Revision current = store.currentRevision();
  EXPECT_GE(current, acked.max_revision) << "an acknowledged revision was lost";
  EXPECT_GE(current, floor) << "the revision went backwards across a restart";
  floor = current;
  for (const auto& [key, rev] : acked.created) {
    auto kv = store.get(key);
    if (acked.deleted.contains(key)) {
      EXPECT_EQ(kv.code(), StatusCode::kNotFound) << key << " was deleted (acked)";
      continue;
    }
    if (!kv.ok() && acked.delete_attempted.contains(key)) continue;  // unacked delete landed
    ASSERT_TRUE(kv.ok()) << key << " acknowledged at revision " << rev << " is missing";
    EXPECT_EQ(kv->mod_revision, rev) << key;
  }
  for (const auto& [key, want] : acked.counters) {
    auto kv = store.get(key);
    ASSERT_TRUE(kv.ok()) << key;
    std::istringstream in(kv->value);
    int run = 0;
    int i = 0;
    in >> run >> i;
    EXPECT_GE(kv->mod_revision, std::get<0>(want)) << key;
    EXPECT_GE(std::make_pair(run, i), std::make_pair(std::get<1>(want), std::get<2>(want)))
        << key << " holds an update older than an acknowledged one";
  }
  // Txn atomicity, acknowledged or not: a pair is there whole or not at all.
  auto all = store.range({.prefix = "/crash/"});
  ASSERT_TRUE(all.ok());
  std::set<std::string> keys;
  for (const auto& kv : all->items) keys.insert(kv->key);
  for (const auto& k : keys) {
    if (k.ends_with("/a")) {
      EXPECT_TRUE(keys.contains(k.substr(0, k.size() - 1) + "b")) << "half a txn: " << k;
    } else if (k.ends_with("/b")) {
      EXPECT_TRUE(keys.contains(k.substr(0, k.size() - 1) + "a")) << "half a txn: " << k;
    }
  }
}

TEST(CrashTest, AcknowledgedWritesSurviveRepeatedSigkill) {
  TempDir dir;
  const std::string data = (dir / "data").string();
  uint64_t seed = std::random_device{}();
  // Read before any thread of ours starts.
  if (const char* s = std::getenv("FERRY_CRASH_SEED")) {  // NOLINT(concurrency-mt-unsafe)
    seed = std::strtoull(s, nullptr, 10);
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> delay_ms(20, 200);
  SCOPED_TRACE("FERRY_CRASH_SEED=" + std::to_string(seed));

  Acked acked;
  Revision floor = 0;
  size_t total_lines = 0;
  for (int run = 1; run <= kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    Child child = spawnWriter(data, run);
    ASSERT_GT(child.pid, 0);
    std::string partial;
    std::vector<std::string> lines;
    // Readiness is the first acknowledged write, not a guess at how long startup takes.
    const auto ready_deadline = Clock::now() + std::chrono::seconds(20);
    bool alive = true;
    while (alive && lines.size() < 2 && Clock::now() < ready_deadline) {
      alive = pump(child.out, partial, lines,
                   std::min(ready_deadline, Clock::now() + std::chrono::milliseconds(50)));
    }
    ASSERT_GE(lines.size(), 2U) << "writer never acknowledged a write";
    ASSERT_EQ(lines[0].substr(0, 2), "R ");
    EXPECT_GE(std::stoll(lines[0].substr(2)), floor) << "writer opened at an older revision";
    // Keep draining while the kill timer runs, so the writers never block on a full pipe.
    const auto kill_at = Clock::now() + std::chrono::milliseconds(delay_ms(rng));
    while (alive && Clock::now() < kill_at) alive = pump(child.out, partial, lines, kill_at);
    ::kill(child.pid, SIGKILL);
    while (pump(child.out, partial, lines, Clock::now() + std::chrono::seconds(10))) {
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    child.pid = -1;  // reaped
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited on its own: " << status;
    for (const auto& line : lines) record(line, acked);
    total_lines += lines.size();

    auto store = EmbeddedStore::open(optionsFor(data));
    ASSERT_TRUE(store.ok()) << store.status().toString();
    verify(**store, acked, floor);
    if (HasFailure()) return;
  }
  RecordProperty("acknowledged_lines", static_cast<int>(total_lines));
  std::printf("%d kills, %zu acknowledgement lines checked, final revision %lld\n", kRuns,
              total_lines, static_cast<long long>(floor));
}

}  // namespace
}  // namespace ferry::controlplane::store
