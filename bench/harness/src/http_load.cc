#include "http_load.h"

#include "https_common.h"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>  // boost/asio/awaitable.hpp (1.74) uses std::exchange without including it
#include <vector>

#include "ferry/bench/proc_stat.h"
#include "ferry/bench/wire.h"

namespace ferry::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using Stream = HttpsStream;
using Clock = std::chrono::steady_clock;

constexpr auto kIoTimeout = std::chrono::seconds(10);

}  // namespace

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<asio::ssl::context> makeTlsContext(const Target& t) {
  auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
  ctx->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                   asio::ssl::context::no_tlsv1_1);
  try {
    ctx->load_verify_file(t.ca_file);
  } catch (const std::exception& e) {
    throw std::runtime_error("loading CA file " + t.ca_file + ": " + e.what());
  }
  ctx->set_verify_mode(asio::ssl::verify_peer);
  return ctx;
}

awaitable<void> connectTls(Stream& s, const Target& t) {
  auto& tcp_stream = beast::get_lowest_layer(s);
  tcp_stream.expires_after(kIoTimeout);
  co_await tcp_stream.async_connect(tcp::endpoint(asio::ip::make_address(t.host), t.port),
                                    use_awaitable);
  tcp_stream.socket().set_option(tcp::no_delay(true));
  s.set_verify_callback(asio::ssl::host_name_verification(t.host));
  co_await s.async_handshake(asio::ssl::stream_base::client, use_awaitable);
  tcp_stream.expires_never();
}

namespace {

std::string registryKey(const Target& t, std::string_view name) {
  return "/registry/configmaps/" + t.ns + "/" + std::string(name);
}

http::request<http::string_body> createRequest(const Target& t, std::string_view name,
                                               std::size_t object_bytes) {
  http::request<http::string_body> req;
  req.version(11);
  req.method(http::verb::post);
  req.set(http::field::host, t.host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json");
  req.keep_alive(true);
  std::string doc = configMapJson(name, object_bytes);
  if (t.api == Api::kKubernetes) {
    req.target("/api/v1/namespaces/" + t.ns + "/configmaps");
    req.set(http::field::authorization, "Bearer " + t.token);
    req.body() = std::move(doc);
  } else {
    req.target("/v3/kv/put");
    req.body() = etcdPutJson(registryKey(t, name), doc);
  }
  req.prepare_payload();
  return req;
}

http::request<http::string_body> watchRequest(const Target& t) {
  http::request<http::string_body> req;
  req.version(11);
  req.set(http::field::host, t.host);
  req.set(http::field::accept, "application/json");
  req.keep_alive(true);
  if (t.api == Api::kKubernetes) {
    req.method(http::verb::get);
    req.target("/api/v1/namespaces/" + t.ns + "/configmaps?watch=1");
    req.set(http::field::authorization, "Bearer " + t.token);
  } else {
    req.method(http::verb::post);
    req.target("/v3/watch");
    req.set(http::field::content_type, "application/json");
    req.body() = etcdWatchPrefixJson("/registry/configmaps/" + t.ns + "/");
  }
  req.prepare_payload();
  return req;
}

// One keep-alive request/response; returns the HTTP status, or 0 with `error` set.
struct Exchange {
  int status = 0;
  std::string error;
};

awaitable<Exchange> roundTrip(Stream& s, beast::flat_buffer& buffer,
                              http::request<http::string_body>& req) {
  Exchange ex;
  beast::error_code ec;
  beast::get_lowest_layer(s).expires_after(kIoTimeout);
  co_await http::async_write(s, req, asio::redirect_error(use_awaitable, ec));
  if (ec) {
    ex.error = "write: " + ec.message();
    co_return ex;
  }
  http::response<http::string_body> res;
  co_await http::async_read(s, buffer, res, asio::redirect_error(use_awaitable, ec));
  beast::get_lowest_layer(s).expires_never();
  if (ec) {
    ex.error = "read: " + ec.message();
    co_return ex;
  }
  ex.status = static_cast<int>(res.result_int());
  if (ex.status / 100 != 2)
    ex.error = "HTTP " + std::to_string(ex.status) + ": " + res.body().substr(0, 300);
  if (!res.keep_alive() && ex.error.empty()) ex.error = "server closed the keep-alive connection";
  co_return ex;
}

}  // namespace

// Server CPU over a window, two ways (see proc_stat.h): ticks from /proc/<pid>/stat (every
// thread that ever ran, 10 ms resolution) and live threads' schedstat (ns resolution).
ServerCpu cpuOf(pid_t pid) {
  ServerCpu c;
  if (pid <= 0) return c;
  if (auto t = readProcessCpu(pid)) c.ticks_s = t->total();
  if (auto s = readLiveThreadsCpuSeconds(pid)) c.sched_s = *s;
  return c;
}

ServerCpu operator-(const ServerCpu& a, const ServerCpu& b) {
  return ServerCpu{a.ticks_s - b.ticks_s,
                   a.sched_s >= 0 && b.sched_s >= 0 ? a.sched_s - b.sched_s : -1};
}

namespace {

// ----- writes -----

struct WriteConn {
  explicit WriteConn(asio::io_context& io, asio::ssl::context& tls) : stream(io, tls) {}
  Stream stream;
  beast::flat_buffer buffer;
  bool alive = false;
};

struct WriteRun {
  const Target* target;
  const WriteOptions* options;
  uint64_t next = 0;  // single-threaded io_context: plain counters
  uint64_t completed = 0;
  uint64_t errors = 0;
  std::string first_error;
  bool timed_out = false;
  Clock::time_point deadline;
  std::vector<double> latencies_us;

  void fail(const std::string& e) {
    ++errors;
    if (first_error.empty()) first_error = e;
  }
};

constexpr uint64_t kMaxWriteErrors = 20;

awaitable<void> connectWriter(WriteRun& run, WriteConn& c) {
  try {
    co_await connectTls(c.stream, *run.target);
    c.alive = true;
  } catch (const std::exception& e) {
    run.fail(std::string("connect: ") + e.what());
  }
}

awaitable<void> warmupWriter(WriteRun& run, WriteConn& c, int index, uint64_t n) {
  for (uint64_t i = 0; i < n && c.alive; ++i) {
    auto req = createRequest(*run.target, "warm-" + std::to_string(index) + "-" + std::to_string(i),
                             run.options->object_bytes);
    Exchange ex = co_await roundTrip(c.stream, c.buffer, req);
    if (!ex.error.empty()) {
      run.fail("warm-up: " + ex.error);
      c.alive = false;
    }
  }
}

awaitable<void> measuredWriter(WriteRun& run, WriteConn& c) {
  while (c.alive && run.errors < kMaxWriteErrors) {
    if (run.next >= run.options->count) break;
    if (Clock::now() >= run.deadline) {
      run.timed_out = true;
      break;
    }
    uint64_t i = run.next++;
    auto req = createRequest(*run.target, "w-" + std::to_string(i), run.options->object_bytes);
    auto t0 = Clock::now();
    Exchange ex = co_await roundTrip(c.stream, c.buffer, req);
    auto t1 = Clock::now();
    if (!ex.error.empty()) {
      run.fail(ex.error);
      c.alive = ex.status != 0;  // an HTTP error keeps the connection; an I/O error does not
      continue;
    }
    ++run.completed;
    run.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
  }
}

// Runs the coroutines to completion on `io` (one thread: this one).
template <typename MakeTask>
void runAll(asio::io_context& io, std::vector<std::unique_ptr<WriteConn>>& conns, MakeTask make) {
  for (std::size_t i = 0; i < conns.size(); ++i) asio::co_spawn(io, make(i), asio::detached);
  io.restart();
  io.run();
}

// ----- watch fan-out -----

struct Watcher {
  Watcher(asio::io_context& io, asio::ssl::context& tls, std::size_t events)
      : stream(io, tls), recv_ns(events + 1, -1) {}
  Stream stream;
  beast::flat_buffer buffer;
  LineSplitter lines;
  std::vector<int64_t> recv_ns;  // by sequence number; -1 until delivered
  std::vector<uint64_t> seqs;    // scratch
  bool failed = false;
};

struct WatchRun {
  const Target* target;
  const WatchOptions* options;
  std::vector<std::unique_ptr<Watcher>> watchers;
  std::atomic<int> next_to_connect{0};
  std::atomic<int> ready{0};
  std::atomic<int> failed{0};
  std::atomic<int> synced{0};          // watchers that have seen event 0
  std::atomic<uint64_t> delivered{0};  // measured deliveries (events 1..K)
  std::atomic<bool> stopping{false};
  std::string first_error;  // written by the watcher thread only
  std::atomic<uint64_t> dropped_lines{0};
};

awaitable<void> readStream(WatchRun& run, Watcher& w,
                           std::unique_ptr<http::response_parser<http::empty_body>> parser) {
  // Everything after the header: chunk bodies go to the callback, which stamps the time the
  // bytes were read and scans complete lines for benchmark sequence numbers.
  beast::error_code ec;
  co_await http::async_read(w.stream, w.buffer, *parser, asio::redirect_error(use_awaitable, ec));
  if (!run.stopping.load()) {
    w.failed = true;
    run.failed.fetch_add(1);
    if (run.first_error.empty())
      run.first_error = "watch stream ended: " + (ec ? ec.message() : std::string("end of body"));
  }
}

awaitable<void> connectWatchers(WatchRun& run, asio::io_context& io) {
  const Target& t = *run.target;
  const auto kind = t.api;
  while (true) {
    int index = run.next_to_connect.fetch_add(1);
    if (index >= static_cast<int>(run.watchers.size()) || run.stopping.load()) co_return;
    Watcher& w = *run.watchers[static_cast<std::size_t>(index)];
    auto parser = std::make_unique<http::response_parser<http::empty_body>>();
    parser->body_limit(boost::none);
    // The callback lives in the parser's frame for as long as the parser; Beast keeps a
    // reference to it, so it is stored next to the parser.
    struct Callback {
      WatchRun* run;
      Watcher* w;
      Api kind;
      std::string prefix;  // names (Kubernetes) or keys (etcd) of measured objects
      std::size_t operator()(std::uint64_t, std::string_view body, beast::error_code&) {
        const int64_t now = nowNs();
        w->lines.feed(body, [&](std::string_view line) {
          w->seqs.clear();
          if (kind == Api::kKubernetes) {
            appendKubernetesWatchSeqs(line, prefix, w->seqs);
          } else {
            appendEtcdWatchSeqs(line, prefix, w->seqs);
          }
          for (uint64_t seq : w->seqs) {
            if (seq >= w->recv_ns.size() || w->recv_ns[seq] >= 0) continue;
            w->recv_ns[seq] = now;
            if (seq == 0) {
              run->synced.fetch_add(1);
            } else {
              run->delivered.fetch_add(1);
            }
          }
        });
        return body.size();
      }
    };
    auto callback = std::make_shared<Callback>(Callback{
        &run, &w, kind, kind == Api::kKubernetes ? std::string("w-") : registryKey(t, "w-")});
    parser->on_chunk_body(*callback);
    try {
      co_await connectTls(w.stream, t);
      auto req = watchRequest(t);
      beast::get_lowest_layer(w.stream).expires_after(kIoTimeout);
      co_await http::async_write(w.stream, req, use_awaitable);
      co_await http::async_read_header(w.stream, w.buffer, *parser, use_awaitable);
      beast::get_lowest_layer(w.stream).expires_never();
      if (parser->get().result_int() != 200 || !parser->chunked()) {
        throw std::runtime_error("watch answered HTTP " +
                                 std::to_string(parser->get().result_int()) +
                                 (parser->chunked() ? "" : " without chunked encoding"));
      }
      run.ready.fetch_add(1);
      asio::co_spawn(
          io,
          [](WatchRun& r, Watcher& wr, std::unique_ptr<http::response_parser<http::empty_body>> p,
             std::shared_ptr<Callback> cb) -> awaitable<void> {
            co_await readStream(r, wr, std::move(p));
            (void)cb;  // keeps the callback alive as long as the parser that refers to it
          }(run, w, std::move(parser), callback),
          asio::detached);
    } catch (const std::exception& e) {
      w.failed = true;
      run.failed.fetch_add(1);
      if (run.first_error.empty()) run.first_error = std::string("watch connect: ") + e.what();
    }
  }
}

// Waits, polling every millisecond, until pred() or the deadline; returns pred().
template <typename Pred>
awaitable<bool> waitFor(asio::steady_timer& timer, Clock::time_point deadline, Pred pred) {
  while (!pred()) {
    if (Clock::now() >= deadline) co_return pred();
    timer.expires_after(std::chrono::milliseconds(1));
    co_await timer.async_wait(use_awaitable);
  }
  co_return true;
}

struct WriterResult {
  std::vector<int64_t> send_ns, ack_ns;
  uint64_t errors = 0;
  std::string first_error;
  std::string phase_failed;  // which wait timed out, if one did
  ServerCpu server_cpu;
  double client_cpu_s = 0, measured_s = 0;
};

awaitable<void> writer(WatchRun& run, asio::io_context& io, asio::ssl::context& tls,
                       Clock::time_point deadline, WriterResult& out) {
  const Target& t = *run.target;
  const WatchOptions& o = *run.options;
  const int total = static_cast<int>(run.watchers.size());
  out.send_ns.assign(static_cast<std::size_t>(o.events) + 1, -1);
  out.ack_ns.assign(static_cast<std::size_t>(o.events) + 1, -1);
  asio::steady_timer timer(io);

  if (!co_await waitFor(timer, deadline, [&] { return run.ready + run.failed >= total; })) {
    out.phase_failed = "connecting watchers";
    co_return;
  }
  if (run.failed > 0) {
    out.phase_failed = "connecting watchers";
    co_return;
  }
  Stream stream(io, tls);
  beast::flat_buffer buffer;
  try {
    co_await connectTls(stream, t);
  } catch (const std::exception& e) {
    out.first_error = std::string("writer connect: ") + e.what();
    out.phase_failed = "writer connect";
    co_return;
  }
  auto write = [&](uint64_t seq) -> awaitable<bool> {
    auto req = createRequest(t, "w-" + std::to_string(seq), o.object_bytes);
    out.send_ns[seq] = nowNs();
    Exchange ex = co_await roundTrip(stream, buffer, req);
    out.ack_ns[seq] = nowNs();
    if (!ex.error.empty()) {
      ++out.errors;
      if (out.first_error.empty()) out.first_error = ex.error;
      co_return false;
    }
    co_return true;
  };

  // Event 0 proves every watch is registered server-side before anything is measured.
  if (!co_await write(0) ||
      !co_await waitFor(timer, deadline, [&] { return run.synced + run.failed >= total; }) ||
      run.failed > 0) {
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
    co_await write(static_cast<uint64_t>(seq));
  }
  const uint64_t expected = static_cast<uint64_t>(total) * static_cast<uint64_t>(o.events);
  if (!co_await waitFor(timer, deadline, [&] { return run.delivered >= expected; }) &&
      out.phase_failed.empty())
    out.phase_failed = "waiting for deliveries (deadline)";
  out.measured_s = std::chrono::duration<double>(Clock::now() - start).count();
  out.server_cpu = cpuOf(t.server_pid) - cpu0;
  out.client_cpu_s = selfCpu().total() - self0.total();
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().close(ec);
}

}  // namespace

nlohmann::json runWrites(const Target& target, const WriteOptions& options) {
  if (options.concurrency < 1) throw std::runtime_error("concurrency must be >= 1");
  auto tls = makeTlsContext(target);
  asio::io_context io(1);
  WriteRun run;
  run.target = &target;
  run.options = &options;
  run.latencies_us.reserve(options.count);

  std::vector<std::unique_ptr<WriteConn>> conns;
  for (int i = 0; i < options.concurrency; ++i)
    conns.push_back(std::make_unique<WriteConn>(io, *tls));

  runAll(io, conns, [&](std::size_t i) { return connectWriter(run, *conns[i]); });
  const uint64_t per_conn = (options.warmup + conns.size() - 1) / conns.size();
  runAll(io, conns, [&](std::size_t i) {
    return warmupWriter(run, *conns[i], static_cast<int>(i), per_conn);
  });
  const uint64_t warmup_errors = run.errors;

  const ServerCpu cpu0 = cpuOf(target.server_pid);
  const CpuTimes self0 = selfCpu();
  const auto start = Clock::now();
  run.deadline = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(options.max_seconds));
  runAll(io, conns, [&](std::size_t i) { return measuredWriter(run, *conns[i]); });
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  const ServerCpu server_cpu = cpuOf(target.server_pid) - cpu0;
  const double client_cpu = selfCpu().total() - self0.total();

  for (auto& c : conns) {
    beast::error_code ec;
    beast::get_lowest_layer(c->stream).socket().close(ec);
  }

  nlohmann::json out;
  out["tool"] = "writes";
  out["api"] = target.api == Api::kKubernetes ? "kubernetes" : "etcd-gateway";
  out["concurrency"] = options.concurrency;
  out["count_target"] = options.count;
  out["completed"] = run.completed;
  out["errors"] = run.errors;
  out["warmup_errors"] = warmup_errors;
  out["first_error"] = run.first_error;
  out["timed_out"] = run.timed_out;
  out["elapsed_s"] = elapsed;
  out["server_cpu_s"] = server_cpu.ticks_s;
  out["server_cpu_sched_s"] = server_cpu.sched_s;
  out["client_cpu_s"] = client_cpu;
  out["object_bytes"] = options.object_bytes;
  out["latencies_us"] = run.latencies_us;
  return out;
}

nlohmann::json runWatchFanout(const Target& target, const WatchOptions& options) {
  if (options.watchers < 1 || options.events < 1)
    throw std::runtime_error("watchers and events must be >= 1");
  auto tls = makeTlsContext(target);
  const auto begin = Clock::now();
  const auto deadline = begin + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.max_seconds));

  asio::io_context watch_io(1);
  WatchRun run;
  run.target = &target;
  run.options = &options;
  for (int i = 0; i < options.watchers; ++i) {
    run.watchers.push_back(
        std::make_unique<Watcher>(watch_io, *tls, static_cast<std::size_t>(options.events)));
  }
  for (int i = 0; i < std::min(options.connect_parallelism, options.watchers); ++i)
    asio::co_spawn(watch_io, connectWatchers(run, watch_io), asio::detached);
  std::thread watch_thread([&] { watch_io.run(); });

  // The writer has its own thread and io_context so its acknowledgement timestamps are not
  // queued behind the fan-in of W streams (both threads share the client's CPU, though).
  asio::io_context write_io(1);
  WriterResult wr;
  asio::co_spawn(write_io, writer(run, write_io, *tls, deadline, wr), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      if (wr.first_error.empty()) wr.first_error = std::string("writer: ") + ex.what();
      if (wr.phase_failed.empty()) wr.phase_failed = "writer exception";
    }
  });
  write_io.run();

  // Tear down: close every watch socket on the watcher thread; the readers then finish.
  run.stopping = true;
  asio::post(watch_io, [&] {
    for (auto& w : run.watchers) {
      beast::error_code ec;
      beast::get_lowest_layer(w->stream).socket().close(ec);
    }
  });
  watch_thread.join();

  std::vector<double> lat_ack, lat_send;
  lat_ack.reserve(static_cast<std::size_t>(options.watchers) *
                  static_cast<std::size_t>(options.events));
  lat_send.reserve(lat_ack.capacity());
  uint64_t missing = 0;
  for (auto& w : run.watchers) {
    run.dropped_lines += w->lines.droppedLines();
    for (int seq = 1; seq <= options.events; ++seq) {
      auto s = static_cast<std::size_t>(seq);
      if (w->recv_ns[s] < 0 || wr.ack_ns[s] < 0) {
        ++missing;
        continue;
      }
      lat_ack.push_back(static_cast<double>(w->recv_ns[s] - wr.ack_ns[s]) / 1e3);
      lat_send.push_back(static_cast<double>(w->recv_ns[s] - wr.send_ns[s]) / 1e3);
    }
  }

  nlohmann::json out;
  out["tool"] = "watch";
  out["api"] = target.api == Api::kKubernetes ? "kubernetes" : "etcd-gateway";
  out["watchers"] = options.watchers;
  out["events"] = options.events;
  out["interval_ms"] = options.interval_ms;
  out["ready"] = run.ready.load();
  out["failed_watchers"] = run.failed.load();
  out["deliveries_expected"] =
      static_cast<uint64_t>(options.watchers) * static_cast<uint64_t>(options.events);
  out["delivered"] = lat_ack.size();
  out["missing"] = missing;
  out["dropped_lines"] = run.dropped_lines.load();
  out["write_errors"] = wr.errors;
  out["first_error"] = !wr.first_error.empty() ? wr.first_error : run.first_error;
  out["phase_failed"] = wr.phase_failed;
  out["measured_s"] = wr.measured_s;
  out["total_s"] = std::chrono::duration<double>(Clock::now() - begin).count();
  out["server_cpu_s"] = wr.server_cpu.ticks_s;
  out["server_cpu_sched_s"] = wr.server_cpu.sched_s;
  out["client_cpu_s"] = wr.client_cpu_s;
  out["latencies_ack_us"] = lat_ack;
  out["latencies_send_us"] = lat_send;
  return out;
}

}  // namespace ferry::bench
