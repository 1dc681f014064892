// The HTTPS client pieces the load generators share (http_load.cc, feed_bench.cc): a verifying
// TLS context, a connect + handshake with the I/O timeout, and the server CPU accounting over
// a measured window.
#pragma once

#include <sys/types.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <memory>

#include "http_load.h"

namespace ferry::bench {

using HttpsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// steady_clock, in nanoseconds.
int64_t nowNs();

// TLS 1.2+ client context that verifies the server against target.ca_file.
std::unique_ptr<boost::asio::ssl::context> makeTlsContext(const Target& t);

// TCP connect (no delay) and TLS handshake with host-name verification, 10 s bound.
boost::asio::awaitable<void> connectTls(HttpsStream& s, const Target& t);

// Server CPU over a window, two ways (see proc_stat.h): ticks from /proc/<pid>/stat (every
// thread that ever ran, 10 ms resolution) and live threads' schedstat (ns resolution).
struct ServerCpu {
  double ticks_s = 0;
  double sched_s = -1;  // -1: unavailable
};
ServerCpu cpuOf(pid_t pid);
ServerCpu operator-(const ServerCpu& a, const ServerCpu& b);

}  // namespace ferry::bench
