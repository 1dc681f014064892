// The two ways a ferry-echo TCP connection is served once its first bytes told which it is.
#pragma once

// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "echo_context.h"

namespace ferry::echo {

// The HTTP/2 client connection preface (RFC 9113 §3.4), sent first by h2c prior-knowledge
// clients.
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// HTTP/1.1 (keep-alive, chunked bodies, Expect: 100-continue) and WebSocket on /ws.
// `buffer` holds bytes already read from `socket`.
boost::asio::awaitable<void> serveHttp1(EchoContext& context, std::shared_ptr<ConnectionHook> hook,
                                        boost::asio::ip::tcp::socket socket,
                                        boost::beast::flat_buffer buffer, std::string client);

// An HTTP/1.1 request answered with 101 Switching Protocols to h2c (RFC 7540 §3.2): it becomes
// stream 1 of the HTTP/2 session.
struct H2Upgrade {
  std::string method;
  std::string target;
  std::string host;
  std::vector<std::pair<std::string, std::string>> headers;  // lowercased names
  std::string settings;  // the HTTP2-Settings payload, base64url-decoded
};

// HTTP/2 over cleartext: with prior knowledge (RFC 9113 §3.3), `buffer` starting with the
// preface; or after an Upgrade, `upgrade` holding the request that asked for it.
boost::asio::awaitable<void> serveH2c(EchoContext& context, std::shared_ptr<ConnectionHook> hook,
                                      boost::asio::ip::tcp::socket socket,
                                      boost::beast::flat_buffer buffer, std::string client,
                                      std::optional<H2Upgrade> upgrade = std::nullopt);

// base64url without padding (RFC 4648 §5), as HTTP2-Settings carries it; nullopt if malformed.
std::optional<std::string> decodeBase64Url(std::string_view text);

// Status codes whose responses carry no body (RFC 9110 §6.4.1).
inline bool statusAllowsBody(int status) {
  return status >= 200 && status != 204 && status != 304;
}

}  // namespace ferry::echo
