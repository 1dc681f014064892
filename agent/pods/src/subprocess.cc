#include "ferry/agent/pods/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace ferry::agent::pods {
namespace {

std::vector<char*> cArgv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  out.reserve(argv.size() + 1);
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reports a failed step from a forked child to its parent through `fd`, then exits 127.
[[noreturn]] void childFail(int fd, const std::string& what) {
  const std::string msg = what + ": " + errnoMessage(errno);
  (void)!::write(fd, msg.data(), msg.size());
  ::_exit(127);
}

}  // namespace

std::string errnoMessage(int err) {
  char buf[256];
  return ::strerror_r(err, buf, sizeof buf);  // the GNU variant: returns the message
}

std::string formatCommand(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    if (a.find_first_of(" \t'\"") == std::string::npos && !a.empty()) {
      out += a;
    } else {
      out += "'" + a + "'";
    }
  }
  return out;
}

int exitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return 1;
}

int waitExit(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return 1;
  }
  return exitCodeOf(status);
}

CommandOutput runCommand(const std::vector<std::string>& argv, const std::string& input) {
  CommandOutput result;
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return result;
  if (::pipe2(out, O_CLOEXEC) != 0) return result;
  if (::pipe2(err, O_CLOEXEC) != 0) return result;
  auto args = cArgv(argv);
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.err = "fork: " + errnoMessage(errno);
    return result;
  }
  if (pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    childFail(2, std::string("exec ") + argv[0]);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  // Feed stdin and drain both outputs together, so no pipe fills up and blocks the child.
  std::size_t written = 0;
  if (input.empty()) {
    ::close(in[1]);
    in[1] = -1;
  } else {
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
  }
  int open_outputs = 2;
  char buf[65536];
  while (open_outputs > 0 || in[1] >= 0) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        (i == 0 ? out[0] : err[0]) = -1;
        --open_outputs;
      }
    }
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(in[1], input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) written = input.size();
      if (written >= input.size()) {
        ::close(in[1]);
        in[1] = -1;
      }
    }
  }
  result.status = waitExit(pid);
  return result;
}

pid_t spawnInPod(const PodContext& ctx, const std::vector<std::string>& argv, std::string& error) {
  if (argv.empty()) {
    error = "no command";
    return -1;
  }
  // The child reports a failure before exec through this pipe; exec closes it (O_CLOEXEC),
  // so an empty read means the program is running.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    error = "pipe: " + errnoMessage(errno);
    return -1;
  }
  const std::string netns_path = "/run/netns/" + ctx.netns;
  const std::string procs = ctx.cgroup + "/cgroup.procs";
  auto args = cArgv(argv);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    error = "fork: " + errnoMessage(errno);
    return -1;
  }
  if (pid == 0) {
    ::close(report[0]);
    if (ctx.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
    }
    // Signal dispositions and mask back to defaults: the supervisor blocks SIGTERM/SIGINT.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // NOLINT(concurrency-mt-unsafe): one thread here
    if (!ctx.cgroup.empty()) {
      const int fd = ::open(procs.c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) childFail(report[1], "join cgroup " + ctx.cgroup);
      ::close(fd);
    }
    if (!ctx.netns.empty()) {
      const int fd = ::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0)
        childFail(report[1], "enter network namespace " + ctx.netns);
      ::close(fd);
    }
    if (!ctx.resolv_conf.empty()) {
      // A private mount namespace whose /etc/resolv.conf is the pod's, as `ip netns exec`
      // does with /etc/netns/<name>/resolv.conf; nothing propagates back to the host.
      if (::unshare(CLONE_NEWNS) != 0) childFail(report[1], "unshare mount namespace");
      if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0)
        childFail(report[1], "make / a slave mount");
      if (::mount(ctx.resolv_conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0)
        childFail(report[1], "bind " + ctx.resolv_conf + " over /etc/resolv.conf");
    }
    for (const auto& [k, v] : ctx.env)
      ::setenv(k.c_str(), v.c_str(), 1);  // NOLINT(concurrency-mt-unsafe): the forked child
    ::execvp(args[0], args.data());
    childFail(report[1], "exec " + argv[0]);
  }
  ::close(report[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = ::read(report[0], buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    msg.append(buf, static_cast<std::size_t>(n));
  }
  ::close(report[0]);
  if (!msg.empty()) {
    (void)waitExit(pid);
    error = msg;
    return -1;
  }
  return pid;
}

}  // namespace ferry::agent::pods
