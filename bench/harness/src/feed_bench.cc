#include "feed_bench.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "ferry/bench/proc_stat.h"
#include "ferry/bench/wire.h"
#include "ferry/feed/feed_client.h"
#include "ferry/feed/v1/feed.grpc.pb.h"
#include "https_common.h"

namespace ferry::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr auto kIoTimeout = std::chrono::seconds(30);
constexpr const char* kProbe = "svc-0";  // the Service the writer updates
constexpr uint64_t kMaxErrors = 20;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Reply {
  int status = 0;
  std::string body;
  std::string error;
};

http::request<http::string_body> request(const Target& t, http::verb verb, std::string target,
                                         const std::string& token, std::string body = {},
                                         std::string_view content_type = "application/json") {
  http::request<http::string_body> req;
  req.version(11);
  req.method(verb);
  req.target(std::move(target));
  req.set(http::field::host, t.host);
  req.set(http::field::accept, "application/json");
  req.set(http::field::authorization, "Bearer " + token);
  req.keep_alive(true);
  if (!body.empty()) {
    req.set(http::field::content_type, content_type);
    req.body() = std::move(body);
  }
  req.prepare_payload();
  return req;
}

// One keep-alive request/response with an unbounded body (LISTs of 10k objects are tens of MB).
awaitable<Reply> exchange(HttpsStream& s, beast::flat_buffer& buffer,
                          http::request<http::string_body> req) {
  Reply r;
  beast::error_code ec;
  beast::get_lowest_layer(s).expires_after(kIoTimeout);
  co_await http::async_write(s, req, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    r.error = "write: " + ec.message();
    co_return r;
  }
  http::response_parser<http::string_body> parser;
  // Not boost::none: Beast 1.74 compares a Content-Length against the optional, and any
  // length is "greater" than none (body_limit error).
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  co_await http::async_read(s, buffer, parser, asio::redirect_error(use_awaitable, ec));
  beast::get_lowest_layer(s).expires_never();
  if (ec) {
    r.error = "read: " + ec.message();
    co_return r;
  }
  r.status = static_cast<int>(parser.get().result_int());
  r.body = std::move(parser.get().body());
  if (r.status / 100 != 2)
    r.error = "HTTP " + std::to_string(r.status) + ": " + r.body.substr(0, 300);
  co_return r;
}

int64_t resourceVersionOf(const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return -1;
  try {
    return std::stoll(doc.at("metadata").at("resourceVersion").get<std::string>());
  } catch (const std::exception&) {
    return -1;
  }
}

std::string serviceJson(const std::string& ns, int i) {
  json svc = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", "svc-" + std::to_string(i)}, {"namespace", ns}}},
      {"spec",
       {{"ports",
         json::array(
             {{{"name", "http"}, {"port", 80}, {"protocol", "TCP"}, {"targetPort", 8080}}})}}}};
  return svc.dump();
}

// A selector-less Service's slice, written as a user would (managed-by ferry-bench: the
// EndpointSlice controller leaves it alone). Endpoint g of the whole population gets
// 10.128.0.0 + g, so every address is distinct.
std::string sliceJson(const std::string& ns, int i, int per_service) {
  json eps = json::array();
  for (int k = 0; k < per_service; ++k) {
    const uint32_t g =
        static_cast<uint32_t>(i) * static_cast<uint32_t>(per_service) + static_cast<uint32_t>(k);
    const uint32_t a = (10u << 24) + (128u << 16) + g;
    std::string ip = std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
                     std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
    eps.push_back({{"addresses", json::array({ip})},
                   {"conditions", {{"ready", true}, {"serving", true}, {"terminating", false}}},
                   {"nodeName", "node-" + std::to_string(g % 64)}});
  }
  const std::string svc = "svc-" + std::to_string(i);
  json slice = {{"apiVersion", "discovery.k8s.io/v1"},
                {"kind", "EndpointSlice"},
                {"metadata",
                 {{"name", svc + "-bench"},
                  {"namespace", ns},
                  {"labels",
                   {{"kubernetes.io/service-name", svc},
                    {"endpointslice.kubernetes.io/managed-by", "ferry-bench"}}}}},
                {"addressType", "IPv4"},
                {"ports", json::array({{{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}}})},
                {"endpoints", eps}};
  return slice.dump();
}

template <typename Pred>
awaitable<bool> waitFor(asio::steady_timer& timer, Clock::time_point deadline, Pred pred) {
  while (!pred()) {
    if (Clock::now() >= deadline) co_return pred();
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(use_awaitable);
  }
  co_return true;
}

// Waits until the server's CPU over a 250 ms window is below `idle_frac` of one CPU (its
// controllers have digested the population), bounded by `bound`. Returns the seconds waited;
// *quiet tells whether the server did go quiet.
double quiesce(pid_t pid, Clock::time_point bound, double idle_frac, bool* quiet) {
  const auto t0 = Clock::now();
  *quiet = false;
  if (pid <= 0) return 0;
  while (Clock::now() < bound) {
    const ServerCpu a = cpuOf(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const ServerCpu d = cpuOf(pid) - a;
    const double used = d.sched_s >= 0 ? d.sched_s : d.ticks_s;
    if (used < idle_frac * 0.25) {
      *quiet = true;
      break;
    }
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// ----- population -----

struct Population {
  int next = 0;  // single-threaded io_context: plain counters
  int created = 0;
  uint64_t errors = 0;
  std::string first_error;
  int64_t max_revision = 0;
  bool timed_out = false;
  void fail(const std::string& e) {
    ++errors;
    if (first_error.empty()) first_error = e;
  }
};

awaitable<void> populator(const Target& t, const FeedOptions& o, asio::ssl::context& tls,
                          Population& pop, Clock::time_point deadline) {
  HttpsStream s(co_await asio::this_coro::executor, tls);
  beast::flat_buffer buffer;
  try {
    co_await connectTls(s, t);
  } catch (const std::exception& e) {
    pop.fail(std::string("populate connect: ") + e.what());
    co_return;
  }
  const std::string base = "/api/v1/namespaces/" + t.ns + "/services";
  const std::string slices = "/apis/discovery.k8s.io/v1/namespaces/" + t.ns + "/endpointslices";
  while (pop.next < o.services && pop.errors < kMaxErrors) {
    if (Clock::now() >= deadline) {
      pop.timed_out = true;
      break;
    }
    const int i = pop.next++;
    Reply r = co_await exchange(s, buffer,
                                request(t, http::verb::post, base, t.token, serviceJson(t.ns, i)));
    if (!r.error.empty()) {
      pop.fail("service " + std::to_string(i) + ": " + r.error);
      if (r.status == 0) co_return;
      continue;
    }
    pop.max_revision = std::max(pop.max_revision, resourceVersionOf(r.body));
    r = co_await exchange(
        s, buffer,
        request(t, http::verb::post, slices, t.token, sliceJson(t.ns, i, o.endpoints_per_service)));
    if (!r.error.empty()) {
      pop.fail("slice " + std::to_string(i) + ": " + r.error);
      if (r.status == 0) co_return;
      continue;
    }
    pop.max_revision = std::max(pop.max_revision, resourceVersionOf(r.body));
    ++pop.created;
  }
}

// ----- the writer: updates the probe Service; shared by both modes -----

struct Writes {
  std::vector<int64_t> send_ns, ack_ns, revision;
  uint64_t errors = 0;
  std::string first_error, phase_failed;
  ServerCpu server_cpu;
  double client_cpu_s = 0, measured_s = 0;
};

// Fan-out state both modes fill: per agent, (revision, receive time) of every probe update.
struct Receipts {
  std::mutex mu;
  std::vector<std::pair<int64_t, int64_t>> got;
};

struct Fanout {
  int agents = 0;
  std::vector<std::unique_ptr<Receipts>> receipts;
  std::atomic<int> ready{0}, failed{0};
  std::atomic<uint64_t> received{0};   // probe updates received, all agents
  std::atomic<uint64_t> snapshots{0};  // unexpected full resends (resume refused)
  std::atomic<bool> stopping{false};
  std::mutex err_mu;
  std::string first_error;
  void fail(const std::string& e) {
    failed.fetch_add(1);
    std::lock_guard lock(err_mu);
    if (first_error.empty()) first_error = e;
  }
  void record(int agent, int64_t revision, int64_t now) {
    auto& r = *receipts[static_cast<std::size_t>(agent)];
    {
      std::lock_guard lock(r.mu);
      if (r.got.size() >= 4096) return;  // bounded: far more than the events written
      r.got.emplace_back(revision, now);
    }
    received.fetch_add(1);
  }
};

awaitable<void> writer(const Target& t, const FeedOptions& o, asio::ssl::context& tls, Fanout& fan,
                       Clock::time_point deadline, Writes& out) {
  auto io = co_await asio::this_coro::executor;
  asio::steady_timer timer(io);
  const int total = fan.agents;
  const std::size_t n = static_cast<std::size_t>(o.events) + 1;
  out.send_ns.assign(n, -1);
  out.ack_ns.assign(n, -1);
  out.revision.assign(n, -1);
  if (!co_await waitFor(timer, deadline, [&] { return fan.ready + fan.failed >= total; }) ||
      fan.failed > 0) {
    out.phase_failed = "connecting agents";
    co_return;
  }
  HttpsStream s(io, tls);
  beast::flat_buffer buffer;
  try {
    co_await connectTls(s, t);
  } catch (const std::exception& e) {
    out.first_error = std::string("writer connect: ") + e.what();
    out.phase_failed = "writer connect";
    co_return;
  }
  const std::string path = "/api/v1/namespaces/" + t.ns + "/services/" + kProbe;
  auto write = [&](std::size_t seq) -> awaitable<bool> {
    json patch = {{"metadata", {{"annotations", {{"ferry-bench/seq", std::to_string(seq)}}}}}};
    auto req =
        request(t, http::verb::patch, path, t.token, patch.dump(), "application/merge-patch+json");
    out.send_ns[seq] = nowNs();
    Reply r = co_await exchange(s, buffer, std::move(req));
    out.ack_ns[seq] = nowNs();
    if (r.error.empty()) out.revision[seq] = resourceVersionOf(r.body);
    if (!r.error.empty() || out.revision[seq] <= 0) {
      ++out.errors;
      if (out.first_error.empty())
        out.first_error = r.error.empty() ? "no resourceVersion in the reply" : r.error;
      co_return false;
    }
    co_return true;
  };
  // Update 0 proves every agent's stream is live before anything is measured.
  if (!co_await write(0) ||
      !co_await waitFor(
          timer, deadline,
          [&] { return fan.received >= static_cast<uint64_t>(total) || fan.failed > 0; }) ||
      fan.failed > 0) {
    out.phase_failed = "sync event";
    co_return;
  }
  const ServerCpu cpu0 = cpuOf(t.server_pid);
  const CpuTimes self0 = selfCpu();
  const auto start = Clock::now();
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, std::milli>(o.interval_ms));
  for (int seq = 1; seq <= o.events; ++seq) {
    auto slot = start + interval * (seq - 1);
    if (slot > Clock::now()) {
      timer.expires_at(slot);
      co_await timer.async_wait(use_awaitable);
    }
    if (Clock::now() >= deadline) {
      out.phase_failed = "writing events (deadline)";
      break;
    }
    co_await write(static_cast<std::size_t>(seq));
  }
  const uint64_t expected = static_cast<uint64_t>(total) * (static_cast<uint64_t>(o.events) + 1);
  if (!co_await waitFor(timer, deadline, [&] { return fan.received >= expected; }) &&
      out.phase_failed.empty())
    out.phase_failed = "waiting for deliveries (deadline)";
  out.measured_s = std::chrono::duration<double>(Clock::now() - start).count();
  out.server_cpu = cpuOf(t.server_pid) - cpu0;
  out.client_cpu_s = selfCpu().total() - self0.total();
  beast::error_code ec;
  beast::get_lowest_layer(s).socket().close(ec);
}

void runWriter(const Target& t, const FeedOptions& o, asio::ssl::context& tls, Fanout& fan,
               Clock::time_point deadline, Writes& wr) {
  asio::io_context io(1);
  asio::co_spawn(io, writer(t, o, tls, fan, deadline, wr), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      if (wr.first_error.empty()) wr.first_error = std::string("writer: ") + ex.what();
      if (wr.phase_failed.empty()) wr.phase_failed = "writer exception";
    }
  });
  io.run();
}

// ----- mode feed: gRPC agents on the callback API -----

std::shared_ptr<grpc::Channel> agentChannel(const std::string& target, const std::string& ca_pem,
                                            const std::string& token) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem;
  auto creds = grpc::CompositeChannelCredentials(grpc::SslCredentials(ssl),
                                                 grpc::AccessTokenCredentials(token));
  grpc::ChannelArguments args;  // as makeFeedChannel, plus a connection of its own per agent
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 << 20);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, creds, args);
}

class FeedAgent : public grpc::ClientReadReactor<feed::v1::FeedEvent> {
 public:
  FeedAgent(Fanout& fan, int index, std::shared_ptr<grpc::Channel> channel, int64_t resume,
            std::string ns)
      : fan_(fan),
        index_(index),
        stub_(feed::v1::Feed::NewStub(std::move(channel))),
        ns_(std::move(ns)) {
    req_.set_node_name("bench-node-" + std::to_string(index));
    req_.set_resume_revision(resume);
  }
  void start() {
    stub_->async()->Subscribe(&ctx_, &req_, this);
    StartRead(&event_);
    StartCall();
    fan_.ready.fetch_add(1);  // resume_revision makes a late registration replay, not miss
  }
  void cancel() { ctx_.TryCancel(); }
  bool waitDone(Clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [&] { return done_; });
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    const int64_t now = nowNs();
    if (event_.has_delta()) {
      for (const auto& c : event_.delta().changes()) {
        const auto& obj = c.object();
        if (obj.kind() == "Service" && obj.name() == kProbe && obj.namespace_() == ns_)
          fan_.record(index_, obj.revision(), now);
      }
    } else if (event_.has_snapshot()) {
      fan_.snapshots.fetch_add(1);
    }
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& s) override {
    if (!fan_.stopping.load())
      fan_.fail("feed stream ended: " + std::to_string(static_cast<int>(s.error_code())) + " " +
                s.error_message());
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

 private:
  Fanout& fan_;
  const int index_;
  std::unique_ptr<feed::v1::Feed::Stub> stub_;
  const std::string ns_;
  grpc::ClientContext ctx_;
  feed::v1::SubscribeRequest req_;
  feed::v1::FeedEvent event_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

// ----- mode rest: watch streams, as kube-proxy's informers -----

struct RestWatcher {
  RestWatcher(asio::io_context& io, asio::ssl::context& tls) : stream(io, tls) {}
  HttpsStream stream;
  beast::flat_buffer buffer;
  LineSplitter lines;
};

// A watch event line of the probe Service: {"type":"MODIFIED","object":{…"name":"svc-0",
// "namespace":"bench",…"resourceVersion":"123",…}}. Scanned, not parsed (see wire.h).
int64_t probeRevision(std::string_view line, const std::string& name_field,
                      const std::string& ns_field) {
  if (line.find(name_field) == std::string_view::npos ||
      line.find(ns_field) == std::string_view::npos)
    return -1;
  constexpr std::string_view kRv = "\"resourceVersion\":\"";
  auto p = line.find(kRv);
  if (p == std::string_view::npos) return -1;
  p += kRv.size();
  int64_t v = 0;
  bool any = false;
  while (p < line.size() && line[p] >= '0' && line[p] <= '9' && v < (int64_t{1} << 58)) {
    v = v * 10 + (line[p++] - '0');
    any = true;
  }
  return any ? v : -1;
}

awaitable<void> connectRestWatchers(const Target& t, const FeedOptions& o, Fanout& fan,
                                    std::vector<std::unique_ptr<RestWatcher>>& ws,
                                    std::atomic<int>& next, int64_t resume) {
  auto io = co_await asio::this_coro::executor;
  while (true) {
    const int index = next.fetch_add(1);
    if (index >= static_cast<int>(ws.size()) || fan.stopping.load()) co_return;
    RestWatcher& w = *ws[static_cast<std::size_t>(index)];
    auto parser = std::make_shared<http::response_parser<http::empty_body>>();
    parser->body_limit(boost::none);
    struct Callback {
      Fanout* fan;
      RestWatcher* w;
      int index;
      std::string name_field, ns_field;
      std::size_t operator()(std::uint64_t, std::string_view body, beast::error_code&) {
        const int64_t now = nowNs();
        w->lines.feed(body, [&](std::string_view line) {
          const int64_t rv = probeRevision(line, name_field, ns_field);
          if (rv > 0) fan->record(index, rv, now);
        });
        return body.size();
      }
    };
    auto cb = std::make_shared<Callback>(Callback{&fan, &w, index,
                                                  std::string("\"name\":\"") + kProbe + "\"",
                                                  "\"namespace\":\"" + t.ns + "\""});
    parser->on_chunk_body(*cb);
    try {
      co_await connectTls(w.stream, t);
      auto req = request(t, http::verb::get,
                         "/api/v1/services?watch=1&resourceVersion=" + std::to_string(resume),
                         o.agent_token);
      beast::get_lowest_layer(w.stream).expires_after(kIoTimeout);
      co_await http::async_write(w.stream, req, use_awaitable);
      co_await http::async_read_header(w.stream, w.buffer, *parser, use_awaitable);
      beast::get_lowest_layer(w.stream).expires_never();
      if (parser->get().result_int() != 200)
        throw std::runtime_error("watch answered HTTP " +
                                 std::to_string(parser->get().result_int()));
      fan.ready.fetch_add(1);
      asio::co_spawn(
          io,
          [](Fanout& f, RestWatcher& rw, std::shared_ptr<http::response_parser<http::empty_body>> p,
             std::shared_ptr<Callback> c) -> awaitable<void> {
            beast::error_code ec;
            co_await http::async_read(rw.stream, rw.buffer, *p,
                                      asio::redirect_error(use_awaitable, ec));
            if (!f.stopping.load())
              f.fail("watch stream ended: " + (ec ? ec.message() : std::string("end of body")));
            (void)c;
          }(fan, w, parser, cb),
          asio::detached);
    } catch (const std::exception& e) {
      fan.fail(std::string("watch connect: ") + e.what());
    }
  }
}

// ----- full snapshot of a new agent -----

struct SnapshotResult {
  std::vector<double> ms;
  uint64_t objects = 0, bytes = 0, errors = 0;
  std::string first_error;
  ServerCpu server_cpu;
};

SnapshotResult feedSnapshots(const Target& t, const FeedOptions& o, const std::string& ca_pem,
                             Clock::time_point deadline) {
  SnapshotResult out;
  const ServerCpu cpu0 = cpuOf(t.server_pid);
  for (int i = 0; i < o.snapshot_agents && Clock::now() < deadline; ++i) {
    feed::FeedClientOptions fo;
    fo.target = t.host + ":" + std::to_string(o.feed_port);
    fo.ca_pem = ca_pem;
    fo.token = o.agent_token;
    fo.node_name = "bench-snapshot-" + std::to_string(i);
    std::mutex mu;
    std::condition_variable cv;
    int64_t done_ns = -1;
    std::size_t objects = 0;
    feed::FeedClient client(fo, [&](const feed::FeedState& st, const feed::FeedUpdate& u) {
      if (!u.full) return;
      std::lock_guard lock(mu);
      if (done_ns < 0) {
        done_ns = nowNs();
        objects = st.objects().size();
      }
      cv.notify_all();
    });
    const int64_t t0 = nowNs();
    client.start();
    {
      std::unique_lock lock(mu);
      cv.wait_until(lock, std::min(deadline, Clock::now() + std::chrono::seconds(60)),
                    [&] { return done_ns >= 0; });
    }
    client.stop();
    if (done_ns < 0) {
      ++out.errors;
      if (out.first_error.empty()) out.first_error = "feed snapshot not received in time";
      continue;
    }
    out.ms.push_back(static_cast<double>(done_ns - t0) / 1e6);
    out.objects = objects;
  }
  out.server_cpu = cpuOf(t.server_pid) - cpu0;
  return out;
}

// kube-proxy's initial sync: its two informers LIST Services and EndpointSlices, each on its
// own connection, concurrently. Time from connecting to both bodies read (not decoded).
SnapshotResult restSnapshots(const Target& t, const FeedOptions& o, asio::ssl::context& tls,
                             Clock::time_point deadline) {
  SnapshotResult out;
  const ServerCpu cpu0 = cpuOf(t.server_pid);
  for (int i = 0; i < o.snapshot_agents && Clock::now() < deadline; ++i) {
    asio::io_context io(1);
    int pending = 2;
    int64_t last_ns = -1;
    uint64_t bytes = 0;
    std::string error;
    auto list = [&](std::string path) -> awaitable<void> {
      HttpsStream s(io, tls);
      beast::flat_buffer buffer;
      try {
        co_await connectTls(s, t);
        Reply r = co_await exchange(s, buffer, request(t, http::verb::get, path, o.agent_token));
        if (!r.error.empty() && error.empty()) error = path + ": " + r.error;
        bytes += r.body.size();
      } catch (const std::exception& e) {
        if (error.empty()) error = path + ": " + e.what();
      }
      last_ns = nowNs();
      --pending;
    };
    const int64_t t0 = nowNs();
    asio::co_spawn(io, list("/api/v1/services"), asio::detached);
    asio::co_spawn(io, list("/apis/discovery.k8s.io/v1/endpointslices"), asio::detached);
    io.run();
    if (!error.empty() || pending != 0) {
      ++out.errors;
      if (out.first_error.empty()) out.first_error = error.empty() ? "list unfinished" : error;
      continue;
    }
    out.ms.push_back(static_cast<double>(last_ns - t0) / 1e6);
    out.bytes = bytes;
  }
  out.server_cpu = cpuOf(t.server_pid) - cpu0;
  return out;
}

}  // namespace

json runFeedFanout(const Target& t, const FeedOptions& o) {
  if (o.agents < 1 || o.events < 1 || o.services < 1 || o.endpoints_per_service < 1 ||
      o.populate_concurrency < 1)
    throw std::runtime_error("agents, events, services, endpoints and concurrency must be >= 1");
  if (o.mode != "feed" && o.mode != "rest") throw std::runtime_error("mode must be feed or rest");
  if (o.agent_token.empty()) throw std::runtime_error("--agent-token is required");
  const bool feed_mode = o.mode == "feed";
  if (feed_mode && o.feed_port == 0) throw std::runtime_error("--feed-port is required");
  auto tls = makeTlsContext(t);
  const std::string ca_pem = slurp(t.ca_file);
  const auto begin = Clock::now();
  const auto deadline = begin + seconds(o.max_seconds);
  json out;
  out["tool"] = "feed";
  out["mode"] = o.mode;
  out["agents"] = o.agents;
  out["services"] = o.services;
  out["endpoints_per_service"] = o.endpoints_per_service;
  out["events"] = o.events;
  out["interval_ms"] = o.interval_ms;

  // 1. Population: S Services and S EndpointSlices from C connections.
  Population pop;
  {
    asio::io_context io(1);
    const auto t0 = Clock::now();
    for (int i = 0; i < o.populate_concurrency; ++i)
      asio::co_spawn(io, populator(t, o, *tls, pop, deadline), asio::detached);
    io.run();
    out["populate_s"] = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  out["populated_services"] = pop.created;
  out["populate_errors"] = pop.errors;
  out["populate_timed_out"] = pop.timed_out;
  out["revision_after_populate"] = pop.max_revision;
  auto finish = [&](const std::string& phase, const std::string& error) {
    out["phase_failed"] = phase;
    out["first_error"] = error;
    out["latencies_ack_us"] = json::array();
    out["latencies_send_us"] = json::array();
    out["snapshot_ms"] = json::array();
    out["total_s"] = std::chrono::duration<double>(Clock::now() - begin).count();
    return out;
  };
  if (pop.created != o.services)
    return finish(pop.timed_out ? "populating (deadline)" : "populating", pop.first_error);
  // The control plane's controllers react to the new Services after the writes return; measure
  // nothing until they are done, or both systems' figures carry that backlog.
  bool quiet = false;
  out["quiesce_s"] = quiesce(
      t.server_pid, std::min(deadline, Clock::now() + std::chrono::seconds(90)), 0.05, &quiet);
  out["quiesced"] = quiet;

  // 2. Full snapshot of a new agent, agents one after another.
  SnapshotResult snap =
      feed_mode ? feedSnapshots(t, o, ca_pem, deadline) : restSnapshots(t, o, *tls, deadline);
  out["snapshot_ms"] = snap.ms;
  out["snapshot_objects"] = snap.objects;
  out["snapshot_bytes"] = snap.bytes;
  out["snapshot_errors"] = snap.errors;
  out["snapshot_server_cpu_s"] = snap.server_cpu.ticks_s;
  out["snapshot_server_cpu_sched_s"] = snap.server_cpu.sched_s;
  if (snap.ms.empty()) return finish("snapshot", snap.first_error);
  out["quiesce_after_snapshot_s"] = quiesce(
      t.server_pid, std::min(deadline, Clock::now() + std::chrono::seconds(30)), 0.05, &quiet);
  out["quiesced_after_snapshot"] = quiet;

  // 3. Fan-out: N agents resume from the revision after population (no snapshot each: that is
  // what step 2 measures), the writer updates the probe Service K+1 times.
  Fanout fan;
  fan.agents = o.agents;
  for (int i = 0; i < o.agents; ++i) fan.receipts.push_back(std::make_unique<Receipts>());
  Writes wr;
  if (feed_mode) {
    const std::string target = t.host + ":" + std::to_string(o.feed_port);
    std::vector<std::unique_ptr<FeedAgent>> agents;
    for (int i = 0; i < o.agents; ++i)
      agents.push_back(std::make_unique<FeedAgent>(
          fan, i, agentChannel(target, ca_pem, o.agent_token), pop.max_revision, t.ns));
    for (auto& a : agents) a->start();
    runWriter(t, o, *tls, fan, deadline, wr);
    fan.stopping = true;
    for (auto& a : agents) a->cancel();
    const auto bound = Clock::now() + std::chrono::seconds(20);
    for (auto& a : agents)
      if (!a->waitDone(bound)) throw std::runtime_error("feed agents did not stop within 20 s");
  } else {
    asio::io_context watch_io(1);
    std::vector<std::unique_ptr<RestWatcher>> ws;
    for (int i = 0; i < o.agents; ++i) ws.push_back(std::make_unique<RestWatcher>(watch_io, *tls));
    std::atomic<int> next{0};
    for (int i = 0; i < std::min(32, o.agents); ++i)
      asio::co_spawn(watch_io, connectRestWatchers(t, o, fan, ws, next, pop.max_revision),
                     asio::detached);
    std::thread watch_thread([&] { watch_io.run(); });
    runWriter(t, o, *tls, fan, deadline, wr);
    fan.stopping = true;
    asio::post(watch_io, [&] {
      for (auto& w : ws) {
        beast::error_code ec;
        beast::get_lowest_layer(w->stream).socket().close(ec);
      }
    });
    watch_thread.join();
  }

  std::vector<double> lat_ack, lat_send;
  uint64_t missing = 0;
  for (auto& r : fan.receipts) {
    std::lock_guard lock(r->mu);
    for (int seq = 1; seq <= o.events; ++seq) {
      const auto s = static_cast<std::size_t>(seq);
      int64_t recv = -1;
      for (const auto& [rev, ns] : r->got)
        if (rev == wr.revision[s]) {
          recv = ns;
          break;
        }
      if (recv < 0 || wr.ack_ns[s] < 0 || wr.revision[s] <= 0) {
        ++missing;
        continue;
      }
      lat_ack.push_back(static_cast<double>(recv - wr.ack_ns[s]) / 1e3);
      lat_send.push_back(static_cast<double>(recv - wr.send_ns[s]) / 1e3);
    }
  }
  out["ready"] = fan.ready.load();
  out["failed_agents"] = fan.failed.load();
  out["unexpected_snapshots"] = fan.snapshots.load();
  out["deliveries_expected"] = static_cast<uint64_t>(o.agents) * static_cast<uint64_t>(o.events);
  out["delivered"] = lat_ack.size();
  out["missing"] = missing;
  out["write_errors"] = wr.errors;
  out["first_error"] = !wr.first_error.empty() ? wr.first_error : fan.first_error;
  out["phase_failed"] = wr.phase_failed;
  out["measured_s"] = wr.measured_s;
  out["server_cpu_s"] = wr.server_cpu.ticks_s;
  out["server_cpu_sched_s"] = wr.server_cpu.sched_s;
  out["client_cpu_s"] = wr.client_cpu_s;
  out["latencies_ack_us"] = lat_ack;
  out["latencies_send_us"] = lat_send;
  out["total_s"] = std::chrono::duration<double>(Clock::now() - begin).count();
  return out;
}

}  // namespace ferry::bench
