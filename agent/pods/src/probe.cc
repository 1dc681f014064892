#include "ferry/agent/pods/probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "ferry/agent/pods/subprocess.h"

namespace ferry::agent::pods {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `events` on fd until `deadline`; false on timeout or error.
bool waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// A TCP socket made in /run/netns/<netns> (sockets keep the namespace they were created in);
// the calling thread returns to its own namespace before this returns. -1 on failure.
int socketIn(const std::string& netns) {
  if (netns.empty()) return ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int self = ::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  const std::string path = "/run/netns/" + netns;
  const int target = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  int fd = -1;
  if (self >= 0 && target >= 0 && ::setns(target, CLONE_NEWNET) == 0) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (::setns(self, CLONE_NEWNET) != 0) {
      // Stuck in the wrong namespace: nothing this thread does later could be trusted.
      std::abort();
    }
  }
  if (self >= 0) ::close(self);
  if (target >= 0) ::close(target);
  return fd;
}

}  // namespace

HttpProbe parseHttpProbe(const std::string& spec) {
  HttpProbe p;
  const auto colon = spec.find(':');
  const std::string port = spec.substr(0, colon);
  if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos) return p;
  const int n = std::atoi(port.c_str());
  if (n < 1 || n > 65535) return p;
  if (colon != std::string::npos) p.path = spec.substr(colon + 1);
  if (p.path.empty() || p.path[0] != '/') p.path = "/" + p.path;
  p.port = n;
  return p;
}

bool probeHttp(const std::string& ip, const HttpProbe& probe, std::chrono::milliseconds timeout,
               const std::string& from_netns) {
  const auto deadline = Clock::now() + timeout;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(probe.port));
  if (::inet_pton(AF_INET, ip.c_str(), &sa.sin_addr) != 1) return false;
  const int fd = socketIn(from_netns);
  if (fd < 0) return false;
  bool ok = false;
  do {
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 && errno != EINPROGRESS)
      break;
    if (!waitFor(fd, POLLOUT, deadline)) break;
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) break;
    const std::string req = "GET " + probe.path + " HTTP/1.1\r\nHost: " + ip + ":" +
                            std::to_string(probe.port) +
                            "\r\nUser-Agent: ferry-probe/0.1\r\nConnection: close\r\n\r\n";
    std::size_t sent = 0;
    while (sent < req.size()) {
      const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
      if (n > 0) {
        sent += static_cast<std::size_t>(n);
      } else if (n < 0 && errno == EAGAIN) {
        if (!waitFor(fd, POLLOUT, deadline)) break;
      } else {
        break;
      }
    }
    if (sent < req.size()) break;
    // "HTTP/1.1 200": the status line's first 12 bytes decide.
    std::string head;
    char buf[256];
    while (head.size() < 12) {
      if (!waitFor(fd, POLLIN, deadline)) break;
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) break;
    const int status = std::atoi(head.c_str() + 9);
    ok = status >= 200 && status < 400;
  } while (false);
  ::close(fd);
  return ok;
}

std::string enterNetns(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "open " + path + ": " + errnoMessage(errno);
  const int r = ::setns(fd, CLONE_NEWNET);
  const int saved = errno;
  ::close(fd);
  return r == 0 ? std::string() : "setns " + path + ": " + errnoMessage(saved);
}

}  // namespace ferry::agent::pods
