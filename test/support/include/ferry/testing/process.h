// Running external commands from tests: fork/execvp with an argument vector (never a shell, so
// no quoting bugs), bounded output capture, a hard timeout, and children that die with the test
// process so a killed test run leaves no strays behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace ferry::testing {

struct RunOptions {
  // The child (and its process group) is killed with SIGKILL once this has passed.
  std::chrono::milliseconds timeout{10000};
  // Per stream; bytes beyond it are read and discarded so the child never blocks on a full pipe.
  std::size_t max_output = 1 << 20;
  // Fed to the child's stdin (which is /dev/null-like when empty).
  std::string stdin_data;
};

struct CommandResult {
  // The exit status; 128 + signal number if the child was killed by a signal (shell convention);
  // 127 if the program could not be executed (err then says why).
  int exit_code = -1;
  std::string out;
  std::string err;
  bool timed_out = false;
  bool truncated = false;  // out or err hit RunOptions::max_output

  bool ok() const { return exit_code == 0 && !timed_out; }
};

// Runs argv[0] (looked up in PATH) with the given arguments and waits for it.
CommandResult runCommand(const std::vector<std::string>& argv, const RunOptions& options = {});

// Like runCommand, but throws std::runtime_error (naming the command, its exit code and stderr)
// unless it succeeded. Returns stdout.
std::string runOrThrow(const std::vector<std::string>& argv, const RunOptions& options = {});

// "ip -n x link add ..." with arguments quoted where needed, for error messages and logs.
std::string formatCommand(const std::vector<std::string>& argv);

// A background child (a server for a test to talk to, say). Its stdout and stderr go to
// anonymous memory files, read back by wait()/stop(). The destructor kills and reaps it.
// Children get SIGKILL when the thread that started them exits (PR_SET_PDEATHSIG), so start
// long-lived ones from a long-lived thread, not from inside runInNetns().
class Subprocess {
 public:
  // Starts the command; throws std::runtime_error if it cannot be executed.
  explicit Subprocess(const std::vector<std::string>& argv);
  ~Subprocess();

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }

  // False once the child has exited (it is reaped then, and its status kept for wait()).
  bool running();

  // Waits up to timeout for the child to exit; kills it if it has not. Returns its status and
  // everything it wrote (up to max_output per stream).
  CommandResult wait(std::chrono::milliseconds timeout, std::size_t max_output = 1 << 20);

  // Sends sig, waits up to grace, then SIGKILLs. Returns as wait() does.
  CommandResult stop(int sig, std::chrono::milliseconds grace = std::chrono::milliseconds{1000});

  // What the child has written to stdout so far (bounded).
  std::string currentOutput(std::size_t max_output = 1 << 20) const;

 private:
  void killAndReap();
  CommandResult collect(std::size_t max_output);

  std::vector<std::string> argv_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  bool timed_out_ = false;
  int out_fd_ = -1;
  int err_fd_ = -1;
};

}  // namespace ferry::testing
