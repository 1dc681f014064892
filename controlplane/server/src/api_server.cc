#include "ferry/controlplane/api_server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "ferry/api/field_validation.h"
#include "ferry/api/media_type.h"
#include "ferry/api/resources.h"
#include "ferry/api/table.h"
#include "ferry/controlplane/api_endpoints.h"
#include "ferry/controlplane/request_path.h"
#include "ferry/controlplane/selectors.h"
#include "ferry/runtime/log.h"

namespace ferry::controlplane {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr const char* kJson = "application/json";

Reply jsonReply(int code, const json& body, const std::string& content_type = kJson) {
  return {code, content_type, body.dump(-1, ' ', false, json::error_handler_t::replace)};
}

Reply statusReply(const ApiStatus& s) { return jsonReply(s.code, s.toJson()); }

// RFC 7234 warn-value with code 299, the text a quoted-string (kube-apiserver's form).
std::string warningHeader(const std::string& text) {
  std::string v = "299 - \"";
  for (char c : text) {
    if (c == '"' || c == '\\') v += '\\';
    v += c;
  }
  return v + '"';
}

Reply withWarnings(Reply r, std::vector<std::string> warnings) {
  r.warnings = std::move(warnings);
  return r;
}

std::string statusLine(const ApiStatus& s) { return s.toJson().dump(); }

std::string verbOf(const HttpRequest& req, const RequestPath& rp) {
  const bool watch = req.param("watch") == "1" || req.param("watch") == "true";
  switch (req.method) {
    case http::verb::get:
      if (watch) return "watch";
      return rp.name.empty() ? "list" : "get";
    case http::verb::post:
      return "create";
    case http::verb::put:
      return "update";
    case http::verb::patch:
      return "patch";
    case http::verb::delete_:
      return rp.name.empty() ? "deletecollection" : "delete";
    default:
      return "";
  }
}


json listObject(const api::ResourceType& t, const ListResult& r) {
  json list = {{"kind", std::string(t.list_kind)},
               {"apiVersion", t.apiVersion()},
               {"metadata", {{"resourceVersion", r.resource_version}}},
               {"items", r.items}};
  if (!r.continue_token.empty()) list["metadata"]["continue"] = r.continue_token;
  return list;
}

// Wakes a watch coroutine from the store's dispatcher thread. `pending` closes the window
// between the coroutine's last poll and its wait: the cancel is posted to the coroutine's own
// strand, so it can only run once the wait has started or the flag is seen.
// Named constructors rather than braced temporaries inside co_await expressions: GCC 12
// miscompiles ("array used as initializer") aggregates holding string literals there.
ApiStatus pathNotFound() {
  return ApiStatus{404, "NotFound", "the server could not find the requested resource", {}, {}};
}
ApiStatus notAcceptable() { return ApiStatus{406, "NotAcceptable", "only application/json is supported", {}, {}}; }

// kube-apiserver's fieldValidation for a written object: under Strict an error naming every
// unknown field, under Warn one warning each, under Ignore nothing.
std::optional<ApiStatus> checkFields(const api::ResourceType& t, const json& obj, api::FieldValidation mode,
                                     std::vector<std::string>& warnings) {
  if (mode == api::FieldValidation::kIgnore) return std::nullopt;
  const auto unknown = api::unknownFields(t, obj);
  if (unknown.empty()) return std::nullopt;
  if (mode == api::FieldValidation::kWarn) {
    for (const auto& f : unknown) warnings.push_back("unknown field \"" + f + "\"");
    return std::nullopt;
  }
  std::string msg = std::string(t.kind) + " in version \"" + std::string(t.version) + "\" cannot be handled as a " +
                    std::string(t.kind) + ": strict decoding error: ";
  for (size_t i = 0; i < unknown.size(); ++i) msg += (i ? ", unknown field \"" : "unknown field \"") + unknown[i] + "\"";
  return ApiStatus::badRequest(msg);
}

struct WatchWake {
  explicit WatchWake(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  std::atomic<bool> pending{false};
};

}  // namespace

ResourceInfo resourceInfo(const api::ResourceType& t) {
  return {std::string(t.group), std::string(t.version), std::string(t.kind), std::string(t.plural), t.namespaced};
}

ApiServer::ApiServer(ObjectStorage& storage, const Authenticator& auth, const Admission& admission,
                     runtime::Registry& metrics, ApiServerOptions options)
    : storage_(storage), auth_(auth), admission_(admission), metrics_(metrics), options_(options) {}

awaitable<void> ApiServer::handle(HttpRequest& req, ResponseWriter& out) {
  const auto t0 = std::chrono::steady_clock::now();
  // Health endpoints answer anyone, as kube-apiserver's system:public-info-viewer allows.
  if (req.path == "/healthz" || req.path == "/livez" || req.path == "/readyz") {
    const bool ready = req.path != "/readyz" || !options_.ready || options_.ready();
    co_await out.send(ready ? 200 : 503, "text/plain; charset=utf-8", ready ? "ok" : "not ready");
    co_return;
  }
  auto user = auth_.authenticate(req.header(http::field::authorization));
  if (!user) {
    metrics_.counter("ferry_apiserver_unauthorized_total", "Requests without valid credentials.").inc();
    co_await out.send(401, kJson, statusLine(ApiStatus::unauthorized()));
    co_return;
  }
  if (req.path == "/metrics") {
    if (options_.on_scrape) options_.on_scrape();
    co_await out.send(200, "text/plain; version=0.0.4", metrics_.render());
    co_return;
  }
  int code = 200;
  std::string content_type, body;
  if (req.method == http::verb::get && serveEndpoint(req, started_, code, content_type, body)) {
    co_await out.send(code, content_type, std::move(body));
    co_return;
  }
  std::optional<WatchPlan> watch_plan;
  Reply reply = options_.read_only_message.empty() || req.method == http::verb::get || req.method == http::verb::head
                    ? serveResource(req, *user, watch_plan)
                    : readOnlyReply();
  if (watch_plan) {
    co_await watch(req, out, *watch_plan);
    co_return;
  }
  http::fields extra;
  for (const auto& w : reply.warnings) extra.insert(http::field::warning, warningHeader(w));
  co_await out.send(reply.code, std::move(reply.content_type), std::move(reply.body), extra);
  auto dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  metrics_.histogram("ferry_apiserver_request_duration_seconds", "API request latency (watches excluded).",
                     {{"method", req.method_string}})
      .observe(dt);
}

Reply ApiServer::readOnlyReply() const {
  metrics_.counter("ferry_apiserver_read_only_refusals_total", "Writes refused because the API is read-only.")
      .inc();
  return statusReply(ApiStatus::methodNotAllowed(options_.read_only_message));
}

Reply ApiServer::serveResource(HttpRequest& req, const UserInfo& user, std::optional<WatchPlan>& watch_plan) {
  auto rp = parseRequestPath(req.path);
  if (!rp) {
    return statusReply(pathNotFound());
  }
  const api::ResourceType* type = api::findResource(rp->group, rp->version, rp->resource);
  if (!type) {
    return statusReply(pathNotFound());
  }
  if (!rp->subresource.empty() && !type->findSubresource(rp->subresource)) {
    return statusReply(pathNotFound());
  }
  const std::string verb = verbOf(req, *rp);
  if (verb.empty()) {
    return statusReply(ApiStatus::methodNotAllowed("method " + req.method_string + " is not supported"));
  }
  auto& requests = metrics_.counter("ferry_apiserver_requests_total", "API requests by verb and code.",
                                    {{"resource", std::string(type->plural)}, {"verb", verb}});
  requests.inc();
  if (!authorize(user, {verb, rp->group, rp->resource, rp->subresource})) {
    std::string what = std::string(type->plural) + (rp->group.empty() ? "" : "." + rp->group);
    return statusReply(ApiStatus::forbidden(what + (rp->name.empty() ? "" : " \"" + rp->name + "\"") +
                                            " is forbidden: User \"" + user.name + "\" cannot " + verb +
                                            " resource \"" + rp->resource + "\" in API group \"" + rp->group + "\"" +
                                            (rp->ns.empty() ? " at the cluster scope" : " in the namespace \"" + rp->ns + "\"")));
  }
  if (type->namespaced && rp->ns.empty() && !rp->name.empty()) {
    return statusReply(pathNotFound());
  }
  const ResourceInfo info = resourceInfo(*type);
  const std::string& ns = rp->ns;

  // Writes into a namespace need the namespace to exist and not be terminating.
  if (type->namespaced && (verb == "create") ) {
    auto nsobj = storage_.get(resourceInfo(*api::findResource("", "v1", "namespaces")), "", ns);
    if (!nsobj.ok()) {
      return statusReply(ApiStatus::notFound({ns, "", "namespaces"}));
    }
    if (nsobj->contains("metadata") && (*nsobj)["metadata"].contains("deletionTimestamp")) {
      return statusReply(ApiStatus::forbidden(std::string(type->plural) + " \"" + rp->name + "\" is forbidden: unable to create new content in namespace " + ns + " because it is being terminated"));
    }
  }

  auto negotiated = api::negotiateObject(req.header(http::field::accept));
  if (!negotiated) {
    return statusReply(notAcceptable());
  }
  const bool as_table = negotiated->format != api::ObjectFormat::kObject;
  auto tableOf = [&](const std::vector<json>& items, const std::string& rv, const std::string& cont) {
    api::TableOptions opts;
    opts.api_version = negotiated->format == api::ObjectFormat::kTableV1Beta1 ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1";
    if (auto inc = api::parseIncludeObject(req.param("includeObject")); inc.ok()) opts.include_object = *inc;
    opts.resource_version = rv;
    opts.continue_token = cont;
    return api::toTable(*type, items, std::chrono::system_clock::now(), opts);
  };

  if (verb == "get") {
    auto obj = storage_.get(info, ns, rp->name);
    if (!obj.ok()) {
      return statusReply(obj.status());
    }
    if (as_table)
      return jsonReply(200, tableOf({*obj}, (*obj)["metadata"].value("resourceVersion", ""), ""),
                        negotiated->content_type);
    return jsonReply(200, *obj);
  }

  if (verb == "list" || verb == "watch") {
    auto filter = buildFilter(req.param("labelSelector"), req.param("fieldSelector"), *type);
    if (!filter.ok()) {
      return statusReply(filter.status());
    }
    if (verb == "watch") {
      watch_plan = WatchPlan{type, info, ns, *filter};
      return {};
    }
    ListOptions opts;
    opts.filter = *filter;
    opts.limit = static_cast<size_t>(std::max(0L, std::atol(req.param("limit").c_str())));
    opts.continue_token = req.param("continue");
    auto res = storage_.list(info, ns, opts);
    if (!res.ok()) {
      return statusReply(res.status());
    }
    if (as_table)
      return jsonReply(200, tableOf(res->items, res->resource_version, res->continue_token), negotiated->content_type);
    return jsonReply(200, listObject(*type, *res));
  }

  const auto field_validation = api::parseFieldValidation(req.param("fieldValidation"));
  if (!field_validation && (verb == "create" || verb == "update" || verb == "patch"))
    return statusReply(ApiStatus::badRequest("fieldValidation parameter unsupported: \"" + req.param("fieldValidation") + "\""));
  std::vector<std::string> warnings;

  if (verb == "create") {
    auto body = decodeBody(req.header(http::field::content_type), req.body);
    if (!body.ok()) {
      return statusReply(body.status());
    }
    if (auto bad = checkFields(*type, *body, *field_validation, warnings)) return statusReply(*bad);
    if (req.param("dryRun") == "All") {
      json obj = *body;
      auto plan = admission_.admitFor(info, "")(obj, nullptr);
      if (!plan.ok()) return statusReply(plan.status());
      return jsonReply(201, obj);
    }
    auto res = storage_.create(info, ns, std::move(*body), admission_.admitFor(info, ""));
    if (!res.ok()) return statusReply(res.status());
    return withWarnings(jsonReply(201, *res), std::move(warnings));
  }

  if (verb == "update") {
    auto body = decodeBody(req.header(http::field::content_type), req.body);
    if (!body.ok()) {
      return statusReply(body.status());
    }
    if (auto bad = checkFields(*type, *body, *field_validation, warnings)) return statusReply(*bad);
    auto admit = admission_.admitFor(info, rp->subresource);
    ApiResult<json> res = ApiStatus::internal("unreachable");
    if (rp->subresource == "status") {
      // The status subresource changes status only; everything else comes from the stored object.
      json incoming = std::move(*body);
      std::string rv = incoming.contains("metadata") ? incoming["metadata"].value("resourceVersion", "") : "";
      res = storage_.update(info, ns, rp->name, json(), admit, [&](const json& cur) -> ApiResult<json> {
        if (!rv.empty() && rv != cur["metadata"].value("resourceVersion", ""))
          return ApiStatus::conflict(info.details(rp->name), "the object has been modified; please apply your changes to the latest version and try again");
        json next = cur;
        if (incoming.contains("status")) next["status"] = incoming["status"];
        return next;
      });
    } else {
      res = storage_.update(info, ns, rp->name, std::move(*body), admit);
    }
    if (!res.ok()) return statusReply(res.status());
    return withWarnings(jsonReply(200, *res), std::move(warnings));
  }

  if (verb == "patch") {
    std::string ctype = req.header(http::field::content_type);
    if (auto semi = ctype.find(';'); semi != std::string::npos) ctype.resize(semi);
    auto unchecked = patchFunction(ctype, req.body, *type, rp->subresource);
    if (!unchecked.ok()) {
      return statusReply(unchecked.status());
    }
    // The patched object is what must be free of unknown fields (kube decodes it strictly).
    const api::FieldValidation mode = *field_validation;
    std::optional<PatchFn> patcher;
    patcher = [&, inner = *unchecked](const json& cur) -> ApiResult<json> {
      auto next = inner(cur);
      if (!next.ok()) return next;
      warnings.clear();  // the retry loop may call this more than once
      if (auto bad = checkFields(*type, *next, mode, warnings)) return *bad;
      return next;
    };
    auto res = storage_.update(info, ns, rp->name, json(), admission_.admitFor(info, rp->subresource), *patcher);
    // Server-side apply creates what does not exist yet.
    if (!res.ok() && res.status().code == 404 && ctype == "application/apply-patch+yaml") {
      auto created = (*patcher)(json{{"metadata", {{"name", rp->name}}}});
      if (!created.ok()) {
        return statusReply(created.status());
      }
      res = storage_.create(info, ns, std::move(*created), admission_.admitFor(info, ""));
      if (res.ok()) {
        return withWarnings(jsonReply(201, *res), std::move(warnings));
      }
    }
    if (!res.ok()) return statusReply(res.status());
    return withWarnings(jsonReply(200, *res), std::move(warnings));
  }

  if (verb == "delete") {
    std::string uid, rv;
    if (!req.body.empty()) {
      // DeleteOptions, as JSON or (kubectl's typed clients) protobuf.
      auto decoded = decodeBody(req.header(http::field::content_type), req.body);
      json opts = decoded.ok() ? *decoded : json();
      if (opts.is_object() && opts.contains("preconditions") && opts["preconditions"].is_object()) {
        const json& pre = opts["preconditions"];
        if (pre.contains("uid") && pre["uid"].is_string()) uid = pre["uid"];
        if (pre.contains("resourceVersion") && pre["resourceVersion"].is_string()) rv = pre["resourceVersion"];
      }
    }
    if (info.kind == "Namespace" && info.group.empty()) return deleteNamespace(rp->name, uid, rv);
    auto res = storage_.remove(info, ns, rp->name, uid, rv, admission_.releaseFor(info));
    if (!res.ok()) return statusReply(res.status());
    return jsonReply(200, *res);
  }

  if (verb == "deletecollection") {
    auto filter = buildFilter(req.param("labelSelector"), req.param("fieldSelector"), *type);
    if (!filter.ok()) {
      return statusReply(filter.status());
    }
    ListOptions opts;
    opts.filter = *filter;
    auto res = storage_.list(info, ns, opts);
    if (!res.ok()) {
      return statusReply(res.status());
    }
    for (const auto& item : res->items)
      (void)storage_.remove(info, item["metadata"].value("namespace", ""), item["metadata"].value("name", ""), "", "",
                            admission_.releaseFor(info));
    return jsonReply(200, listObject(*type, *res));
  }
  return statusReply(ApiStatus::methodNotAllowed("unsupported verb " + verb));
}

// Namespace deletion as kube's namespace controller does it, synchronously: mark the namespace
// Terminating (new content is refused from then on), delete everything in it, then the
// namespace itself.
Reply ApiServer::deleteNamespace(const std::string& name, const std::string& uid, const std::string& rv) {
  const ResourceInfo ns_info = resourceInfo(*api::findResource("", "v1", "namespaces"));
  if (name == "default" || name == "kube-system" || name == "kube-public")
    return statusReply(ApiStatus::forbidden("namespaces \"" + name + "\" is forbidden: this namespace may not be deleted"));
  auto cur = storage_.get(ns_info, "", name);
  if (!cur.ok()) return statusReply(cur.status());
  if (!uid.empty() && (*cur)["metadata"].value("uid", "") != uid)
    return statusReply(ApiStatus::conflict(ns_info.details(name), "Precondition failed: UID in precondition: " + uid));
  if (!rv.empty() && (*cur)["metadata"].value("resourceVersion", "") != rv)
    return statusReply(ApiStatus::conflict(ns_info.details(name), "Precondition failed: ResourceVersion in precondition: " + rv));
  auto marked = storage_.update(ns_info, "", name, json(), nullptr, [](const json& c) -> ApiResult<json> {
    json next = c;
    if (!next["metadata"].contains("deletionTimestamp"))
      next["metadata"]["deletionTimestamp"] = rfc3339(std::chrono::system_clock::now());
    next["status"]["phase"] = "Terminating";
    return next;
  });
  if (!marked.ok()) return statusReply(marked.status());
  // Controllers may still be writing here (an EndpointSlice update racing the delete answers
  // 409): sweep until a pass finds the namespace empty, a bounded number of times.
  for (int pass = 0;; ++pass) {
    bool left = false;
    for (const auto& t : api::resourceTypes()) {
      if (!t.namespaced) continue;
      ResourceInfo info = resourceInfo(t);
      auto items = storage_.list(info, name, {});
      if (!items.ok()) return statusReply(items.status());
      for (const auto& item : items->items) {
        auto r = storage_.remove(info, name, item["metadata"].value("name", ""), "", "", admission_.releaseFor(info));
        if (r.ok() || r.status().code == 404) continue;
        if (r.status().code != 409 || pass >= 4) return statusReply(r.status());
        left = true;
      }
    }
    if (!left) break;
  }
  // Finalizers in metadata (not kube's spec.finalizers, which this controller honours by
  // doing the work above) still hold the namespace until their owners remove them.
  auto res = storage_.remove(ns_info, "", name, "", "", nullptr);
  if (!res.ok() && res.status().code != 404) return statusReply(res.status());
  return jsonReply(200, *marked);
}

// Where a watch stream's events come from: the resource's watch cache, or, for a start older
// than the cache can replay, a store watch of its own.
class ApiServer::WatchSource {
 public:
  explicit WatchSource(std::unique_ptr<CachedWatch> cached) : cached_(std::move(cached)) {}
  explicit WatchSource(std::unique_ptr<store::Watch> direct) : direct_(std::move(direct)) {}

  store::Status poll(std::vector<CachedEventPtr>& out, size_t max) {
    if (cached_) return cached_->poll(out, max);
    raw_.clear();
    store::Status st = direct_->poll(raw_, max);
    for (const auto& e : raw_) out.push_back(std::make_shared<const CachedEvent>(e));
    return st;
  }

 private:
  std::unique_ptr<CachedWatch> cached_;
  std::unique_ptr<store::Watch> direct_;
  std::vector<store::Event> raw_;
};

std::shared_ptr<WatchCache> ApiServer::cacheFor(const ResourceInfo& info) {
  std::lock_guard lock(caches_mu_);
  auto& cache = caches_[info.prefix()];
  if (!cache) {
    WatchCacheOptions opts;
    opts.capacity = options_.watch_cache_capacity;
    cache = std::make_shared<WatchCache>(storage_.store(), info.prefix(), opts);
  }
  return cache;
}

store::Result<std::unique_ptr<ApiServer::WatchSource>> ApiServer::openWatch(const ResourceInfo& info,
                                                                             const std::string& prefix,
                                                                             store::Revision after,
                                                                             std::function<void()> on_ready) {
  if (auto cached = cacheFor(info)->subscribe(prefix, after, on_ready))
    return std::make_unique<WatchSource>(std::move(cached));
  metrics_.counter("ferry_apiserver_watch_cache_misses_total",
                   "Watches that started before their resource's watch cache could replay, served by a store watch.",
                   {{"resource", info.plural}})
      .inc();
  store::WatchOptions wopts;
  wopts.queue_limit = options_.watch_queue_limit;
  wopts.on_ready = std::move(on_ready);
  auto w = storage_.store().watch(prefix, after, wopts);
  if (!w.ok()) return w.status();
  return std::make_unique<WatchSource>(std::move(*w));
}

awaitable<void> ApiServer::watch(HttpRequest& req, ResponseWriter& out, const WatchPlan& plan) {
  const ResourceInfo& info = plan.info;
  const std::string& ns = plan.ns;
  const auto& filter = plan.filter;
  const std::string rv_param = req.param("resourceVersion");
  const bool bookmarks = req.param("allowWatchBookmarks") == "true" || req.param("allowWatchBookmarks") == "1";
  auto timeout = options_.max_watch_timeout;
  if (auto ts = std::atol(req.param("timeoutSeconds").c_str()); ts > 0 && ts < timeout.count()) timeout = std::chrono::seconds(ts);
  const std::string prefix = info.namespaced && !ns.empty() ? info.prefix() + ns + "/" : info.prefix();

  auto ex = co_await asio::this_coro::executor;
  auto wake = std::make_shared<WatchWake>(ex);
  std::weak_ptr<WatchWake> weak = wake;
  std::function<void()> on_ready = [weak] {
    if (auto w = weak.lock()) {
      w->pending.store(true);
      asio::post(w->timer.get_executor(), [w] { w->timer.cancel(); });
    }
  };

  // resourceVersion "" or "0": the current state first, as synthetic ADDED events.
  std::vector<json> initial;
  std::optional<store::Revision> after;
  if (rv_param.empty() || rv_param == "0") {
    ListOptions lo;
    lo.filter = filter;
    auto listed = storage_.list(info, ns, lo);
    if (!listed.ok()) {
      co_await out.send(listed.status().code, kJson, statusLine(listed.status()));
      co_return;
    }
    initial = std::move(listed->items);
    after = std::stoll(listed->resource_version);
  } else {
    char* end = nullptr;
    long long v = std::strtoll(rv_param.c_str(), &end, 10);
    if (!end || *end != '\0' || v < 0) {
      co_await out.send(400, kJson, statusLine(ApiStatus::badRequest("invalid resourceVersion: " + rv_param)));
      co_return;
    }
    after = v;
  }
  auto w = openWatch(info, prefix, *after, on_ready);
  if (!w.ok()) {
    if (w.code() == store::StatusCode::kCompacted) {
      // As kube-apiserver: a 200 stream carrying one ERROR event with a 410 Status.
      if (co_await out.startStream(kJson)) {
        json ev = {{"type", "ERROR"}, {"object", ApiStatus::gone("too old resource version: " + rv_param).toJson()}};
        co_await out.writeChunk(ev.dump() + "\n");
        co_await out.endStream();
      }
      co_return;
    }
    co_await out.send(503, kJson, statusLine(ApiStatus::unavailable(w.status().toString())));
    co_return;
  }
  std::unique_ptr<WatchSource> source = std::move(*w);
  auto& watchers = metrics_.gauge("ferry_apiserver_watchers", "Open watch streams.", {{"resource", info.plural}});
  watchers.add(1);
  struct Done {
    runtime::Gauge& g;
    ~Done() { g.add(-1); }
  } done{watchers};

  if (!co_await out.startStream(kJson)) co_return;
  for (auto& obj : initial) {
    json ev = {{"type", "ADDED"}, {"object", std::move(obj)}};
    if (!co_await out.writeChunk(ev.dump(-1, ' ', false, json::error_handler_t::replace) + "\n")) co_return;
  }
  store::Revision last_rv = *after;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto next_bookmark = std::chrono::steady_clock::now() + options_.bookmark_interval;
  std::vector<CachedEventPtr> events;
  for (;;) {
    events.clear();
    wake->pending.store(false);
    store::Status st = source->poll(events, 256);
    std::string batch;
    for (const auto& e : events) {
      last_rv = e->revision();
      batch += watchEventLine(*e, filter);
    }
    if (!batch.empty() && !co_await out.writeChunk(std::move(batch))) co_return;
    if (!st.ok()) {
      // Cut off (too slow) or the history is gone: end the stream so the client re-lists.
      if (st.code() == store::StatusCode::kOverflow || st.code() == store::StatusCode::kCompacted) {
        json ev = {{"type", "ERROR"}, {"object", ApiStatus::gone("watch fell too far behind: " + st.message()).toJson()}};
        co_await out.writeChunk(ev.dump() + "\n");
      }
      break;
    }
    if (!events.empty()) continue;  // drain before sleeping
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    if (bookmarks && now >= next_bookmark) {
      json ev = {{"type", "BOOKMARK"},
                 {"object", {{"kind", info.kind}, {"apiVersion", info.apiVersion()},
                             {"metadata", {{"resourceVersion", std::to_string(std::max(last_rv, storage_.store().currentRevision()))}}}}}};
      if (!co_await out.writeChunk(ev.dump() + "\n")) co_return;
      next_bookmark = now + options_.bookmark_interval;
    }
    if (wake->pending.load()) continue;
    wake->timer.expires_at(std::min(deadline, next_bookmark));
    boost::system::error_code ec;
    co_await wake->timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  co_await out.endStream();
}

}  // namespace ferry::controlplane
