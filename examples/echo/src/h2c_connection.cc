// HTTP/2 over cleartext (prior knowledge) for ferry-echo, on nghttp2's callback API. One
// reader and one writer coroutine per connection, both on the connection's strand; the writer
// sleeps on a timer the reader (and timers, and drains) cancel to wake it.
//
// Request bodies are echoed under flow control: automatic WINDOW_UPDATEs are off and bytes are
// handed back to nghttp2 (nghttp2_session_consume) only once they have been queued for sending,
// so a client that does not read its response cannot make us buffer more than a window.
// clang-format off
#include <utility>  // first: Boost 1.74's asio uses std::exchange without including it
// clang-format on

#include <nghttp2/nghttp2.h>

#include <array>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <map>
#include <vector>

#include "connections.h"
#include "ferry/runtime/log.h"

namespace ferry::echo {

namespace asio = boost::asio;
namespace beast = boost::beast;
using asio::awaitable;
using asio::use_awaitable;

namespace {

constexpr uint32_t kMaxConcurrentStreams = 256;
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 4 << 20;
constexpr size_t kWriteBatch = 64 * 1024;
constexpr size_t kMaxHeaders = 256;

nghttp2_nv header(std::string_view name, std::string_view value) {
  // NGHTTP2_NV_FLAG_NONE: nghttp2 copies both, so temporaries are fine.
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                    value.size(), NGHTTP2_NV_FLAG_NONE};
}

class H2Connection : public std::enable_shared_from_this<H2Connection> {
 public:
  H2Connection(EchoContext& context, ConnectionHook& hook, asio::ip::tcp::socket socket,
               std::string client)
      : context_(context),
        hook_(hook),
        socket_(std::move(socket)),
        wake_(socket_.get_executor()),
        writer_exit_(socket_.get_executor()),
        client_(std::move(client)) {}

  ~H2Connection() {
    if (session_) nghttp2_session_del(session_);
  }

  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  bool init(const std::optional<H2Upgrade>& upgrade);
  awaitable<void> run(beast::flat_buffer initial);

 private:
  struct Stream {
    int32_t id = 0;
    std::string method;
    std::string path;
    std::string authority;
    std::string host;  // a Host header, used when :authority is absent
    std::vector<std::pair<std::string, std::string>> headers;
    bool echo = false;           // POST/PUT to an echo path: the body streams back
    bool request_done = false;   // END_STREAM received
    bool body_complete = false;  // nothing more will be appended to `pending`
    bool deferred = false;       // the data provider is waiting for bytes
    std::string pending;         // response bytes not yet handed to nghttp2
    size_t offset = 0;
    std::unique_ptr<asio::steady_timer> delay;
  };

  static int onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t flags,
                      void* user);
  static int onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user);
  static int onDataChunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data,
                         size_t len, void* user);
  static int onStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user);
  static ssize_t readBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source*, void* user);

  Stream* find(int32_t id) {
    const auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second.get();
  }
  void onRequestHeaders(Stream& stream);
  void onRequestEnd(Stream& stream);
  void respond(Stream& stream);
  void submit(Stream& stream, int status, std::string body, std::string_view content_type);
  void resume(Stream& stream);
  std::string report(const Stream& stream) const;

  bool feed(const uint8_t* data, size_t size);
  // Everything nghttp2 wants sent, up to a batch; false on a fatal session error.
  bool produce(std::string& out);
  void notify() { wake_.cancel(); }
  static awaitable<void> writer(std::shared_ptr<H2Connection> self);

  EchoContext& context_;
  ConnectionHook& hook_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer wake_;
  asio::steady_timer writer_exit_;
  std::string client_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::unique_ptr<Stream>> streams_;
  std::vector<std::pair<int32_t, size_t>> to_consume_;
  bool closed_ = false;
  bool writer_done_ = false;
  std::array<uint8_t, 16 * 1024> read_buffer_{};
};

bool H2Connection::init(const std::optional<H2Upgrade>& upgrade) {
  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) return false;
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, onBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, onHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, onFrameRecv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, onDataChunk);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, onStreamClose);
  nghttp2_option* option = nullptr;
  if (nghttp2_option_new(&option) != 0) {
    nghttp2_session_callbacks_del(callbacks);
    return false;
  }
  nghttp2_option_set_no_auto_window_update(option, 1);
  const int rv = nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  if (rv != 0) return false;
  const std::array<nghttp2_settings_entry, 2> settings = {{
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow},
  }};
  if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) != 0)
    return false;
  if (nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow) !=
      0) {
    return false;
  }
  if (upgrade) {
    // Stream 1, half-closed (remote): the upgraded request, answered like any other.
    const auto& payload = upgrade->settings;
    if (nghttp2_session_upgrade2(session_, reinterpret_cast<const uint8_t*>(payload.data()),
                                 payload.size(), upgrade->method == "HEAD" ? 1 : 0, nullptr) != 0) {
      return false;
    }
    auto stream = std::make_unique<Stream>();
    stream->id = 1;
    stream->method = upgrade->method;
    stream->path = upgrade->target;
    stream->authority = upgrade->host;
    stream->headers = upgrade->headers;
    Stream& first = *stream;
    streams_[1] = std::move(stream);
    context_.metrics().h2c_requests.inc();
    onRequestEnd(first);
  }
  return true;
}

int H2Connection::onBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto stream = std::make_unique<Stream>();
  stream->id = frame->hd.stream_id;
  self->streams_[stream->id] = std::move(stream);
  return 0;
}

int H2Connection::onHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                           size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                           void* user) {
  auto* self = static_cast<H2Connection*>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  Stream* stream = self->find(frame->hd.stream_id);
  if (!stream) return 0;
  const std::string_view n(reinterpret_cast<const char*>(name), namelen);
  const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":method") {
    stream->method = v;
  } else if (n == ":path") {
    stream->path = v;
  } else if (n == ":authority") {
    stream->authority = v;
  } else if (!n.starts_with(':')) {
    if (stream->headers.size() >= kMaxHeaders) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    if (n == "host") stream->host = v;
    stream->headers.emplace_back(n, v);  // HTTP/2 field names arrive lowercased
  }
  return 0;
}

int H2Connection::onFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  Stream* stream = self->find(frame->hd.stream_id);
  if (!stream) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    self->onRequestHeaders(*stream);
    stream = self->find(frame->hd.stream_id);  // submitting never closes it, but be sure
  }
  if (stream && (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    self->onRequestEnd(*stream);
  }
  return 0;
}

int H2Connection::onDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id,
                              const uint8_t* data, size_t len, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  Stream* stream = self->find(stream_id);
  if (stream && stream->echo) {
    // Window credit is returned once these bytes are queued back (readBody).
    stream->pending.append(reinterpret_cast<const char*>(data), len);
    self->resume(*stream);
  } else {
    nghttp2_session_consume(session, stream_id, len);  // discarded: credit back at once
  }
  return 0;
}

int H2Connection::onStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user) {
  static_cast<H2Connection*>(user)->streams_.erase(stream_id);
  return 0;
}

ssize_t H2Connection::readBody(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                               uint32_t* data_flags, nghttp2_data_source*, void* user) {
  auto* self = static_cast<H2Connection*>(user);
  Stream* stream = self->find(stream_id);
  if (!stream) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  const size_t available = stream->pending.size() - stream->offset;
  if (available == 0 && !stream->body_complete) {
    stream->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  const size_t n = std::min(length, available);
  std::memcpy(buf, stream->pending.data() + stream->offset, n);
  stream->offset += n;
  if (stream->echo && n > 0) self->to_consume_.emplace_back(stream_id, n);
  if (stream->offset == stream->pending.size()) {
    stream->pending.clear();
    stream->offset = 0;
    if (stream->body_complete) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  }
  return static_cast<ssize_t>(n);
}

void H2Connection::resume(Stream& stream) {
  if (!stream.deferred) return;
  stream.deferred = false;
  nghttp2_session_resume_data(session_, stream.id);
}

std::string H2Connection::report(const Stream& stream) const {
  RequestView view;
  view.proto = "h2c";
  view.method = stream.method;
  view.target = stream.path;
  view.host = stream.authority.empty() ? stream.host : stream.authority;
  view.client = client_;
  view.headers = stream.headers;
  return describeRequest(context_.who(), view);
}

void H2Connection::onRequestHeaders(Stream& stream) {
  context_.metrics().h2c_requests.inc();
  if (routeFor(stream.path).kind != RouteKind::kEcho || !echoesBody(stream.method)) return;
  // The response starts now and its body follows the request's as it arrives.
  stream.echo = true;
  std::string content_type = "application/octet-stream";
  std::string content_length;
  for (const auto& [name, value] : stream.headers) {
    if (name == "content-type") content_type = value;
    if (name == "content-length") content_length = value;
  }
  std::vector<nghttp2_nv> nva = {header(":status", "200"), header("server", "ferry-echo"),
                                 header("x-pod-name", context_.who().pod),
                                 header("content-type", content_type)};
  if (!content_length.empty()) nva.push_back(header("content-length", content_length));
  nghttp2_data_provider provider{};
  provider.read_callback = readBody;
  nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), &provider);
}

void H2Connection::onRequestEnd(Stream& stream) {
  stream.request_done = true;
  if (stream.echo) {
    stream.body_complete = true;
    resume(stream);
    return;
  }
  const Route route = routeFor(stream.path);
  if (route.kind != RouteKind::kDelay) {
    respond(stream);
    return;
  }
  // The timer dies with the stream (a reset cancels it) and the connection is only weakly held.
  stream.delay = std::make_unique<asio::steady_timer>(socket_.get_executor(), route.delay);
  stream.delay->async_wait(
      [weak = weak_from_this(), id = stream.id](const boost::system::error_code& ec) {
        if (ec) return;
        auto self = weak.lock();
        if (!self) return;
        if (Stream* s = self->find(id)) {
          self->respond(*s);
          self->notify();
        }
      });
}

void H2Connection::respond(Stream& stream) {
  const Route route = routeFor(stream.path);
  switch (route.kind) {
    case RouteKind::kHealthz:
      submit(stream, 200, "ok\n", "text/plain; charset=utf-8");
      break;
    case RouteKind::kReadyz: {
      const bool ready = context_.ready();
      submit(stream, ready ? 200 : 503, ready ? "ok\n" : "not ready\n",
             "text/plain; charset=utf-8");
      break;
    }
    case RouteKind::kMetrics:
      submit(stream, 200, context_.renderMetrics(), "text/plain; version=0.0.4; charset=utf-8");
      break;
    case RouteKind::kBadRequest:
      submit(stream, 400, "want /status/<200-599> or /delay/<milliseconds>\n",
             "text/plain; charset=utf-8");
      break;
    case RouteKind::kWebSocket:
      submit(stream, 426, "/ws wants an HTTP/1.1 WebSocket upgrade\n", "text/plain; charset=utf-8");
      break;
    case RouteKind::kStatus:
      submit(stream, route.status, report(stream), "text/plain; charset=utf-8");
      break;
    case RouteKind::kDelay:
    case RouteKind::kEcho:
      submit(stream, 200, report(stream), "text/plain; charset=utf-8");
      break;
  }
}

void H2Connection::submit(Stream& stream, int status, std::string body,
                          std::string_view content_type) {
  const std::string status_text = std::to_string(status);
  const std::string length = std::to_string(body.size());
  std::vector<nghttp2_nv> nva = {header(":status", status_text), header("server", "ferry-echo"),
                                 header("x-pod-name", context_.who().pod)};
  if (!statusAllowsBody(status)) {
    nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), nullptr);
    return;
  }
  nva.push_back(header("content-type", content_type));
  nva.push_back(header("content-length", length));
  if (stream.method == "HEAD" || body.empty()) {
    nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), nullptr);
    return;
  }
  stream.pending = std::move(body);
  stream.offset = 0;
  stream.body_complete = true;
  nghttp2_data_provider provider{};
  provider.read_callback = readBody;
  nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), &provider);
}

bool H2Connection::feed(const uint8_t* data, size_t size) {
  const ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  notify();
  if (rv < 0) {
    context_.metrics().protocol_errors.inc();
    FERRY_LOG(kDebug, "h2c session error",
              {{"client", client_}, {"error", nghttp2_strerror(static_cast<int>(rv))}});
    return false;
  }
  return true;
}

bool H2Connection::produce(std::string& out) {
  for (;;) {
    while (out.size() < kWriteBatch) {
      const uint8_t* data = nullptr;
      const ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) break;
      out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
    }
    if (to_consume_.empty() || out.size() >= kWriteBatch) return true;
    // Queued for the peer: the window opens again (WINDOW_UPDATEs go out in this batch).
    for (const auto& [id, n] : to_consume_) nghttp2_session_consume(session_, id, n);
    to_consume_.clear();
  }
}

awaitable<void> H2Connection::writer(std::shared_ptr<H2Connection> self) {
  std::string out;
  boost::system::error_code ec;
  for (;;) {
    out.clear();
    if (!self->produce(out)) break;
    if (!out.empty()) {
      co_await asio::async_write(self->socket_, asio::buffer(out),
                                 asio::redirect_error(use_awaitable, ec));
      if (ec) break;
      continue;
    }
    if (self->closed_) break;
    // GOAWAY sent or received and no stream left: the session is over.
    if (!nghttp2_session_want_read(self->session_) && !nghttp2_session_want_write(self->session_))
      break;
    self->wake_.expires_at(asio::steady_timer::time_point::max());
    co_await self->wake_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  self->writer_done_ = true;
  self->closed_ = true;
  self->socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  self->socket_.cancel(ec);  // the reader's pending read ends
  self->writer_exit_.cancel();
}

awaitable<void> H2Connection::run(beast::flat_buffer initial) {
  auto self = shared_from_this();
  hook_.on_drain = [weak = weak_from_this()] {
    auto connection = weak.lock();
    if (!connection || connection->closed_) return;
    // Graceful: streams already started finish, new ones are refused (RFC 9113 §6.8).
    nghttp2_submit_goaway(connection->session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(connection->session_),
                          NGHTTP2_NO_ERROR, nullptr, 0);
    connection->notify();
  };
  asio::co_spawn(socket_.get_executor(), writer(self), asio::detached);
  if (hook_.draining()) hook_.on_drain();
  const auto first = initial.data();
  bool ok = feed(static_cast<const uint8_t*>(first.data()), first.size());
  boost::system::error_code ec;
  while (ok && !closed_) {
    const size_t n = co_await socket_.async_read_some(asio::buffer(read_buffer_),
                                                      asio::redirect_error(use_awaitable, ec));
    if (ec) break;
    ok = feed(read_buffer_.data(), n);
  }
  closed_ = true;
  notify();
  if (!writer_done_) {
    writer_exit_.expires_at(asio::steady_timer::time_point::max());
    co_await writer_exit_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
  hook_.on_drain = nullptr;
}

}  // namespace

awaitable<void> serveH2c(EchoContext& context, std::shared_ptr<ConnectionHook> hook,
                         asio::ip::tcp::socket socket, beast::flat_buffer buffer,
                         std::string client, std::optional<H2Upgrade> upgrade) {
  DrainGuard guard(*hook);
  auto connection =
      std::make_shared<H2Connection>(context, *hook, std::move(socket), std::move(client));
  if (!connection->init(upgrade)) {
    FERRY_LOG(kError, "nghttp2 session setup failed", {});
    co_return;
  }
  co_await connection->run(std::move(buffer));
}

std::optional<std::string> decodeBase64Url(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '-') v = 62;
    if (c == '_') v = 63;
    if (c == '=') break;  // tolerated, though RFC 7540 §3.2.1 says no padding
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

}  // namespace ferry::echo
