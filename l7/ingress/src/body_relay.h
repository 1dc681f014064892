// Streams one HTTP message from one connection to another without holding its body: the
// header (already read into `parser`) is written through a serializer over the parser's own
// message, then the body moves in chunks of at most `chunk` bytes — read some, write it,
// repeat (Beast's buffer_body relay, made asynchronous). Framing is re-done by the serializer
// from the message's fields: Content-Length bodies go out as they came, chunked bodies are
// re-chunked, so a 100 MiB upload costs one chunk buffer. Beast's parser reads exactly one
// message, so bytes of a pipelined next request stay in the input buffer.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <span>

namespace ferry::ingress {

enum class RelaySide : uint8_t { kNone, kIn, kOut };

template <bool isRequest, class InStream, class OutStream>
class BodyRelay {
 public:
  using Parser = boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>;
  using Serializer = boost::beast::http::serializer<isRequest, boost::beast::http::buffer_body>;
  // Called once: the error and which side it happened on (kNone on success).
  using Done = std::function<void(boost::system::error_code, RelaySide)>;

  struct Io {
    InStream* in = nullptr;
    boost::beast::flat_buffer* in_buffer = nullptr;
    Parser* parser = nullptr;
    OutStream* out = nullptr;
    std::span<char> chunk;
    std::chrono::steady_clock::duration in_timeout{};
    std::chrono::steady_clock::duration out_timeout{};
  };

  // `keep` holds the owner (and so this relay) alive while an operation is pending.
  void start(Io io, std::shared_ptr<void> keep, Done done) {
    io_ = io;
    keep_ = std::move(keep);
    done_ = std::move(done);
    serializer_.emplace(io_.parser->get());
    io_.out->expires_after(io_.out_timeout);
    boost::beast::http::async_write_header(*io_.out, *serializer_,
                                           [this](boost::system::error_code ec, size_t) {
                                             if (ec) return finish(ec, RelaySide::kOut);
                                             step();
                                           });
  }

  // Whether the whole body reached the output (false after an error).
  bool complete() const { return serializer_ && serializer_->is_done(); }

 private:
  void step() {
    auto& body = io_.parser->get().body();
    if (io_.parser->is_done()) {
      if (serializer_->is_done()) return finish({}, RelaySide::kNone);
      body.data = nullptr;
      body.size = 0;
      body.more = false;
      return write();
    }
    body.data = io_.chunk.data();
    body.size = io_.chunk.size();
    io_.in->expires_after(io_.in_timeout);
    boost::beast::http::async_read_some(
        *io_.in, *io_.in_buffer, *io_.parser, [this](boost::system::error_code ec, size_t) {
          if (ec == boost::beast::http::error::need_buffer) ec = {};
          if (ec) return finish(ec, RelaySide::kIn);
          auto& filled = io_.parser->get().body();
          const size_t got = io_.chunk.size() - filled.size;
          if (got == 0) return step();  // only framing (a chunk header) was read
          filled.data = io_.chunk.data();
          filled.size = got;
          filled.more = !io_.parser->is_done();
          write();
        });
  }

  void write() {
    io_.out->expires_after(io_.out_timeout);
    boost::beast::http::async_write(*io_.out, *serializer_,
                                    [this](boost::system::error_code ec, size_t) {
                                      if (ec == boost::beast::http::error::need_buffer) ec = {};
                                      if (ec) return finish(ec, RelaySide::kOut);
                                      step();
                                    });
  }

  void finish(boost::system::error_code ec, RelaySide side) {
    auto done = std::move(done_);
    auto keep = std::move(keep_);
    done(ec, side);
  }

  Io io_;
  std::optional<Serializer> serializer_;
  std::shared_ptr<void> keep_;
  Done done_;
};

}  // namespace ferry::ingress
