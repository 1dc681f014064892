#include "ferry/dns/response_cache.h"

#include <algorithm>
#include <cstring>

#include "ferry/dns/domain_name.h"

namespace ferry::dns {

namespace {

// Root owner + type + class + TTL + RDLENGTH.
constexpr size_t kOptRecordSize = 11;

uint16_t read16(std::span<const uint8_t> m, size_t at) {
  return static_cast<uint16_t>((m[at] << 8) | m[at + 1]);
}

uint32_t read32(std::span<const uint8_t> m, size_t at) {
  return (static_cast<uint32_t>(read16(m, at)) << 16) | read16(m, at + 2);
}

void write16(std::span<uint8_t> m, size_t at, uint16_t v) {
  m[at] = static_cast<uint8_t>(v >> 8);
  m[at + 1] = static_cast<uint8_t>(v);
}

void write32(std::span<uint8_t> m, size_t at, uint32_t v) {
  write16(m, at, static_cast<uint16_t>(v >> 16));
  write16(m, at + 2, static_cast<uint16_t>(v));
}

uint16_t responseFlags(const Query& client, Rcode rcode) {
  // We recurse for this client, we are not the authority, and we do not validate (AD clear).
  const uint16_t echoed = client.flags & (flag::kRd | flag::kCd | 0x7800 /* opcode */);
  return static_cast<uint16_t>(flag::kQr | flag::kRa | echoed |
                               (static_cast<uint16_t>(rcode) & 0xF));
}

size_t appendOpt(std::span<uint8_t> out, size_t pos, const Query& client, uint16_t udp_payload) {
  if (!client.has_edns || pos + kOptRecordSize > out.size()) return pos;
  out[pos] = 0;                         // root owner
  write16(out, pos + 1, rrtype::kOpt);  // type
  write16(out, pos + 3, std::max<uint16_t>(udp_payload, kClassicUdpPayload));
  write32(out, pos + 5, client.dnssec_ok ? kEdnsDoBit : 0);  // RFC 3225 §3: DO copied
  write16(out, pos + 9, 0);
  write16(out, 10, static_cast<uint16_t>(read16(out, 10) + 1));
  return pos + kOptRecordSize;
}

// Header + the client's question, no records.
size_t writeQuestionOnly(const Query& client, std::span<uint8_t> out, Rcode rcode, bool tc) {
  const size_t end = kHeaderSize + client.name_length + 4;
  write16(out, 0, client.id);
  write16(out, 2, static_cast<uint16_t>(responseFlags(client, rcode) | (tc ? flag::kTc : 0)));
  write16(out, 4, 1);
  write16(out, 6, 0);
  write16(out, 8, 0);
  write16(out, 10, 0);
  std::memcpy(out.data() + kHeaderSize, client.name.data(), client.name_length);
  write16(out, kHeaderSize + client.name_length, client.qtype);
  write16(out, kHeaderSize + client.name_length + 2, client.qclass);
  return end;
}

}  // namespace

UpstreamAnswer inspectUpstreamAnswer(std::span<const uint8_t> m, const Query& question) {
  UpstreamAnswer out;
  if (m.size() < kHeaderSize || m.size() > kMaxMessageSize) return out;
  const uint16_t flags = read16(m, 2);
  if (!(flags & flag::kQr) || ((flags >> 11) & 0xF) != kOpcodeQuery) return out;
  if (read16(m, 4) != 1) return out;
  const uint16_t ancount = read16(m, 6);
  const uint16_t nscount = read16(m, 8);
  const uint16_t arcount = read16(m, 10);

  std::array<uint8_t, kMaxNameLength> name{};
  size_t length = 0;
  size_t pos = 0;
  if (readName(m, kHeaderSize, name, length, pos) != NameError::kNone) return out;
  // The question must be ours, written out in full (never a pointer: nothing precedes it), so
  // serving can overwrite it with each client's spelling.
  if (pos != kHeaderSize + length || pos + 4 > m.size()) return out;
  if (!namesEqualIgnoreCase({reinterpret_cast<const char*>(name.data()), length},
                            question.nameWire())) {
    return out;
  }
  if (read16(m, pos) != question.qtype || read16(m, pos + 2) != question.qclass) return out;
  pos += 4;

  out.rcode = static_cast<Rcode>(flags & 0xF);
  out.truncated = (flags & flag::kTc) != 0;
  std::optional<uint32_t> min_answer_ttl;
  std::optional<uint32_t> negative_ttl;
  const uint32_t records = uint32_t{ancount} + nscount + arcount;
  size_t end = pos;
  for (uint32_t i = 0; i < records; ++i) {
    const size_t start = pos;
    size_t owner_length = 0;
    if (readName(m, pos, name, owner_length, pos) != NameError::kNone) return out;
    if (pos + 10 > m.size()) return out;
    const uint16_t type = read16(m, pos);
    const uint32_t ttl = read32(m, pos + 4);
    const uint16_t rdlength = read16(m, pos + 8);
    const size_t ttl_offset = pos + 4;
    pos += 10;
    if (pos + rdlength > m.size()) return out;
    pos += rdlength;
    if (type == rrtype::kOpt) {
      // RFC 6891 §6.1.1: one OPT in the additional section; we only strip it when it is last
      // (where every server puts it), since cutting from the middle could break pointers.
      if (i + 1 != records || i < uint32_t{ancount} + nscount) return out;
      out.size = start;
      out.had_opt = true;
      out.valid = true;
      break;
    }
    // RFC 2181 §8: a TTL with the top bit set is treated as zero.
    if (ttl & 0x80000000U) return out;
    out.ttl_offsets.push_back(static_cast<uint16_t>(ttl_offset));
    end = pos;
    if (i < ancount) {
      min_answer_ttl = std::min(min_answer_ttl.value_or(ttl), ttl);
    } else if (i < uint32_t{ancount} + nscount && type == rrtype::kSoa && rdlength >= 22) {
      // RFC 2308 §5: negative answers live for min(SOA TTL, SOA MINIMUM); MINIMUM ends RDATA.
      negative_ttl = std::min(ttl, read32(m, pos - 4));
    }
  }
  if (!out.valid) {
    out.size = end;
    out.valid = true;
  }

  if (out.truncated) return out;
  if (out.rcode == Rcode::kNoError && ancount > 0) {
    out.cache_ttl = min_answer_ttl;
  } else if (out.rcode == Rcode::kNxDomain || out.rcode == Rcode::kNoError) {
    // NXDOMAIN or NODATA; without an SOA (a referral or a lame answer) RFC 2308 §5 says do not
    // cache it.
    out.negative = true;
    out.cache_ttl = negative_ttl;
  }
  return out;
}

CachedAnswer makeCachedAnswer(std::span<const uint8_t> message, const UpstreamAnswer& inspected,
                              CacheClock::time_point now, std::chrono::seconds max_ttl) {
  CachedAnswer a;
  a.message.assign(message.begin(), message.begin() + static_cast<long>(inspected.size));
  a.ttl_offsets = inspected.ttl_offsets;
  a.rcode = inspected.rcode;
  a.stored = now;
  const auto cap = static_cast<uint32_t>(max_ttl.count());
  // The OPT (hop-by-hop, RFC 6891 §6.1.1) was cut off: one record fewer in additional.
  if (inspected.had_opt) write16(a.message, 10, static_cast<uint16_t>(read16(a.message, 10) - 1));
  for (uint16_t off : a.ttl_offsets) {
    if (read32(a.message, off) > cap) write32(a.message, off, cap);
  }
  const uint32_t ttl = std::min(inspected.cache_ttl.value_or(0), cap);
  a.expires = now + std::chrono::seconds(ttl);
  return a;
}

ServedAnswer writeCachedAnswer(const CachedAnswer& answer, const Query& client, size_t limit,
                               std::span<uint8_t> out, CacheClock::time_point now, bool stale,
                               uint16_t our_udp_payload) {
  ServedAnswer served;
  served.rcode = answer.rcode;
  const size_t opt = client.has_edns ? kOptRecordSize : 0;
  const size_t size = answer.message.size();
  if (size + opt > std::min(limit, out.size()) || size < kHeaderSize + client.name_length + 4) {
    // RFC 2181 §9: no partial RRsets; TC sends the client to TCP.
    served.size =
        appendOpt(out, writeQuestionOnly(client, out, answer.rcode, true), client, our_udp_payload);
    served.truncated = true;
    return served;
  }
  std::memcpy(out.data(), answer.message.data(), size);
  write16(out, 0, client.id);
  write16(out, 2, responseFlags(client, answer.rcode));
  // Same length as the cached question (it matched ignoring case): the client's spelling back.
  std::memcpy(out.data() + kHeaderSize, client.name.data(), client.name_length);
  const auto elapsed = static_cast<uint32_t>(std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::seconds>(now - answer.stored).count()));
  for (uint16_t off : answer.ttl_offsets) {
    const uint32_t ttl = read32(answer.message, off);
    write32(out, off, stale ? kStaleAnswerTtl : (ttl > elapsed ? ttl - elapsed : 0));
  }
  served.size = appendOpt(out, size, client, our_udp_payload);
  return served;
}

ServedAnswer writeServFail(const Query& client, std::span<uint8_t> out, uint16_t our_udp_payload) {
  ServedAnswer served;
  served.rcode = Rcode::kServFail;
  served.size = appendOpt(out, writeQuestionOnly(client, out, Rcode::kServFail, false), client,
                          our_udp_payload);
  return served;
}

std::string_view cacheKey(const Query& q, CacheKeyBuffer& buffer) {
  std::memcpy(buffer.data(), q.lower.data(), q.name_length);
  buffer[q.name_length] = static_cast<uint8_t>(q.qtype >> 8);
  buffer[q.name_length + 1] = static_cast<uint8_t>(q.qtype);
  buffer[q.name_length + 2] = static_cast<uint8_t>(q.qclass >> 8);
  buffer[q.name_length + 3] = static_cast<uint8_t>(q.qclass);
  return {reinterpret_cast<const char*>(buffer.data()), size_t{q.name_length} + 4};
}

ResponseCache::Found ResponseCache::find(std::string_view key, CacheClock::time_point now) {
  const auto it = index_.find(key);
  if (it == index_.end()) return {};
  const CachedAnswer& a = it->second->answer;
  if (now < a.expires) {
    entries_.splice(entries_.begin(), entries_, it->second);
    return {&a, State::kFresh};
  }
  if (now < a.expires + options_.serve_stale) return {&a, State::kStale};
  entries_.erase(it->second);
  index_.erase(it);
  return {};
}

void ResponseCache::insert(std::string_view key, CachedAnswer answer) {
  if (options_.max_entries == 0) return;
  if (const auto it = index_.find(key); it != index_.end()) {
    it->second->answer = std::move(answer);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  while (entries_.size() >= options_.max_entries) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  entries_.push_front(Entry{std::string(key), std::move(answer)});
  index_.emplace(entries_.front().key, entries_.begin());
}

}  // namespace ferry::dns
