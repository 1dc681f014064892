#include "ferry/testing/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace ferry::testing {
namespace {

using Clock = std::chrono::steady_clock;

// How long to keep reading a child's pipes after it exited: a grandchild that inherited them may
// hold them open forever, and it is not ours to wait for.
constexpr std::chrono::milliseconds kDrainAfterExit{200};

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// glibc 2.36's <sys/pidfd.h> lacks extern "C", so C++ cannot link its pidfd_open(); use the
// system call directly. -1 (and polling with short sleeps instead) on kernels without it.
int openPidfd(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

[[noreturn]] void throwErrno(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::pair<Fd, Fd> makePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throwErrno("pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

Fd makeMemfd(const char* name) {
  int fd = ::memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throwErrno("memfd_create");
  return Fd(fd);
}

Fd openDevNull() {
  int fd = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (fd < 0) throwErrno("open /dev/null");
  return Fd(fd);
}

void writeAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throwErrno("write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// Forks and execs argv with the given descriptors as stdin/stdout/stderr. Only async-signal-safe
// calls happen between fork and exec (the test process may have threads). Returns the pid, or
// throws with the exec error if the program could not be started.
pid_t spawnChild(const std::vector<std::string>& argv, int in_fd, int out_fd, int err_fd) {
  if (argv.empty()) throw std::runtime_error("spawn: empty argument vector");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  auto [err_read, err_write] = makePipe();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throwErrno("fork");
  if (pid == 0) {
    // Own process group, so a timeout can kill the whole tree the command started.
    ::setpgid(0, 0);
    // Die with the test process: a test killed by ctest's timeout must not leave servers running
    // inside namespaces that the sweeper then cannot delete cleanly.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    // Sockets and files the test holds are none of the child's business.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());
    int e = errno;
    ssize_t ignored = ::write(err_write.get(), &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  err_write.reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_read.get(), &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status;
    ::waitpid(pid, &status, 0);
    throw std::runtime_error("cannot execute " + formatCommand(argv) + ": " +
                             std::strerror(child_errno));
  }
  return pid;
}

// Reads a memfd from the start, keeping at most max bytes.
std::string readMemfd(int fd, std::size_t max, bool* truncated) {
  std::string out;
  char buf[16384];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += n;
    std::size_t room = max - std::min(max, out.size());
    std::size_t take = std::min(room, static_cast<std::size_t>(n));
    out.append(buf, take);
    if (take < static_cast<std::size_t>(n)) {
      if (truncated) *truncated = true;
      break;
    }
  }
  return out;
}

// Waits for pid to exit until deadline. Returns true (and the status) if it did.
bool waitUntil(pid_t pid, Clock::time_point deadline, int* status) {
  int pidfd = openPidfd(pid);
  Fd guard(pidfd);
  for (;;) {
    pid_t r = ::waitpid(pid, status, WNOHANG);
    if (r == pid) return true;
    if (r < 0 && errno != EINTR) throwErrno("waitpid");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count() + 1, 1000)));
    } else {
      ::usleep(2000);
    }
  }
}

void killGroupAndChild(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

}  // namespace

std::string formatCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && std::all_of(a.begin(), a.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-_./:=,@%+[]", c);
    });
    if (plain) {
      out += a;
      continue;
    }
    out += '\'';
    for (char c : a) {
      if (c == '\'')
        out += "'\\''";
      else
        out += c;
    }
    out += '\'';
  }
  return out;
}

CommandResult runCommand(const std::vector<std::string>& argv, const RunOptions& options) {
  Fd in;
  if (options.stdin_data.empty()) {
    in = openDevNull();
  } else {
    // A memfd rather than a pipe: no writer loop, and no SIGPIPE if the child ignores its input.
    in = makeMemfd("ferry-stdin");
    writeAll(in.get(), options.stdin_data);
    ::lseek(in.get(), 0, SEEK_SET);
  }
  auto [out_read, out_write] = makePipe();
  auto [err_read, err_write] = makePipe();
  const auto deadline = Clock::now() + options.timeout;

  CommandResult result;
  pid_t pid;
  try {
    pid = spawnChild(argv, in.get(), out_write.get(), err_write.get());
  } catch (const std::runtime_error& e) {
    result.exit_code = 127;
    result.err = e.what();
    return result;
  }
  in.reset();
  out_write.reset();
  err_write.reset();
  ::fcntl(out_read.get(), F_SETFL, O_NONBLOCK);
  ::fcntl(err_read.get(), F_SETFL, O_NONBLOCK);

  Fd pidfd(openPidfd(pid));
  bool exited = false;
  int status = 0;
  Clock::time_point drain_deadline{};
  Fd* streams[2] = {&out_read, &err_read};
  std::string* sinks[2] = {&result.out, &result.err};
  char buf[16384];

  while (out_read.get() >= 0 || err_read.get() >= 0 || !exited) {
    auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      break;
    }
    if (exited && now >= drain_deadline) break;
    pollfd fds[3];
    int nfds = 0;
    int index[3];
    for (int i = 0; i < 2; ++i) {
      if (streams[i]->get() >= 0) {
        fds[nfds] = {streams[i]->get(), POLLIN, 0};
        index[nfds++] = i;
      }
    }
    if (!exited && pidfd.get() >= 0) {
      fds[nfds] = {pidfd.get(), POLLIN, 0};
      index[nfds++] = 2;
    }
    auto until = exited ? std::min(deadline, drain_deadline) : deadline;
    auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
    if (pidfd.get() < 0 && !exited) wait_ms = std::min<long long>(wait_ms, 5);
    int r = ::poll(fds, static_cast<nfds_t>(nfds), static_cast<int>(wait_ms));
    if (r < 0 && errno != EINTR) throwErrno("poll");
    for (int k = 0; r > 0 && k < nfds; ++k) {
      if (fds[k].revents == 0 || index[k] == 2) continue;
      int i = index[k];
      ssize_t n = ::read(streams[i]->get(), buf, sizeof buf);
      if (n > 0) {
        std::size_t room = options.max_output - std::min(options.max_output, sinks[i]->size());
        std::size_t take = std::min(room, static_cast<std::size_t>(n));
        sinks[i]->append(buf, take);
        if (take < static_cast<std::size_t>(n)) result.truncated = true;
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        streams[i]->reset();
      }
    }
    if (!exited) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        exited = true;
        drain_deadline = Clock::now() + kDrainAfterExit;
      }
    }
  }

  if (!exited) {
    killGroupAndChild(pid);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  result.exit_code = decodeStatus(status);
  return result;
}

std::string runOrThrow(const std::vector<std::string>& argv, const RunOptions& options) {
  CommandResult r = runCommand(argv, options);
  if (r.ok()) return r.out;
  std::string msg = "command failed: " + formatCommand(argv);
  if (r.timed_out)
    msg += " (timed out after " + std::to_string(options.timeout.count()) + " ms)";
  else
    msg += " (exit " + std::to_string(r.exit_code) + ")";
  while (!r.err.empty() && (r.err.back() == '\n' || r.err.back() == ' ')) r.err.pop_back();
  if (!r.err.empty()) msg += ": " + r.err;
  throw std::runtime_error(msg);
}

Subprocess::Subprocess(const std::vector<std::string>& argv) : argv_(argv) {
  Fd in = openDevNull();
  Fd out = makeMemfd("ferry-stdout");
  Fd err = makeMemfd("ferry-stderr");
  pid_ = spawnChild(argv, in.get(), out.get(), err.get());
  out_fd_ = out.release();
  err_fd_ = err.release();
}

Subprocess::~Subprocess() {
  killAndReap();
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

Subprocess::Subprocess(Subprocess&& other) noexcept
    : argv_(std::move(other.argv_)),
      pid_(std::exchange(other.pid_, -1)),
      status_(other.status_),
      exited_(other.exited_),
      timed_out_(other.timed_out_),
      out_fd_(std::exchange(other.out_fd_, -1)),
      err_fd_(std::exchange(other.err_fd_, -1)) {}

Subprocess& Subprocess::operator=(Subprocess&& other) noexcept {
  if (this != &other) {
    killAndReap();
    if (out_fd_ >= 0) ::close(out_fd_);
    if (err_fd_ >= 0) ::close(err_fd_);
    argv_ = std::move(other.argv_);
    pid_ = std::exchange(other.pid_, -1);
    status_ = other.status_;
    exited_ = other.exited_;
    timed_out_ = other.timed_out_;
    out_fd_ = std::exchange(other.out_fd_, -1);
    err_fd_ = std::exchange(other.err_fd_, -1);
  }
  return *this;
}

bool Subprocess::running() {
  if (pid_ < 0 || exited_) return false;
  pid_t r = ::waitpid(pid_, &status_, WNOHANG);
  if (r == pid_) exited_ = true;
  return !exited_;
}

void Subprocess::killAndReap() {
  if (pid_ < 0 || exited_) return;
  killGroupAndChild(pid_);
  while (::waitpid(pid_, &status_, 0) < 0 && errno == EINTR) {
  }
  exited_ = true;
}

CommandResult Subprocess::collect(std::size_t max_output) {
  CommandResult r;
  r.exit_code = decodeStatus(status_);
  r.timed_out = timed_out_;
  r.out = readMemfd(out_fd_, max_output, &r.truncated);
  r.err = readMemfd(err_fd_, max_output, &r.truncated);
  return r;
}

CommandResult Subprocess::wait(std::chrono::milliseconds timeout, std::size_t max_output) {
  if (pid_ < 0) throw std::logic_error("Subprocess::wait on a moved-from object");
  if (!exited_) {
    if (waitUntil(pid_, Clock::now() + timeout, &status_)) {
      exited_ = true;
    } else {
      timed_out_ = true;
      killAndReap();
    }
  }
  return collect(max_output);
}

CommandResult Subprocess::stop(int sig, std::chrono::milliseconds grace) {
  if (pid_ < 0) throw std::logic_error("Subprocess::stop on a moved-from object");
  if (running()) {
    ::kill(-pid_, sig);
    ::kill(pid_, sig);
  }
  return wait(grace);
}

std::string Subprocess::currentOutput(std::size_t max_output) const {
  if (out_fd_ < 0) return {};
  return readMemfd(out_fd_, max_output, nullptr);
}

}  // namespace ferry::testing
