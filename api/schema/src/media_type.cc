#include "ferry/api/media_type.h"

#include <algorithm>
#include <cctype>

namespace ferry::api {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Splits on `sep` outside double quotes.
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '"') quoted = !quoted;
    if (s[i] == sep && !quoted) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(s.substr(start));
  return out;
}

std::optional<double> parseQuality(std::string_view v) {
  // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
  if (v.empty() || v.size() > 5) return std::nullopt;
  if (v[0] != '0' && v[0] != '1') return std::nullopt;
  double q = v[0] - '0';
  if (v.size() > 1) {
    if (v[1] != '.') return std::nullopt;
    double scale = 0.1;
    for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return std::nullopt;
      q += (v[i] - '0') * scale;
    }
  }
  if (q > 1.0) return std::nullopt;
  return q;
}

std::optional<MediaRange> parseRange(std::string_view text) {
  auto parts = split(text, ';');
  std::string_view full = trim(parts[0]);
  auto slash = full.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == full.size())
    return std::nullopt;
  MediaRange range;
  range.type = lower(trim(full.substr(0, slash)));
  range.subtype = lower(trim(full.substr(slash + 1)));
  for (size_t i = 1; i < parts.size(); ++i) {
    std::string_view p = trim(parts[i]);
    if (p.empty()) continue;
    auto eq = p.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string name = lower(trim(p.substr(0, eq)));
    std::string_view value = trim(p.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (name == "q") {
      auto q = parseQuality(value);
      if (!q) return std::nullopt;
      range.quality = *q;
      continue;
    }
    range.params.emplace_back(std::move(name), std::string(value));
  }
  return range;
}

// Ranges worth considering, best first: q=0 means "not acceptable" and is dropped; equal
// qualities keep the client's order, which is how client-go expresses preference.
std::vector<MediaRange> candidates(std::string_view accept) {
  auto ranges = parseAccept(accept);
  std::erase_if(ranges, [](const MediaRange& r) { return r.quality <= 0.0; });
  std::stable_sort(ranges.begin(), ranges.end(),
                   [](const MediaRange& a, const MediaRange& b) { return a.quality > b.quality; });
  return ranges;
}

constexpr std::string_view kJson = "application/json";

}  // namespace

std::string_view MediaRange::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

bool MediaRange::acceptsJson() const {
  if (type == "*") return subtype == "*";
  return type == "application" && (subtype == "json" || subtype == "*");
}

std::vector<MediaRange> parseAccept(std::string_view header) {
  std::vector<MediaRange> out;
  for (std::string_view item : split(header, ',')) {
    item = trim(item);
    if (item.empty()) continue;
    if (auto r = parseRange(item)) out.push_back(std::move(*r));
  }
  return out;
}

std::optional<DiscoveryNegotiation> negotiateDiscovery(std::string_view accept) {
  if (trim(accept).empty())
    return DiscoveryNegotiation{DiscoveryFormat::kLegacy, "application/json"};
  for (const auto& r : candidates(accept)) {
    if (!r.acceptsJson()) continue;
    std::string_view as = r.param("as");
    if (as.empty()) return DiscoveryNegotiation{DiscoveryFormat::kLegacy, std::string(kJson)};
    if (as != "APIGroupDiscoveryList" || r.param("g") != "apidiscovery.k8s.io") continue;
    // Other parameters (profile=nopeer from newer clients) change nothing for a server without
    // peers; the response names only g, v and as, which is what client-go compares.
    if (r.param("v") == "v2") {
      return DiscoveryNegotiation{
          DiscoveryFormat::kAggregatedV2,
          "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"};
    }
    if (r.param("v") == "v2beta1") {
      return DiscoveryNegotiation{
          DiscoveryFormat::kAggregatedV2Beta1,
          "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"};
    }
  }
  return std::nullopt;
}

std::optional<ObjectNegotiation> negotiateObject(std::string_view accept) {
  if (trim(accept).empty()) return ObjectNegotiation{ObjectFormat::kObject, std::string(kJson)};
  for (const auto& r : candidates(accept)) {
    if (!r.acceptsJson()) continue;
    std::string_view as = r.param("as");
    if (as.empty()) return ObjectNegotiation{ObjectFormat::kObject, std::string(kJson)};
    if (as != "Table" || r.param("g") != "meta.k8s.io") continue;
    if (r.param("v") == "v1") {
      return ObjectNegotiation{ObjectFormat::kTableV1,
                               "application/json;as=Table;v=v1;g=meta.k8s.io"};
    }
    if (r.param("v") == "v1beta1") {
      return ObjectNegotiation{ObjectFormat::kTableV1Beta1,
                               "application/json;as=Table;v=v1beta1;g=meta.k8s.io"};
    }
  }
  return std::nullopt;
}

}  // namespace ferry::api
