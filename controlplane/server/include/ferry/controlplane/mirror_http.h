// The HTTPS client mirror mode reads the upstream Kubernetes API server with: one GET per
// connection (a list page read whole, or a watch streamed in pieces), the upstream's CA
// verified with its host name, a bearer token and/or a client certificate from the
// kubeconfig. Coroutines on the caller's io_context; every read and write bounded by a timeout
// so a silent peer (a dead node, a dropped NAT entry) is noticed.
#pragma once

// clang-format off
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without including it
// clang-format on

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "ferry/api/result.h"
#include "ferry/feed/kubeconfig.h"

namespace ferry::controlplane {

// Where the upstream is and how to authenticate to it.
struct UpstreamEndpoint {
  std::string server;     // the kubeconfig's URL, for logs
  std::string host;       // DNS name or IP, without brackets
  std::string port;       // "443" when the URL has none
  std::string base_path;  // a path prefix of the URL ("" or "/k8s/clusters/x", no trailing /)
  std::string token;      // bearer token, or "" (client certificate only)
};

// Splits `creds.server` (https only) and takes the token.
api::Result<UpstreamEndpoint> upstreamEndpoint(const feed::KubeconfigCredentials& creds);

// TLS 1.2+ client context trusting `creds.ca_pem`, presenting the client certificate if any.
api::Result<std::shared_ptr<boost::asio::ssl::context>> upstreamTls(
    const feed::KubeconfigCredentials& creds);

// One request's connection. Not thread-safe: use it from one coroutine at a time.
class UpstreamConnection {
 public:
  UpstreamConnection(boost::asio::any_io_executor ex, boost::asio::ssl::context& tls,
                     const UpstreamEndpoint& endpoint);

  // Connects, handshakes and sends GET <base_path><target>; reads the response header.
  // The status code, or 0 on a transport failure (error() says what failed).
  boost::asio::awaitable<int> get(std::string target, std::chrono::seconds timeout);
  // The whole body, at most `limit` bytes; false on failure (error()).
  boost::asio::awaitable<bool> readBody(std::string& out, size_t limit,
                                        std::chrono::seconds timeout);
  // Appends what arrives next of the body to `out`, waiting at most `idle` for it. False at the
  // end of the body (done() true) or on failure (error()).
  boost::asio::awaitable<bool> readSome(std::string& out, std::chrono::seconds idle);
  bool done() const { return parser_.is_done(); }
  const std::string& error() const { return error_; }

 private:
  using Stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  Stream stream_;
  const UpstreamEndpoint& endpoint_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::response_parser<boost::beast::http::buffer_body> parser_;
  std::string error_;
};

}  // namespace ferry::controlplane
