// Request-side helpers: what the proxy does to a Host header and a request-target before route
// lookup. None allocates; all work on views into the caller's buffers.
#pragma once

#include <cstddef>
#include <string_view>

namespace ferry::ingress {

// Longest host name routing looks at (RFC 1035 §2.3.4: 253 characters without the final dot).
inline constexpr size_t kMaxHostLength = 253;

// "Foo.com:8080" -> "Foo.com"; "[::1]:80" -> "::1"; "[::1]" -> "::1"; "::1" (unbracketed, more
// than one colon) is left whole. Case is not changed here.
std::string_view hostWithoutPort(std::string_view host);

// "/a/b?x=1" -> "/a/b" (also cuts a '#' fragment, which clients should not send).
std::string_view stripQuery(std::string_view target);

// The lookup form of a Host header: port removed, one trailing dot removed, lower-cased into
// `buffer` (which must hold kMaxHostLength bytes). Returns a view into `buffer`, or an empty
// view when the name is longer than kMaxHostLength (it then matches no host, only host-less
// rules).
std::string_view normalizeHost(std::string_view host_header, char* buffer);

// Whether `host` (normalized) matches the wildcard suffix `suffix` of a rule "*.<suffix>": the
// '*' stands for exactly one non-empty label (networking.k8s.io/v1 IngressRule.host).
bool matchesWildcard(std::string_view host, std::string_view suffix);

// The part after the first label ("bar.foo.com" -> "foo.com"); empty when there is no dot or
// the first label is empty.
std::string_view parentDomain(std::string_view host);

}  // namespace ferry::ingress
