#include "ferry/controlplane/mirror_http.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <limits>

namespace ferry::controlplane {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;

api::Result<UpstreamEndpoint> upstreamEndpoint(const feed::KubeconfigCredentials& creds) {
  UpstreamEndpoint ep;
  ep.server = creds.server;
  ep.token = creds.token;
  const std::string scheme = "https://";
  if (creds.server.compare(0, scheme.size(), scheme) != 0)
    return api::Error{"upstream server " + creds.server + ": only https:// URLs are supported"};
  std::string rest = creds.server.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) {
    ep.base_path = rest.substr(slash);
    rest.resize(slash);
  }
  while (!ep.base_path.empty() && ep.base_path.back() == '/') ep.base_path.pop_back();
  if (!rest.empty() && rest.front() == '[') {  // [v6]:port
    auto close = rest.find(']');
    if (close == std::string::npos)
      return api::Error{"upstream server " + creds.server + ": bad IPv6 host"};
    ep.host = rest.substr(1, close - 1);
    rest.erase(0, close + 1);
    ep.port = !rest.empty() && rest.front() == ':' ? rest.substr(1) : "443";
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    ep.host = rest.substr(0, colon);
    ep.port = rest.substr(colon + 1);
  } else {
    ep.host = rest;
    ep.port = "443";
  }
  if (ep.host.empty() || ep.port.empty())
    return api::Error{"upstream server " + creds.server + ": no host or port"};
  return ep;
}

api::Result<std::shared_ptr<asio::ssl::context>> upstreamTls(
    const feed::KubeconfigCredentials& creds) {
  auto tls = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  try {
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1);
    tls->add_certificate_authority(asio::buffer(creds.ca_pem));
    tls->set_verify_mode(asio::ssl::verify_peer);
    if (!creds.client_cert_pem.empty()) {
      tls->use_certificate_chain(asio::buffer(creds.client_cert_pem));
      tls->use_private_key(asio::buffer(creds.client_key_pem), asio::ssl::context::pem);
    }
  } catch (const std::exception& e) {
    return api::Error{std::string("upstream TLS credentials: ") + e.what()};
  }
  return tls;
}

UpstreamConnection::UpstreamConnection(asio::any_io_executor ex, asio::ssl::context& tls,
                                       const UpstreamEndpoint& endpoint)
    : stream_(ex, tls), endpoint_(endpoint) {
  // Watches stream for as long as they last. Not boost::none: Beast 1.74 compares a
  // Content-Length against the optional limit, and any length exceeds "none".
  parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
}

awaitable<int> UpstreamConnection::get(std::string target, std::chrono::seconds timeout) {
  boost::system::error_code ec;
  auto& tcp = beast::get_lowest_layer(stream_);
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  auto addrs = co_await resolver.async_resolve(endpoint_.host, endpoint_.port,
                                               asio::redirect_error(use_awaitable, ec));
  if (ec) {
    error_ = "resolve " + endpoint_.host + ": " + ec.message();
    co_return 0;
  }
  tcp.expires_after(timeout);
  co_await tcp.async_connect(addrs, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    error_ = "connect " + endpoint_.host + ":" + endpoint_.port + ": " + ec.message();
    co_return 0;
  }
  tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  tcp.socket().set_option(asio::socket_base::keep_alive(true), ec);
  // SNI, and the certificate must name the host (an IP SAN for an IP), as client-go checks.
  // (RFC 6066 §3: no SNI for an IP address.)
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(endpoint_.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream_.native_handle(), endpoint_.host.c_str());
  stream_.set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
  tcp.expires_after(timeout);
  co_await stream_.async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(use_awaitable, ec));
  if (ec) {
    error_ = "TLS handshake with " + endpoint_.server + ": " + ec.message();
    co_return 0;
  }
  http::request<http::empty_body> req;
  req.method(http::verb::get);
  req.target(endpoint_.base_path + target);
  req.version(11);
  req.set(http::field::host, endpoint_.host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::user_agent, "ferry-controlplane/mirror");
  if (!endpoint_.token.empty()) req.set(http::field::authorization, "Bearer " + endpoint_.token);
  tcp.expires_after(timeout);
  co_await http::async_write(stream_, req, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    error_ = "send request: " + ec.message();
    co_return 0;
  }
  co_await http::async_read_header(stream_, buffer_, parser_,
                                   asio::redirect_error(use_awaitable, ec));
  if (ec) {
    error_ = "read response header: " + ec.message();
    co_return 0;
  }
  co_return static_cast<int>(parser_.get().result_int());
}

awaitable<bool> UpstreamConnection::readBody(std::string& out, size_t limit,
                                             std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!parser_.is_done()) {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      error_ = "response body not complete in time";
      co_return false;
    }
    if (!co_await readSome(out, left) && !parser_.is_done()) co_return false;
    if (out.size() > limit) {
      error_ = "response body larger than " + std::to_string(limit) + " bytes";
      co_return false;
    }
  }
  co_return true;
}

awaitable<bool> UpstreamConnection::readSome(std::string& out, std::chrono::seconds idle) {
  if (parser_.is_done()) co_return false;
  char chunk[16384];
  parser_.get().body().data = chunk;
  parser_.get().body().size = sizeof chunk;
  boost::system::error_code ec;
  beast::get_lowest_layer(stream_).expires_after(idle);
  co_await http::async_read_some(stream_, buffer_, parser_,
                                 asio::redirect_error(use_awaitable, ec));
  if (ec == http::error::need_buffer) ec = {};
  out.append(chunk, sizeof chunk - parser_.get().body().size);
  if (ec) {
    error_ = ec == beast::error::timeout ? "no data for " + std::to_string(idle.count()) + " s"
                                         : ec.message();
    co_return false;
  }
  co_return !parser_.is_done() || sizeof chunk != parser_.get().body().size;
}

}  // namespace ferry::controlplane
