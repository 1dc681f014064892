#include "upstream_forwarder.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <cstdlib>  // arc4random (glibc 2.36)
#include <cstring>

#include "ferry/dns/domain_name.h"

namespace ferry::dns {

namespace asio = boost::asio;

namespace {

// Several source ports per upstream so a spoofer must guess port and ID (RFC 5452 §9.2).
constexpr size_t kSocketsPerUpstream = 4;
// What we advertise upstream: the DNS Flag Day 2020 size, unfragmented on common paths.
constexpr uint16_t kUpstreamUdpPayload = 1232;

void put16(std::vector<uint8_t>& m, uint16_t v) {
  m.push_back(static_cast<uint8_t>(v >> 8));
  m.push_back(static_cast<uint8_t>(v));
}

// Our query upstream: RD (and the client's CD), the lower-case question, EDNS0 without DO
// (we do not validate, and the cache key does not include DO).
std::vector<uint8_t> upstreamQuery(const Query& q) {
  std::vector<uint8_t> m;
  m.reserve(kHeaderSize + q.name_length + 4 + 11);
  put16(m, 0);
  put16(m, static_cast<uint16_t>(flag::kRd | (q.flags & flag::kCd)));
  put16(m, 1);
  put16(m, 0);
  put16(m, 0);
  put16(m, 1);
  m.insert(m.end(), q.lower.begin(), q.lower.begin() + q.name_length);
  put16(m, q.qtype);
  put16(m, q.qclass);
  m.push_back(0);
  put16(m, rrtype::kOpt);
  put16(m, kUpstreamUdpPayload);
  put16(m, 0);
  put16(m, 0);
  put16(m, 0);
  return m;
}

bool upstreamFailed(Rcode rcode) {
  // RFC 8499 / common resolver practice: these say "try another server", not "no such name".
  return rcode == Rcode::kServFail || rcode == Rcode::kRefused || rcode == Rcode::kNotImp ||
         rcode == Rcode::kFormErr;
}

Response toResponse(const ServedAnswer& s, uint16_t qtype) {
  Response r;
  r.size = s.size;
  r.rcode = s.rcode;
  r.truncated = s.truncated;
  r.qtype = qtype;
  return r;
}

}  // namespace

std::string UpstreamEndpoint::name() const {
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(port);
}

struct UpstreamForwarder::Pending {
  explicit Pending(asio::io_context& io) : timer(io) {}
  Query client;
  size_t limit = 0;
  Done done;
  std::vector<uint8_t> request;  // ID bytes rewritten per attempt
  size_t upstream = 0;           // the one being tried
  size_t tried = 0;
  uint16_t id = 0;
  unsigned attempt = 0;  // callbacks of earlier attempts see a newer number and back off
  size_t socket = 0;     // the UDP socket the current attempt went out on
  bool on_udp = false;
  bool tcp = false;
  asio::steady_timer timer;
  std::unique_ptr<asio::ip::tcp::socket> tcp_socket;
  std::array<uint8_t, 2> tcp_length{};
  std::vector<uint8_t> tcp_in;
};

UpstreamForwarder::UpstreamForwarder(asio::io_context& io, const ForwarderOptions& options,
                                     ForwardMetrics& metrics)
    : io_(io), options_(options), metrics_(metrics), cache_(options.cache), out_(kMaxMessageSize) {
  for (size_t u = 0; u < options_.upstreams.size(); ++u) {
    const asio::ip::udp::endpoint to(options_.upstreams[u].address, options_.upstreams[u].port);
    for (size_t i = 0; i < kSocketsPerUpstream; ++i) {
      auto s = std::make_unique<UdpSocket>(io_);
      // Connected: the kernel picks a random ephemeral port and drops datagrams from anyone but
      // this upstream.
      s->socket.open(to.protocol());
      s->socket.connect(to);
      s->socket.non_blocking(true);
      s->buffer.resize(kMaxMessageSize);
      s->upstream = u;
      sockets_.push_back(std::move(s));
    }
  }
  for (size_t i = 0; i < sockets_.size(); ++i) receive(i);
}

// The sockets close with their members; pending questions die with io_'s handlers.
UpstreamForwarder::~UpstreamForwarder() = default;

void UpstreamForwarder::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  for (auto& s : sockets_) s->socket.close(ignored);
  for (auto& [raw, p] : live_) endAttempt(*p);
  live_.clear();
  udp_pending_.clear();
}

uint16_t UpstreamForwarder::freshId() const {
  // A CSPRNG ID (RFC 5452 §9.2) not already waiting for an answer.
  for (;;) {
    const auto id = static_cast<uint16_t>(arc4random());
    if (!udp_pending_.contains(id)) return id;
  }
}

ForwardStatus UpstreamForwarder::lookup(const ClientAddress& client, std::span<const uint8_t> query,
                                        Transport transport, std::span<uint8_t> out,
                                        Response& answer, Query& q, size_t& limit) {
  if (!options_.recursion_allow.contains(client)) {
    metrics_.recursionRefused();
    return ForwardStatus::kRefused;
  }
  if (parseQuery(query, q).status != ParseStatus::kOk) return ForwardStatus::kRefused;
  limit = responseLimit(q, transport, ResponderOptions{options_.max_udp_payload});

  // A hit allocates nothing: the key is built on the stack, the answer copied into `out`.
  CacheKeyBuffer key_buffer;
  const auto now = CacheClock::now();
  const auto found = cache_.find(cacheKey(q, key_buffer), now);
  if (found.state == ResponseCache::State::kFresh) {
    metrics_.cacheHit();
    answer = toResponse(
        writeCachedAnswer(*found.answer, q, limit, out, now, false, options_.max_udp_payload),
        q.qtype);
    return ForwardStatus::kAnswered;
  }
  metrics_.cacheMiss();
  return stopped_ ? ForwardStatus::kRefused : ForwardStatus::kMiss;
}

void UpstreamForwarder::start(const Query& q, size_t limit, Done done) {
  auto p = std::make_shared<Pending>(io_);
  p->client = q;
  p->limit = limit;
  p->done = std::move(done);
  p->request = upstreamQuery(q);
  live_.emplace(p.get(), p);
  startUdp(p);
}

void UpstreamForwarder::endAttempt(Pending& p) {
  boost::system::error_code ignored;
  ++p.attempt;
  p.timer.cancel();
  if (p.on_udp) {
    udp_pending_.erase(p.id);
    p.on_udp = false;
  }
  if (p.tcp_socket) {
    p.tcp_socket->close(ignored);
    p.tcp_socket.reset();
  }
}

void UpstreamForwarder::armTimer(const std::shared_ptr<Pending>& p) {
  p->timer.expires_after(options_.timeout);
  p->timer.async_wait([this, p, attempt = p->attempt](const boost::system::error_code& ec) {
    if (ec || attempt != p->attempt || stopped_) return;
    metrics_.upstreamTimeout(p->upstream);
    endAttempt(*p);
    failOver(p);
  });
}

void UpstreamForwarder::startUdp(const std::shared_ptr<Pending>& p) {
  p->tcp = false;
  p->id = freshId();
  p->request[0] = static_cast<uint8_t>(p->id >> 8);
  p->request[1] = static_cast<uint8_t>(p->id);
  p->socket = p->upstream * kSocketsPerUpstream + arc4random_uniform(kSocketsPerUpstream);
  metrics_.upstreamQuery(p->upstream, false);
  boost::system::error_code ec;
  sockets_[p->socket]->socket.send(asio::buffer(p->request), 0, ec);
  if (ec) {
    metrics_.upstreamError(p->upstream);
    ++p->attempt;
    // Fail over from a fresh handler, not recursively from here.
    asio::post(io_, [this, p] { failOver(p); });
    return;
  }
  udp_pending_.emplace(p->id, p);
  p->on_udp = true;
  armTimer(p);
}

void UpstreamForwarder::receive(size_t socket_index) {
  UdpSocket& sock = *sockets_[socket_index];
  sock.socket.async_receive(
      asio::buffer(sock.buffer),
      [this, socket_index](const boost::system::error_code& ec, size_t n) {
        if (ec == asio::error::operation_aborted || stopped_) return;
        UdpSocket& s = *sockets_[socket_index];
        // Errors here are ICMP unreachables from the connected upstream; the timer handles them.
        if (!ec && n >= kHeaderSize) {
          const auto id = static_cast<uint16_t>((s.buffer[0] << 8) | s.buffer[1]);
          const auto it = udp_pending_.find(id);
          if (it != udp_pending_.end() && it->second->socket == socket_index) {
            const auto p = it->second;
            onAnswer(p, std::span<const uint8_t>(s.buffer.data(), n), false);
          }
        }
        receive(socket_index);
      });
}

void UpstreamForwarder::startTcp(const std::shared_ptr<Pending>& p) {
  p->tcp = true;
  p->id = static_cast<uint16_t>(arc4random());
  p->request[0] = static_cast<uint8_t>(p->id >> 8);
  p->request[1] = static_cast<uint8_t>(p->id);
  metrics_.upstreamQuery(p->upstream, true);
  const UpstreamEndpoint& u = options_.upstreams[p->upstream];
  p->tcp_socket = std::make_unique<asio::ip::tcp::socket>(io_);
  armTimer(p);
  const unsigned attempt = p->attempt;
  const auto failed = [this, p, attempt](const boost::system::error_code& ec) {
    if (attempt != p->attempt || stopped_) return true;
    if (!ec) return false;
    metrics_.upstreamError(p->upstream);
    endAttempt(*p);
    failOver(p);
    return true;
  };
  p->tcp_socket->async_connect(
      {u.address, u.port}, [this, p, failed](const boost::system::error_code& connect_ec) {
        if (failed(connect_ec)) return;
        // Length prefix and query in one write (RFC 7766 §8).
        p->tcp_in.resize(2);
        p->tcp_in[0] = static_cast<uint8_t>(p->request.size() >> 8);
        p->tcp_in[1] = static_cast<uint8_t>(p->request.size());
        p->tcp_in.insert(p->tcp_in.end(), p->request.begin(), p->request.end());
        asio::async_write(
            *p->tcp_socket, asio::buffer(p->tcp_in),
            [this, p, failed](const boost::system::error_code& write_ec, size_t) {
              if (failed(write_ec)) return;
              asio::async_read(
                  *p->tcp_socket, asio::buffer(p->tcp_length),
                  [this, p, failed](const boost::system::error_code& length_ec, size_t) {
                    if (failed(length_ec)) return;
                    const size_t length = (size_t{p->tcp_length[0]} << 8) | p->tcp_length[1];
                    p->tcp_in.resize(length);
                    asio::async_read(
                        *p->tcp_socket, asio::buffer(p->tcp_in),
                        [this, p, failed](const boost::system::error_code& read_ec, size_t) {
                          if (failed(read_ec)) return;
                          const uint16_t id =
                              p->tcp_in.size() >= 2
                                  ? static_cast<uint16_t>((p->tcp_in[0] << 8) | p->tcp_in[1])
                                  : 0;
                          if (id != p->id) {
                            failed(asio::error::invalid_argument);
                            return;
                          }
                          onAnswer(p, p->tcp_in, true);
                        });
                  });
            });
      });
}

void UpstreamForwarder::onAnswer(const std::shared_ptr<Pending>& p,
                                 std::span<const uint8_t> message, bool tcp) {
  const UpstreamAnswer inspected = inspectUpstreamAnswer(message, p->client);
  // Over UDP a mismatched question under a matching ID may be a spoofing attempt: keep waiting
  // for the real answer (RFC 5452 §9.1). On TCP the connection is ours; it is just broken.
  if (!inspected.valid && !tcp) return;
  if (!inspected.valid || upstreamFailed(inspected.rcode) || (tcp && inspected.truncated)) {
    metrics_.upstreamError(p->upstream);
    endAttempt(*p);
    failOver(p);
    return;
  }
  if (inspected.truncated) {
    endAttempt(*p);
    startTcp(p);
    return;
  }
  const auto now = CacheClock::now();
  CachedAnswer answer = makeCachedAnswer(message, inspected, now, options_.cache.max_ttl);
  const ServedAnswer served =
      writeCachedAnswer(answer, p->client, p->limit, out_, now, false, options_.max_udp_payload);
  if (inspected.cache_ttl.value_or(0) > 0 && answer.expires > now) {
    CacheKeyBuffer key_buffer;
    cache_.insert(cacheKey(p->client, key_buffer), std::move(answer));
  }
  endAttempt(*p);
  finish(p, served);
}

void UpstreamForwarder::failOver(const std::shared_ptr<Pending>& p) {
  if (stopped_) return;
  if (++p->tried < options_.upstreams.size()) {
    p->upstream = (p->upstream + 1) % options_.upstreams.size();
    startUdp(p);
    return;
  }
  CacheKeyBuffer key_buffer;
  const auto now = CacheClock::now();
  const auto found = cache_.find(cacheKey(p->client, key_buffer), now);
  if (found.answer) {
    // RFC 8767 §5: every upstream failed; an expired answer beats none. (Fresh: another
    // question for the same name refreshed it meanwhile.)
    const bool stale = found.state == ResponseCache::State::kStale;
    if (stale) metrics_.staleServed();
    finish(p, writeCachedAnswer(*found.answer, p->client, p->limit, out_, now, stale,
                                options_.max_udp_payload));
    return;
  }
  metrics_.allUpstreamsFailed();
  finish(p, writeServFail(p->client, out_, options_.max_udp_payload));
}

void UpstreamForwarder::finish(const std::shared_ptr<Pending>& p, const ServedAnswer& served) {
  live_.erase(p.get());
  if (served.size > 0 && p->done)
    p->done(toResponse(served, p->client.qtype), {out_.data(), served.size});
}

}  // namespace ferry::dns
