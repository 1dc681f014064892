#include "fake_upstream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <stdexcept>
#include <vector>

#include "loopback_client.h"

namespace ferry::dns::testing {

namespace {

void put16(std::string& m, uint16_t v) {
  m.push_back(static_cast<char>(v >> 8));
  m.push_back(static_cast<char>(v));
}

void put32(std::string& m, uint32_t v) {
  put16(m, static_cast<uint16_t>(v >> 16));
  put16(m, static_cast<uint16_t>(v));
}

void putName(std::string& m, const std::string& dotted) {
  size_t start = 0;
  while (start < dotted.size()) {
    size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    m.push_back(static_cast<char>(dot - start));
    m.append(dotted, start, dot - start);
    start = dot + 1;
  }
  m.push_back(0);
}

// Reads a plain (uncompressed) question name as lower-case dotted text; "" if it is not one.
std::string questionName(const std::string& q, size_t& pos) {
  std::string out;
  pos = 12;
  while (pos < q.size()) {
    const auto len = static_cast<uint8_t>(q[pos]);
    if (len == 0) {
      ++pos;
      return out;
    }
    if (len > 63 || pos + 1 + len > q.size()) return "";
    for (size_t i = 0; i < len; ++i) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(q[pos + 1 + i]))));
    }
    out.push_back('.');
    pos += 1 + len;
  }
  return "";
}

bool readAll(int fd, char* data, size_t n) {
  while (n > 0) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return false;
    const ssize_t got = read(fd, data, n);
    if (got <= 0) return false;
    data += got;
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

FakeUpstream::FakeUpstream(uint32_t positive_ttl, uint32_t negative_ttl)
    : positive_ttl_(positive_ttl), negative_ttl_(negative_ttl) {
  port_ = freeLoopbackPort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  udp_ = socket(AF_INET, SOCK_DGRAM, 0);
  tcp_ = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(tcp_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (bind(udp_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      bind(tcp_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || listen(tcp_, 16) != 0 ||
      pipe(wake_) != 0) {
    throw std::runtime_error("fake upstream: cannot bind 127.0.0.1:" + std::to_string(port_));
  }
  thread_ = std::thread([this] { serve(); });
}

FakeUpstream::~FakeUpstream() {
  const char byte = 0;
  if (write(wake_[1], &byte, 1) != 1) std::terminate();
  thread_.join();
  for (int fd : {udp_, tcp_, wake_[0], wake_[1]}) close(fd);
}

int FakeUpstream::udpQueries(const std::string& name) const {
  std::lock_guard lock(mu_);
  const auto it = udp_counts_.find(name);
  return it == udp_counts_.end() ? 0 : it->second;
}

int FakeUpstream::tcpQueries(const std::string& name) const {
  std::lock_guard lock(mu_);
  const auto it = tcp_counts_.find(name);
  return it == tcp_counts_.end() ? 0 : it->second;
}

std::string FakeUpstream::answer(const std::string& q, bool tcp) {
  size_t pos = 0;
  if (q.size() < 12) return "";
  const std::string name = questionName(q, pos);
  if (name.empty() || pos + 4 > q.size()) return "";
  {
    std::lock_guard lock(mu_);
    ++(tcp ? tcp_counts_ : udp_counts_)[name];
  }
  if (silent_) return "";
  const std::string question = q.substr(12, pos + 4 - 12);
  std::string m = q.substr(0, 2);  // ID
  const bool ours = name.size() > 13 && name.ends_with(".example.test.");
  const bool nx = ours && name.starts_with("nx");
  const bool big = ours && name.starts_with("big");
  uint16_t flags = 0x8180;  // QR RD RA
  if (!ours) flags |= 5;
  if (nx) flags |= 3;
  if (big && !tcp) flags |= 0x0200;
  uint16_t answers = 0;
  if (ours && !nx && !(big && !tcp)) answers = big ? 2 : 1;
  put16(m, flags);
  put16(m, 1);
  put16(m, answers);
  put16(m, nx ? 1 : 0);
  put16(m, 0);
  m += question;
  for (uint16_t i = 0; i < answers; ++i) {
    put16(m, 0xC00C);
    put16(m, 1);
    put16(m, 1);
    put32(m, positive_ttl_);
    put16(m, 4);
    m += std::string{char(192), char(0), char(2), static_cast<char>(44 + i)};
  }
  if (nx) {
    putName(m, "example.test");
    put16(m, 6);
    put16(m, 1);
    put32(m, 60);
    std::string rdata;
    putName(rdata, "ns.example.test");
    putName(rdata, "hostmaster.example.test");
    for (uint32_t v : {1u, 7200u, 1800u, 86400u, negative_ttl_}) put32(rdata, v);
    put16(m, static_cast<uint16_t>(rdata.size()));
    m += rdata;
  }
  return m;
}

void FakeUpstream::serve() {
  std::vector<char> buf(65536);
  for (;;) {
    pollfd fds[3] = {{wake_[0], POLLIN, 0}, {udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
    if (poll(fds, 3, -1) <= 0) continue;
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      sockaddr_in from{};
      socklen_t len = sizeof(from);
      const ssize_t n =
          recvfrom(udp_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) {
        const std::string reply = answer(std::string(buf.data(), static_cast<size_t>(n)), false);
        if (!reply.empty()) {
          sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
        }
      }
    }
    if (fds[2].revents & POLLIN) {
      // One query per connection is all the forwarder sends; handled inline, it is a test.
      const int c = accept(tcp_, nullptr, nullptr);
      if (c < 0) continue;
      unsigned char prefix[2];
      if (readAll(c, reinterpret_cast<char*>(prefix), 2)) {
        const size_t length = (size_t{prefix[0]} << 8) | prefix[1];
        std::string query(length, '\0');
        if (readAll(c, query.data(), length)) {
          std::string reply = answer(query, true);
          if (!reply.empty()) {
            std::string framed;
            put16(framed, static_cast<uint16_t>(reply.size()));
            framed += reply;
            if (write(c, framed.data(), framed.size()) < 0) { /* peer gone */
            }
          }
        }
      }
      close(c);
    }
  }
}

}  // namespace ferry::dns::testing
