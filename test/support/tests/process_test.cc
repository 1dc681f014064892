#include "ferry/testing/process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <csignal>
#include <stdexcept>

namespace ferry::testing {
namespace {

using std::chrono::milliseconds;

TEST(RunCommandTest, CapturesStdoutAndExitCode) {
  CommandResult r = runCommand({"echo", "hello", "world"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.out, "hello world\n");
  EXPECT_EQ(r.err, "");
  EXPECT_FALSE(r.timed_out);
}

TEST(RunCommandTest, ArgumentsAreNotInterpretedByAShell) {
  CommandResult r = runCommand({"echo", "$HOME; rm -rf /nonexistent", "'quoted'"});
  EXPECT_EQ(r.out, "$HOME; rm -rf /nonexistent 'quoted'\n");
}

TEST(RunCommandTest, ExitCodeAndStderr) {
  CommandResult r = runCommand({"sh", "-c", "echo oops >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.err, "oops\n");
}

TEST(RunCommandTest, KilledBySignalUsesShellConvention) {
  CommandResult r = runCommand({"sh", "-c", "kill -TERM $$"});
  EXPECT_EQ(r.exit_code, 128 + SIGTERM);
}

TEST(RunCommandTest, MissingProgram) {
  CommandResult r = runCommand({"/nonexistent/ferry-no-such-program"});
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_NE(r.err.find("No such file"), std::string::npos) << r.err;
}

TEST(RunCommandTest, TimeoutKillsTheChild) {
  auto start = std::chrono::steady_clock::now();
  RunOptions o;
  o.timeout = milliseconds(200);
  CommandResult r = runCommand({"sleep", "10"}, o);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST(RunCommandTest, TimeoutKillsTheWholeProcessGroup) {
  // The shell's child sleep holds the pipe; without a group kill this would wait for it.
  auto start = std::chrono::steady_clock::now();
  RunOptions o;
  o.timeout = milliseconds(300);
  CommandResult r = runCommand({"sh", "-c", "sleep 10; echo never"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(RunCommandTest, OutputIsBounded) {
  RunOptions o;
  o.max_output = 1000;
  CommandResult r = runCommand({"head", "-c", "1000000", "/dev/zero"}, o);
  EXPECT_EQ(r.exit_code, 0);  // read to the end, so the child never blocked
  EXPECT_EQ(r.out.size(), 1000u);
  EXPECT_TRUE(r.truncated);
}

TEST(RunCommandTest, FeedsStdin) {
  RunOptions o;
  o.stdin_data = "line one\nline two\n";
  CommandResult r = runCommand({"wc", "-l"}, o);
  EXPECT_EQ(r.out, "2\n");
  EXPECT_EQ(runCommand({"cat"}).out, "");  // empty stdin by default, no hang
}

TEST(RunOrThrowTest, ReturnsStdoutOrThrowsWithStderr) {
  EXPECT_EQ(runOrThrow({"printf", "%s", "x"}), "x");
  try {
    runOrThrow({"sh", "-c", "echo 'Cannot find device' >&2; exit 1"});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("exit 1"), std::string::npos) << what;
    EXPECT_NE(what.find("Cannot find device"), std::string::npos) << what;
    EXPECT_NE(what.find("sh -c"), std::string::npos) << what;
  }
}

TEST(FormatCommandTest, QuotesWhereNeeded) {
  EXPECT_EQ(formatCommand({"ip", "-n", "fy1-0-n0", "addr", "add", "10.0.0.1/24"}),
            "ip -n fy1-0-n0 addr add 10.0.0.1/24");
  EXPECT_EQ(formatCommand({"sh", "-c", "echo it's"}), "sh -c 'echo it'\\''s'");
  EXPECT_EQ(formatCommand({"printf", ""}), "printf ''");
}

TEST(SubprocessTest, WaitCollectsOutput) {
  Subprocess p({"sh", "-c", "echo out; echo err >&2; exit 4"});
  CommandResult r = p.wait(milliseconds(5000));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(p.running());
}

TEST(SubprocessTest, StopAndTimeout) {
  Subprocess p({"sleep", "30"});
  EXPECT_GT(p.pid(), 0);
  EXPECT_TRUE(p.running());
  CommandResult r = p.stop(SIGTERM);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM);
  EXPECT_FALSE(r.timed_out);

  Subprocess q({"sleep", "30"});
  CommandResult t = q.wait(milliseconds(100));
  EXPECT_TRUE(t.timed_out);
  EXPECT_EQ(t.exit_code, 128 + SIGKILL);
}

TEST(SubprocessTest, DestructorKillsAndMoveTransfersOwnership) {
  pid_t pid;
  {
    Subprocess a({"sleep", "30"});
    pid = a.pid();
    Subprocess b = std::move(a);
    EXPECT_EQ(b.pid(), pid);
    EXPECT_TRUE(b.running());
  }
  // Reaped by the destructor: the pid no longer exists as our child.
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(SubprocessTest, CannotExecuteThrows) {
  EXPECT_THROW(Subprocess({"/nonexistent/ferry-no-such-program"}), std::runtime_error);
}

TEST(SubprocessTest, CurrentOutput) {
  Subprocess p({"sh", "-c", "echo ready; sleep 30"});
  std::string out;
  for (int i = 0; i < 200 && out.empty(); ++i) {
    out = p.currentOutput();
    if (out.empty()) ::usleep(10000);
  }
  EXPECT_EQ(out, "ready\n");
}

}  // namespace
}  // namespace ferry::testing
