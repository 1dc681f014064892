#include "forward_headers.h"

#include <array>
#include <string>

namespace ferry::ingress {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kVia = "1.1 ferry";

// Appends to a list-valued field, folding repeated lines into one (RFC 9110 §5.3).
void appendList(http::fields& fields, boost::beast::string_view name, std::string_view value) {
  std::string joined;
  for (auto it = fields.find(name);
       it != fields.end() && boost::beast::iequals(it->name_string(), name); ++it) {
    if (!joined.empty()) joined.append(", ");
    joined.append(it->value());
  }
  if (!joined.empty()) joined.append(", ");
  joined.append(value);
  fields.set(name, joined);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

void stripHopByHop(http::fields& fields) {
  // The fields Connection names are hop-by-hop too (RFC 9110 §7.6.1); never these two though.
  for (auto it = fields.find(http::field::connection);
       it != fields.end() && it->name() == http::field::connection;
       it = fields.find(http::field::connection)) {
    std::string_view list = it->value();
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view token = trim(list.substr(0, comma));
      if (!token.empty() && !boost::beast::iequals(token, "transfer-encoding") &&
          !boost::beast::iequals(token, "content-length")) {
        fields.erase(boost::beast::string_view(token.data(), token.size()));
      }
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
    fields.erase(it);
  }
  fields.erase(http::field::keep_alive);
  fields.erase("Proxy-Connection");
  fields.erase(http::field::te);
  fields.erase(http::field::trailer);
  fields.erase(http::field::upgrade);
}

void addForwardedHeaders(http::fields& fields, const ForwardContext& context,
                         std::mt19937_64& rng) {
  appendList(fields, "X-Forwarded-For", context.client.to_string());
  fields.set("X-Forwarded-Proto", context.proto);
  if (auto host = fields.find(http::field::host); host != fields.end()) {
    fields.set("X-Forwarded-Host", host->value());
  }
  fields.set("X-Forwarded-Port", std::to_string(context.local_port));
  if (fields.find("X-Request-Id") == fields.end()) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::array<char, 32> id;
    for (size_t half = 0; half < 2; ++half) {
      uint64_t r = rng();
      for (size_t i = 0; i < 16; ++i, r >>= 4) id[half * 16 + i] = kHex[r & 0xf];
    }
    fields.set("X-Request-Id", boost::beast::string_view(id.data(), id.size()));
  }
  appendList(fields, "Via", kVia);
}

void addVia(http::fields& fields) {
  appendList(fields, "Via", kVia);
}

}  // namespace ferry::ingress
