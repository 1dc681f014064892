// Running helper programs (ip, kubectl) and starting a pod's processes inside its network
// namespace and cgroup.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace ferry::agent::pods {

struct CommandOutput {
  int status = -1;  // exit code; 128 + signal when killed; -1 when it could not start
  std::string out;  // stdout
  std::string err;  // stderr
  bool ok() const { return status == 0; }
};

// Runs argv[0] (looked up in PATH) with `input` on stdin, collecting stdout and stderr.
CommandOutput runCommand(const std::vector<std::string>& argv, const std::string& input = {});

// "a b 'c d'": for messages.
std::string formatCommand(const std::vector<std::string>& argv);

// Where a pod's process runs: its network namespace (a name under /run/netns), its cgroup
// (a cgroup v2 directory: the node agent's socket load balancer applies to it), optionally a
// resolv.conf bind-mounted over /etc/resolv.conf in a private mount namespace, and extra
// environment.
struct PodContext {
  std::string netns;
  std::string cgroup;
  std::string resolv_conf;  // "" keeps the host's
  std::map<std::string, std::string> env;
  bool die_with_parent = false;  // SIGKILL when the starting process dies (PR_SET_PDEATHSIG)
};

// Forks and execs argv inside `ctx`; returns the child's pid, or -1 with `error` set. The
// child joins the cgroup and namespace before exec, so the program never runs outside them.
pid_t spawnInPod(const PodContext& ctx, const std::vector<std::string>& argv, std::string& error);

// strerror(err), thread-safe.
std::string errnoMessage(int err);

// waitpid() for `pid`: its exit code, or 128 + signal.
int waitExit(pid_t pid);

// 128 + signal or the exit code, from a waitpid() status.
int exitCodeOf(int wait_status);

}  // namespace ferry::agent::pods
