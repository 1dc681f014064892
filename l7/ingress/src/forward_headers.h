// What the proxy changes in the headers it forwards.
//  - Hop-by-hop fields (RFC 9110 §7.6.1) go in both directions: Connection and every field it
//    names, Keep-Alive, Proxy-Connection, TE, Trailer, Upgrade (no WebSocket yet). Transfer-
//    Encoding stays on the message: Beast's serializer frames the body from it (chunked in,
//    chunked out) and never forwards the peer's framing byte for byte.
//  - Requests get X-Forwarded-For (appended), X-Forwarded-Proto, X-Forwarded-Host,
//    X-Forwarded-Port, X-Request-Id (kept, or a random 128-bit hex id) and Via (appended).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>
#include <cstdint>
#include <random>
#include <string_view>

namespace ferry::ingress {

void stripHopByHop(boost::beast::http::fields& fields);

struct ForwardContext {
  boost::asio::ip::address client;
  uint16_t local_port = 0;
  std::string_view proto = "http";
};

// Call after stripHopByHop.
void addForwardedHeaders(boost::beast::http::fields& fields, const ForwardContext& context,
                         std::mt19937_64& rng);

// Via on responses (RFC 9110 §7.6.3).
void addVia(boost::beast::http::fields& fields);

}  // namespace ferry::ingress
