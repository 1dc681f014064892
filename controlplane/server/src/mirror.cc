#include "ferry/controlplane/mirror.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cctype>
#include <nlohmann/json.hpp>

#include "ferry/runtime/log.h"

namespace ferry::controlplane {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using nlohmann::json;

namespace {

// Query-string encoding of a parameter value (RFC 3986 unreserved characters kept).
std::string queryEscape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Logging lives outside the coroutines: GCC 12 miscompiles braced initializer lists of
// strings inside them.
void logProblem(const char* what, const std::string& resource, const std::string& error) {
  FERRY_LOG(kWarn, what, {{"resource", resource}, {"error", error}});
}
void logInfo(const char* what, const std::string& resource, const std::string& detail) {
  FERRY_LOG(kInfo, what, {{"resource", resource}, {"detail", detail}});
}

std::string listTarget(const MirroredKind& kind, size_t limit, const std::string& cont) {
  std::string t = kind.path + "?limit=" + std::to_string(limit);
  if (!cont.empty()) t += "&continue=" + queryEscape(cont);
  if (!kind.field_selector.empty()) t += "&fieldSelector=" + queryEscape(kind.field_selector);
  return t;
}

std::string watchTarget(const MirroredKind& kind, const std::string& rv,
                        std::chrono::seconds timeout) {
  std::string t = kind.path +
                  "?watch=1&allowWatchBookmarks=true&resourceVersion=" + queryEscape(rv) +
                  "&timeoutSeconds=" + std::to_string(timeout.count());
  if (!kind.field_selector.empty()) t += "&fieldSelector=" + queryEscape(kind.field_selector);
  return t;
}

// A Status object's code, for non-200 answers and ERROR events (0 when it is not one).
int statusCode(const json& status) {
  if (!status.is_object()) return 0;
  auto c = status.find("code");
  return c != status.end() && c->is_number_integer() ? c->get<int>() : 0;
}

std::string metaRv(const json& obj) {
  if (!obj.is_object() || !obj.contains("metadata") || !obj["metadata"].is_object()) return {};
  return obj["metadata"].value("resourceVersion", "");
}

std::chrono::milliseconds nextBackoff(std::chrono::milliseconds current, const MirrorOptions& o) {
  return std::min(o.backoff_max, std::max(o.backoff_min, current * 2));
}

}  // namespace

Mirror::Mirror(store::Store& store, UpstreamEndpoint upstream,
               std::shared_ptr<asio::ssl::context> tls, runtime::Registry& metrics,
               MirrorOptions options, std::vector<MirroredKind> kinds)
    : store_(store),
      replica_(store),
      upstream_(std::move(upstream)),
      tls_(std::move(tls)),
      metrics_(metrics),
      options_(options),
      synced_gauge_(
          &metrics.gauge("ferry_mirror_synced",
                         "1 once every mirrored kind was listed from the upstream API server.")),
      io_(std::make_unique<asio::io_context>(1)) {
  for (auto& kind : kinds) {
    KindState k;
    const runtime::Labels labels = {{"resource", kind.info.plural}};
    k.relists = &metrics.counter("ferry_mirror_relists_total",
                                 "Full lists from the upstream (the first included).", labels);
    k.events = &metrics.counter(
        "ferry_mirror_events_applied_total",
        "Upstream watch events and list differences written to the local store.", labels);
    k.reconnects = &metrics.counter(
        "ferry_mirror_reconnects_total",
        "Upstream lists or watches that failed (connection, TLS, HTTP error) and were retried.",
        labels);
    k.invalid = &metrics.counter(
        "ferry_mirror_invalid_objects_total",
        "Upstream objects or watch lines that could not be used (skipped).", labels);
    k.store_errors =
        &metrics.counter("ferry_mirror_store_errors_total",
                         "Local store writes that failed (the kind is listed again).", labels);
    k.kind = std::move(kind);
    kinds_.push_back(std::move(k));
  }
  synced_gauge_->set(0);
}

Mirror::~Mirror() {
  stop();
}

void Mirror::start() {
  for (auto& k : kinds_) asio::co_spawn(*io_, run(k), asio::detached);
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(*io_);
    io_->run();
  });
}

void Mirror::stop() {
  io_->stop();
  if (thread_.joinable()) thread_.join();
}

void Mirror::markListed(KindState& k) {
  if (k.listed) return;
  k.listed = true;
  if (std::all_of(kinds_.begin(), kinds_.end(), [](const KindState& s) { return s.listed; })) {
    synced_.store(true);
    synced_gauge_->set(1);
    FERRY_LOG(kInfo, "mirror synced with the upstream API server", {{"server", upstream_.server}});
  }
}

awaitable<void> Mirror::run(KindState& k) {
  std::string rv;  // "" = list first
  auto backoff = std::chrono::milliseconds(0);
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    if (rv.empty()) {
      if (auto listed = co_await list(k)) rv = *listed;
    }
    // A failed list leaves rv empty: counted and retried like a failed watch.
    WatchEnd end = WatchEnd::kFailed;
    const auto watched_at = std::chrono::steady_clock::now();
    if (!rv.empty()) end = co_await watch(k, rv);
    // A watch that ended by itself is resumed at once, unless it lasted no time at all (an
    // upstream closing every watch straight away must not be asked in a tight loop).
    if (end == WatchEnd::kExpired &&
        std::chrono::steady_clock::now() - watched_at > std::chrono::seconds(1)) {
      backoff = std::chrono::milliseconds(0);
      continue;
    }
    std::chrono::milliseconds pause = options_.backoff_min;
    if (end == WatchEnd::kExpired) {
      backoff = std::chrono::milliseconds(0);
    } else if (end == WatchEnd::kGone) {
      // List again, after a short pause: an upstream answering 410 to every watch must not be
      // listed in a tight loop.
      rv.clear();
      backoff = std::chrono::milliseconds(0);
    } else {
      if (end == WatchEnd::kStoreFailed) rv.clear();
      k.reconnects->inc();
      backoff = nextBackoff(backoff, options_);
      pause = backoff;
    }
    timer.expires_after(pause);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

awaitable<std::optional<std::string>> Mirror::list(KindState& k) {
  std::vector<std::string> pages;
  std::string cont;
  for (;;) {
    UpstreamConnection conn(co_await asio::this_coro::executor, *tls_, upstream_);
    const int code =
        co_await conn.get(listTarget(k.kind, options_.list_page, cont), options_.request_timeout);
    std::string body;
    bool read = false;
    if (code != 0) {
      read = co_await conn.readBody(body, options_.max_page_bytes, options_.request_timeout);
    }
    if (!read) {
      logProblem("mirror list failed", k.kind.info.plural, conn.error());
      co_return std::nullopt;
    }
    if (code == 410 && !cont.empty()) {
      // The continue token expired between pages: start over at a fresh revision.
      pages.clear();
      cont.clear();
      continue;
    }
    if (code != 200) {
      logProblem("mirror list refused", k.kind.info.plural,
                 "HTTP " + std::to_string(code) + ": " + body);
      co_return std::nullopt;
    }
    pages.push_back(std::move(body));
    const json page = json::parse(pages.back(), nullptr, false);
    cont = page.is_object() && page.contains("metadata") && page["metadata"].is_object()
               ? page["metadata"].value("continue", "")
               : "";
    if (cont.empty()) break;
  }
  co_return applyList(k, pages);
}

std::optional<std::string> Mirror::applyList(KindState& k, std::vector<std::string>& pages) {
  std::vector<json> items;
  std::string rv;
  for (auto& text : pages) {
    json page = json::parse(text, nullptr, false);
    text.clear();
    if (!page.is_object() || !page.contains("items") || !page["items"].is_array()) {
      k.invalid->inc();
      logProblem("mirror list answer is not a list", k.kind.info.plural, "");
      return std::nullopt;
    }
    if (rv.empty()) rv = metaRv(page);
    for (auto& item : page["items"]) items.push_back(std::move(item));
  }
  if (rv.empty()) {
    k.invalid->inc();
    logProblem("mirror list has no resourceVersion", k.kind.info.plural, "");
    return std::nullopt;
  }
  auto written = replica_.replaceAll(k.kind, items);
  if (!written.ok()) {
    k.store_errors->inc();
    logProblem("mirror could not write a list to the local store", k.kind.info.plural,
               written.status().toString());
    return std::nullopt;
  }
  k.relists->inc();
  k.events->inc(written->puts + written->deletes);
  k.invalid->inc(written->invalid);
  logInfo("mirror listed", k.kind.info.plural,
          std::to_string(items.size()) + " objects at resourceVersion " + rv + ", " +
              std::to_string(written->puts) + " written, " + std::to_string(written->deletes) +
              " deleted");
  markListed(k);
  return rv;
}

awaitable<Mirror::WatchEnd> Mirror::watch(KindState& k, std::string& rv) {
  UpstreamConnection conn(co_await asio::this_coro::executor, *tls_, upstream_);
  const int code =
      co_await conn.get(watchTarget(k.kind, rv, options_.watch_timeout), options_.request_timeout);
  if (code == 0) {
    logProblem("mirror watch failed", k.kind.info.plural, conn.error());
    co_return WatchEnd::kFailed;
  }
  if (code == 410) co_return WatchEnd::kGone;
  if (code != 200) {
    std::string body;
    (void)co_await conn.readBody(body, size_t{64} << 10, options_.request_timeout);
    logProblem("mirror watch refused", k.kind.info.plural,
               "HTTP " + std::to_string(code) + ": " + body);
    co_return WatchEnd::kFailed;
  }
  std::string pending;
  bool ended = false;
  for (;;) {
    const bool more = co_await conn.readSome(pending, options_.watch_idle);
    const WatchEnd end = applyLines(k, pending, rv, ended);
    if (ended) co_return end;
    if (pending.size() > options_.max_page_bytes) {
      k.invalid->inc();
      logProblem("mirror watch line too long", k.kind.info.plural,
                 std::to_string(pending.size()) + " bytes");
      co_return WatchEnd::kFailed;
    }
    if (!more) {
      if (conn.done()) co_return WatchEnd::kExpired;
      logProblem("mirror watch broke off", k.kind.info.plural, conn.error());
      co_return WatchEnd::kFailed;
    }
  }
}

Mirror::WatchEnd Mirror::applyLines(KindState& k, std::string& pending, std::string& rv,
                                    bool& ended) {
  std::vector<MirrorEvent> events;
  std::string last_rv = rv;
  WatchEnd end = WatchEnd::kExpired;
  size_t start = 0;
  for (size_t nl; !ended && (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string_view line(pending.data() + start, nl - start);
    if (line.empty()) continue;
    json ev = json::parse(line, nullptr, false);
    const std::string type = ev.is_object() ? ev.value("type", "") : "";
    if (type == "ERROR") {
      const int code = statusCode(ev.value("object", json()));
      logProblem("mirror watch ended with an error", k.kind.info.plural, ev.dump());
      end = code == 410 ? WatchEnd::kGone : WatchEnd::kFailed;
      ended = true;
      break;
    }
    if (!ev.is_object() || !ev.contains("object") || !ev["object"].is_object() ||
        (type != "ADDED" && type != "MODIFIED" && type != "DELETED" && type != "BOOKMARK")) {
      k.invalid->inc();
      continue;
    }
    json& obj = ev["object"];
    if (std::string r = metaRv(obj); !r.empty()) last_rv = r;
    if (type == "BOOKMARK") continue;
    events.push_back({type == "DELETED", std::move(obj)});
  }
  pending.erase(0, start);
  if (!events.empty()) {
    auto written = replica_.apply(k.kind, events);
    if (!written.ok()) {
      // What the store missed is only recoverable by listing again.
      k.store_errors->inc();
      logProblem("mirror could not write to the local store", k.kind.info.plural,
                 written.status().toString());
      ended = true;
      return WatchEnd::kStoreFailed;
    }
    k.events->inc(written->puts + written->deletes);
    k.invalid->inc(written->invalid);
  }
  rv = last_rv;
  return end;
}

}  // namespace ferry::controlplane
