#include "ferry/controlplane/feed_service.h"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>  // before boost/asio (1.74 needs std::exchange)

#include "ferry/api/resources.h"
#include "ferry/controlplane/api_server.h"
#include "ferry/controlplane/object_storage.h"
#include "ferry/runtime/log.h"

namespace ferry::controlplane {
namespace {

namespace asio = boost::asio;
using feed::v1::FeedEvent;

constexpr const char* kRegistry = "/registry/";
constexpr const char* kTlsSecretType = "kubernetes.io/tls";

// A kind the feed carries, with where it lives in the store.
struct FeedKind {
  const char* kind;
  const char* group;
  const char* plural;
  ResourceInfo info;
};

const std::vector<FeedKind>& feedKinds() {
  static const std::vector<FeedKind> kinds = [] {
    std::vector<FeedKind> v = {{"Service", "", "services", {}},
                               {"EndpointSlice", "discovery.k8s.io", "endpointslices", {}},
                               {"Node", "", "nodes", {}},
                               {"Ingress", "networking.k8s.io", "ingresses", {}},
                               {"IngressClass", "networking.k8s.io", "ingressclasses", {}},
                               {"Secret", "", "secrets", {}}};
    for (auto& k : v) k.info = resourceInfo(*api::findResource(k.group, "v1", k.plural));
    return v;
  }();
  return kinds;
}

// Which feed kind a store key belongs to, and its namespace and name.
struct KeyParts {
  size_t kind = 0;
  std::string ns, name;
};

std::optional<KeyParts> classify(const std::string& key) {
  const auto& kinds = feedKinds();
  for (size_t i = 0; i < kinds.size(); ++i) {
    const std::string prefix = kinds[i].info.prefix();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = key.substr(prefix.size());
    KeyParts parts{i, "", rest};
    if (kinds[i].info.namespaced) {
      auto slash = rest.find('/');
      if (slash == std::string::npos) return std::nullopt;
      parts.ns = rest.substr(0, slash);
      parts.name = rest.substr(slash + 1);
    }
    return parts;
  }
  return std::nullopt;
}

bool isSecret(size_t kind) {
  return std::string_view(feedKinds()[kind].kind) == "Secret";
}

bool isTlsSecret(const nlohmann::json& obj) {
  auto it = obj.find("type");
  return it != obj.end() && it->is_string() && it->get<std::string>() == kTlsSecretType;
}

// Protobuf wire format, for the messages assembled from pre-encoded parts.
void appendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void appendTag(std::string& out, uint32_t field, uint32_t wire_type) {
  appendVarint(out, (uint64_t{field} << 3) | wire_type);
}

constexpr uint32_t kVarint = 0;
constexpr uint32_t kLengthDelimited = 2;
// Field numbers in feed.proto.
constexpr uint32_t kFeedEventRevision = 1;
constexpr uint32_t kFeedEventDelta = 3;
constexpr uint32_t kDeltaChanges = 1;

grpc::ByteBuffer toBuffer(const google::protobuf::Message& message) {
  grpc::Slice slice(message.SerializeAsString());
  return grpc::ByteBuffer(&slice, 1);
}

// One store event as the feed sends it, made once per event whatever the number of
// subscribers (CachedEvent::memo).
struct EncodedChange {
  std::optional<size_t> kind;  // index into feedKinds(); nullopt: not a kind the feed carries
  bool tls_secret = false;     // for Secrets: only kubernetes.io/tls ones are sent
  grpc::Slice entry;           // a Delta.changes entry: tag, length, the Change's bytes
};

const EncodedChange& encodedChange(const CachedEvent& e) {
  return e.memo<EncodedChange>([&e] {
    EncodedChange out;
    const auto parts = classify(e.key());
    if (!parts) return out;
    out.kind = parts->kind;
    if (isSecret(parts->kind)) out.tls_secret = isTlsSecret(e.object());
    feed::v1::Change change;
    change.set_deleted(e.deleted());
    auto* o = change.mutable_object();
    o->set_kind(feedKinds()[parts->kind].kind);
    o->set_namespace_(parts->ns);
    o->set_name(parts->name);
    o->set_revision(e.revision());
    if (!e.deleted()) o->set_json(e.objectJson());
    const std::string body = change.SerializeAsString();
    std::string entry;
    entry.reserve(body.size() + 8);
    appendTag(entry, kDeltaChanges, kLengthDelimited);
    appendVarint(entry, body.size());
    entry += body;
    out.entry = grpc::Slice(entry);
    return out;
  });
}

}  // namespace

class FeedService::Stream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // `request` is null when the request did not parse.
  Stream(FeedService& service, grpc::CallbackServerContext* context,
         const feed::v1::SubscribeRequest* request)
      : service_(service),
        guard_(std::make_shared<Guard>(this)),
        node_(request ? request->node_name() : "") {
    ++service_.subscribers_;
    std::lock_guard lock(guard_->mu);
    if (request == nullptr) {
      finishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "the SubscribeRequest is not a valid message"));
      return;
    }
    std::optional<UserInfo> user;
    auto md = context->client_metadata().find("authorization");
    if (md != context->client_metadata().end())
      user = service_.auth_.authenticate(std::string_view(md->second.data(), md->second.size()));
    if (!user) {
      finishLocked(
          grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "a valid bearer token is required"));
      return;
    }
    const auto& kinds = feedKinds();
    allowed_.assign(kinds.size(), false);
    bool any = false;
    for (size_t i = 0; i < kinds.size(); ++i) {
      bool wanted = request->kinds().empty();
      for (const auto& k : request->kinds()) wanted = wanted || k == kinds[i].kind;
      allowed_[i] = wanted && authorize(*user, {"watch", kinds[i].group, kinds[i].plural, ""});
      any = any || allowed_[i];
    }
    if (!any) {
      finishLocked(
          grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                       "user \"" + user->name + "\" may not watch any of the kinds asked for"));
      return;
    }
    if (request->resume_revision() > 0) {
      watch_ = service_.cache_->subscribe(kRegistry, request->resume_revision(), onReady());
      if (watch_) service_.resumes_->inc();
    }
    if (!watch_) startSnapshotLocked("new");
    pumpLocked();
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(guard_->mu);
    writing_ = false;
    if (!ok) {
      finishLocked(grpc::Status::CANCELLED);
      return;
    }
    if (deferred_finish_) {
      auto st = *deferred_finish_;
      deferred_finish_.reset();
      finishLocked(st);
      return;
    }
    pumpLocked();
  }

  void OnCancel() override {
    std::lock_guard lock(guard_->mu);
    finishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    {
      std::lock_guard lock(guard_->mu);
      guard_->self = nullptr;  // posted pumps find nobody from now on
    }
    watch_.reset();
    --service_.subscribers_;
    delete this;
  }

 private:
  // Shared with callbacks that may run after the stream is gone.
  struct Guard {
    explicit Guard(Stream* s) : self(s) {}
    std::mutex mu;
    Stream* self;
  };

  std::function<void()> onReady() {
    std::weak_ptr<Guard> weak = guard_;
    asio::io_context* io = service_.io_.get();
    // Runs on the cache's thread under its lock: only post.
    return [weak, io] {
      asio::post(*io, [weak] {
        auto g = weak.lock();
        if (!g) return;
        std::lock_guard lock(g->mu);
        if (g->self) g->self->pumpLocked();
      });
    };
  }

  void finishLocked(const grpc::Status& status) {
    if (finished_) return;
    if (writing_) {
      if (!deferred_finish_) deferred_finish_ = status;
      return;
    }
    finished_ = true;
    Finish(status);
  }

  // The whole state at one revision, then deltas from exactly there.
  void startSnapshotLocked(const char* reason) {
    watch_.reset();
    pending_.clear();
    service_.metrics_
        .counter("ferry_feed_snapshots_total", "Full snapshots sent.", {{"reason", reason}})
        .inc();
    const auto& kinds = feedKinds();
    for (int attempt = 0; attempt < 5; ++attempt) {
      const store::Revision rv = service_.store_.currentRevision();
      watch_ = service_.cache_->subscribe(kRegistry, rv, onReady());
      if (!watch_) continue;
      std::vector<feed::v1::Object> objects;
      bool ok = true;
      for (size_t i = 0; i < kinds.size() && ok; ++i) {
        if (!allowed_[i]) continue;
        auto res = service_.store_.range({.prefix = kinds[i].info.prefix(), .revision = rv});
        if (!res.ok()) {
          ok = false;
          break;
        }
        for (const auto& kv : res->items) {
          auto parts = classify(kv->key);
          if (!parts) continue;
          if (isSecret(i) && !isTlsSecret(nlohmann::json::parse(kv->value, nullptr, false)))
            continue;
          feed::v1::Object o;
          o.set_kind(kinds[i].kind);
          o.set_namespace_(parts->ns);
          o.set_name(parts->name);
          o.set_revision(kv->mod_revision);
          o.set_json(ObjectStorage::wireJson(*kv, kv->mod_revision));
          objects.push_back(std::move(o));
        }
      }
      if (!ok) {
        watch_.reset();
        continue;  // compacted under us: read again at a newer revision
      }
      const size_t per_part = std::max<size_t>(1, service_.options_.snapshot_part_objects);
      size_t i = 0;
      do {
        FeedEvent ev;
        ev.set_revision(rv);
        auto* snap = ev.mutable_snapshot();
        for (size_t n = 0; n < per_part && i < objects.size(); ++n, ++i)
          *snap->add_objects() = std::move(objects[i]);
        snap->set_last(i == objects.size());
        pending_.push_back(toBuffer(ev));
      } while (i < objects.size());
      return;
    }
    finishLocked(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "could not read a consistent snapshot"));
  }

  void pumpLocked() {
    if (writing_ || finished_ || deferred_finish_) return;
    const size_t max = std::max<size_t>(1, service_.options_.delta_max_changes);
    std::vector<CachedEventPtr> events;
    // Poll until something is worth sending or nothing is left: events of kinds this
    // subscriber does not get are skipped without a message.
    while (pending_.empty() && watch_) {
      events.clear();
      store::Status st = watch_->poll(events, max);
      // slices[0] is the FeedEvent's header, written once the delta's length is known.
      std::vector<grpc::Slice> slices(1);
      size_t delta_bytes = 0;
      for (const auto& e : events) {
        const EncodedChange& change = encodedChange(*e);
        if (!change.kind || !allowed_[*change.kind]) continue;
        if (isSecret(*change.kind) && !change.tls_secret) continue;
        slices.push_back(change.entry);  // a reference, not a copy
        delta_bytes += change.entry.size();
      }
      if (!st.ok()) {
        if (st.code() == store::StatusCode::kOverflow) {
          // Too slow for the ring: an exact resend instead of holding the others back.
          startSnapshotLocked("lagging");
          break;
        }
        finishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, st.toString()));
        return;
      }
      if (slices.size() > 1) {
        // A full batch may have cut one revision's events in two: claim only the revision
        // before the last, so a resume from here repeats (harmlessly) rather than skips.
        const store::Revision last = events.back()->revision();
        const store::Revision revision = events.size() == max ? last - 1 : last;
        std::string header;
        appendTag(header, kFeedEventRevision, kVarint);
        appendVarint(header, static_cast<uint64_t>(revision));
        appendTag(header, kFeedEventDelta, kLengthDelimited);
        appendVarint(header, delta_bytes);
        slices[0] = grpc::Slice(header);
        pending_.emplace_back(slices.data(), slices.size());
      }
      if (events.size() < max) break;
    }
    if (pending_.empty()) return;
    current_ = std::move(pending_.front());
    pending_.pop_front();
    writing_ = true;
    service_.messages_sent_->inc();
    StartWrite(&current_);
  }

  FeedService& service_;
  std::shared_ptr<Guard> guard_;
  const std::string node_;
  std::vector<bool> allowed_;  // by index into feedKinds()
  std::unique_ptr<CachedWatch> watch_;
  std::deque<grpc::ByteBuffer> pending_;
  grpc::ByteBuffer current_;  // the message being written (must live until OnWriteDone)
  bool writing_ = false;
  bool finished_ = false;
  std::optional<grpc::Status> deferred_finish_;
};

FeedService::FeedService(store::Store& store, const Authenticator& auth, runtime::Registry& metrics,
                         FeedServiceOptions options, NodeRegistrar* registrar)
    : store_(store),
      auth_(auth),
      metrics_(metrics),
      options_(options),
      registrar_(registrar),
      io_(std::make_unique<asio::io_context>()),
      messages_sent_(&metrics.counter("ferry_feed_messages_sent_total", "Feed messages sent.")),
      resumes_(&metrics.counter("ferry_feed_resumes_total",
                                "Subscriptions resumed without a snapshot.")) {
  WatchCacheOptions copts;
  copts.capacity = options_.cache_capacity;
  copts.accept = [](const std::string& key) { return classify(key).has_value(); };
  cache_ = std::make_shared<WatchCache>(store_, kRegistry, copts);
  // Every stream's messages are assembled here (a change reaching 1,000 agents is 1,000
  // pumps): one thread per core, streams lock only themselves.
  const unsigned threads = std::clamp(std::thread::hardware_concurrency(), 1U, 4U);
  auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(
      asio::make_work_guard(*io_));
  for (unsigned i = 0; i < threads; ++i) {
    workers_.emplace_back([io = io_.get(), work] { io->run(); });
  }
}

FeedService::~FeedService() {
  io_->stop();
  for (auto& t : workers_) t.join();
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* FeedService::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  feed::v1::SubscribeRequest parsed;
  std::vector<grpc::Slice> slices;
  std::string bytes;
  bool ok = request->Dump(&slices).ok();
  for (const auto& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  ok = ok && parsed.ParseFromString(bytes);
  return new Stream(*this, context, ok ? &parsed : nullptr);
}

grpc::ServerUnaryReactor* FeedService::Heartbeat(grpc::CallbackServerContext* context,
                                                 const feed::v1::NodeHeartbeat* request,
                                                 feed::v1::HeartbeatReply* reply) {
  auto* reactor = context->DefaultReactor();
  std::optional<UserInfo> user;
  auto md = context->client_metadata().find("authorization");
  if (md != context->client_metadata().end())
    user = auth_.authenticate(std::string_view(md->second.data(), md->second.size()));
  if (!user) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "a valid bearer token is required"));
    return reactor;
  }
  if (!authorize(*user, {"update", "", "nodes", "status"}) ||
      !authorize(*user, {"create", "", "nodes", ""})) {
    reactor->Finish(grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                                 "user \"" + user->name + "\" may not register nodes"));
    return reactor;
  }
  if (!registrar_) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "node registration is off"));
    return reactor;
  }
  NodeHeartbeatInfo info;
  info.name = request->node_name();
  for (const auto& a : request->addresses()) info.addresses.emplace_back(a.type(), a.address());
  info.pod_cidrs.assign(request->pod_cidrs().begin(), request->pod_cidrs().end());
  for (const auto& [k, v] : request->labels()) info.labels[k] = v;
  info.agent_version = request->agent_version();
  // A store write (one fsync, shared by group commit): short enough for a callback thread.
  auto res = registrar_->heartbeat(info);
  metrics_
      .counter("ferry_feed_heartbeats_total", "Node heartbeats received.",
               {{"result", res.ok() ? "ok" : "error"}})
      .inc();
  if (!res.ok()) {
    const auto code = res.status().code == 422 || res.status().code == 400
                          ? grpc::StatusCode::INVALID_ARGUMENT
                          : grpc::StatusCode::UNAVAILABLE;
    reactor->Finish(grpc::Status(code, res.status().message));
    return reactor;
  }
  reply->set_revision(std::atoll(res->c_str()));
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace ferry::controlplane
