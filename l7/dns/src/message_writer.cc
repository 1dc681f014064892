#include "ferry/dns/message_writer.h"

#include <algorithm>
#include <cstring>

#include "ferry/dns/domain_name.h"

namespace ferry::dns {

namespace {

constexpr size_t kQdCountOffset = 4;
constexpr size_t kAnCountOffset = 6;
constexpr size_t kNsCountOffset = 8;
constexpr size_t kArCountOffset = 10;
// Compression pointers carry 14 bits of offset.
constexpr size_t kMaxPointerOffset = 0x3FFF;

size_t countOffset(Section section) {
  switch (section) {
    case Section::kAnswer:
      return kAnCountOffset;
    case Section::kAuthority:
      return kNsCountOffset;
    case Section::kAdditional:
      return kArCountOffset;
  }
  return kArCountOffset;
}

}  // namespace

MessageWriter::MessageWriter(std::span<uint8_t> buffer, size_t limit)
    : buf_(buffer), limit_(std::min({limit, buffer.size(), kMaxMessageSize})) {}

size_t MessageWriter::room() const {
  const size_t end = limit_ > reserved_ ? limit_ - reserved_ : 0;
  return end > pos_ ? end - pos_ : 0;
}

void MessageWriter::writeHeader(uint16_t id, uint16_t flags) {
  // A header always fits: every caller's limit is at least 512.
  std::memset(buf_.data(), 0, kHeaderSize);
  buf_[0] = static_cast<uint8_t>(id >> 8);
  buf_[1] = static_cast<uint8_t>(id);
  buf_[2] = static_cast<uint8_t>(flags >> 8);
  buf_[3] = static_cast<uint8_t>(flags);
  pos_ = kHeaderSize;
  question_end_ = kHeaderSize;
  suffix_count_ = 0;
  question_suffixes_ = 0;
}

void MessageWriter::setRcode(Rcode rcode) {
  buf_[3] = static_cast<uint8_t>((buf_[3] & 0xF0) | (static_cast<uint16_t>(rcode) & 0x0F));
}

void MessageWriter::setFlag(uint16_t bit) {
  buf_[2] |= static_cast<uint8_t>(bit >> 8);
  buf_[3] |= static_cast<uint8_t>(bit & 0xFF);
}

uint16_t MessageWriter::count(Section section) const {
  const size_t at = countOffset(section);
  return static_cast<uint16_t>((buf_[at] << 8) | buf_[at + 1]);
}

void MessageWriter::bumpCount(size_t at) {
  const auto v = static_cast<uint16_t>(((buf_[at] << 8) | buf_[at + 1]) + 1);
  buf_[at] = static_cast<uint8_t>(v >> 8);
  buf_[at + 1] = static_cast<uint8_t>(v);
}

bool MessageWriter::put16(uint16_t v) {
  if (room() < 2) return false;
  buf_[pos_++] = static_cast<uint8_t>(v >> 8);
  buf_[pos_++] = static_cast<uint8_t>(v);
  return true;
}

bool MessageWriter::put32(uint32_t v) {
  return put16(static_cast<uint16_t>(v >> 16)) && put16(static_cast<uint16_t>(v));
}

bool MessageWriter::putBytes(std::string_view bytes) {
  if (room() < bytes.size()) return false;
  std::memcpy(buf_.data() + pos_, bytes.data(), bytes.size());
  pos_ += bytes.size();
  return true;
}

bool MessageWriter::writeName(std::string_view name) {
  // Find the longest suffix already in the message; emit the labels before it, then a pointer.
  size_t match_at = name.size();
  uint16_t pointer = 0;
  forEachLabelOffset(name, [&](size_t offset) {
    if (match_at != name.size() || static_cast<uint8_t>(name[offset]) == 0) return;
    const std::string_view suffix = name.substr(offset);
    for (size_t i = 0; i < suffix_count_; ++i) {
      if (namesEqualIgnoreCase(suffixes_[i].name, suffix)) {
        match_at = offset;
        pointer = suffixes_[i].offset;
        return;
      }
    }
  });
  bool ok = true;
  forEachLabelOffset(name, [&](size_t offset) {
    if (!ok || offset >= match_at || static_cast<uint8_t>(name[offset]) == 0) return;
    if (pos_ <= kMaxPointerOffset && suffix_count_ < kMaxSuffixes) {
      suffixes_[suffix_count_++] = {static_cast<uint16_t>(pos_), name.substr(offset)};
    }
    const auto len = static_cast<uint8_t>(name[offset]);
    ok = putBytes(name.substr(offset, 1 + len));
  });
  if (!ok) return false;
  if (match_at == name.size()) return putBytes(std::string_view("\0", 1));
  return put16(static_cast<uint16_t>(0xC000 | pointer));
}

bool MessageWriter::addQuestion(std::string_view name, uint16_t qtype, uint16_t qclass) {
  const size_t saved = pos_;
  const size_t saved_suffixes = suffix_count_;
  if (!writeName(name) || !put16(qtype) || !put16(qclass)) {
    pos_ = saved;
    suffix_count_ = saved_suffixes;
    return false;
  }
  bumpCount(kQdCountOffset);
  question_end_ = pos_;
  question_suffixes_ = suffix_count_;
  return true;
}

bool MessageWriter::addRecord(Section section, std::string_view owner, const Record& r) {
  const size_t saved = pos_;
  const size_t saved_suffixes = suffix_count_;
  auto body = [&]() -> bool {
    if (!writeName(owner) || !put16(r.type) || !put16(rrclass::kIn) || !put32(r.ttl)) return false;
    const size_t rdlength_at = pos_;
    if (!put16(0)) return false;
    bool ok = true;
    switch (r.type) {
      case rrtype::kCname:
      case rrtype::kPtr:
      case rrtype::kNs:
        ok = writeName(r.target);
        break;
      case rrtype::kSrv:
        // RFC 2782: the SRV target is never compressed.
        ok =
            put16(r.srv_priority) && put16(r.srv_weight) && put16(r.srv_port) && putBytes(r.target);
        break;
      case rrtype::kSoa:
        ok = writeName(r.target) && writeName(r.mailbox) && putBytes(r.fixed);
        break;
      default:
        ok = putBytes(r.fixed);
        break;
    }
    if (!ok) return false;
    const size_t rdlength = pos_ - rdlength_at - 2;
    buf_[rdlength_at] = static_cast<uint8_t>(rdlength >> 8);
    buf_[rdlength_at + 1] = static_cast<uint8_t>(rdlength);
    return true;
  };
  if (!body()) {
    pos_ = saved;
    suffix_count_ = saved_suffixes;
    return false;
  }
  bumpCount(countOffset(section));
  return true;
}

bool MessageWriter::addOpt(uint16_t udp_size, uint8_t extended_rcode_high, bool dnssec_ok) {
  reserved_ = 0;
  const size_t saved = pos_;
  const uint32_t ttl = (uint32_t{extended_rcode_high} << 24) | (dnssec_ok ? kEdnsDoBit : 0);
  // Root owner, type OPT, class = our UDP payload size, TTL = ext-rcode/version/flags, no data.
  if (!putBytes(std::string_view("\0", 1)) || !put16(rrtype::kOpt) || !put16(udp_size) ||
      !put32(ttl) || !put16(0)) {
    pos_ = saved;
    return false;
  }
  bumpCount(kArCountOffset);
  return true;
}

void MessageWriter::truncateToQuestion() {
  pos_ = question_end_;
  suffix_count_ = question_suffixes_;
  for (size_t at : {kAnCountOffset, kNsCountOffset, kArCountOffset}) {
    buf_[at] = 0;
    buf_[at + 1] = 0;
  }
}

}  // namespace ferry::dns
