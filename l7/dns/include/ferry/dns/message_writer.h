// Builds a response into a caller-owned buffer with name compression and a size limit. No
// allocation: the compression table is a fixed array of (offset, suffix) pairs whose suffixes
// point into names that outlive the writer (the query and the zone snapshot).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "ferry/dns/record.h"
#include "ferry/dns/wire_types.h"

namespace ferry::dns {

enum class Section { kAnswer, kAuthority, kAdditional };

class MessageWriter {
 public:
  // `limit` caps the message size (512, the client's EDNS0 size, or 65535 on TCP).
  MessageWriter(std::span<uint8_t> buffer, size_t limit);

  void writeHeader(uint16_t id, uint16_t flags);
  void setRcode(Rcode rcode);  // the low 4 bits; the rest goes in OPT
  void setFlag(uint16_t bit);

  // Each add* returns false, leaving the message as it was, when the item does not fit.
  bool addQuestion(std::string_view name, uint16_t qtype, uint16_t qclass);
  bool addRecord(Section section, std::string_view owner, const Record& record);
  // RFC 6891 §6.1.2; the extended rcode's upper bits and the version go in the TTL field.
  bool addOpt(uint16_t udp_size, uint8_t extended_rcode_high, bool dnssec_ok);

  // Drops every record, keeping header and question (for a truncated reply).
  void truncateToQuestion();
  // Space for an OPT record is reserved up front so truncation never loses it.
  void reserve(size_t bytes) { reserved_ = bytes; }

  size_t size() const { return pos_; }
  uint16_t count(Section section) const;

 private:
  bool writeName(std::string_view name);
  bool put16(uint16_t v);
  bool put32(uint32_t v);
  bool putBytes(std::string_view bytes);
  void bumpCount(size_t header_offset);
  size_t room() const;

  struct Suffix {
    uint16_t offset;
    std::string_view name;  // uncompressed wire suffix that starts at `offset`
  };
  static constexpr size_t kMaxSuffixes = 128;

  std::span<uint8_t> buf_;
  size_t limit_;
  size_t pos_ = 0;
  size_t reserved_ = 0;
  size_t question_end_ = kHeaderSize;
  size_t question_suffixes_ = 0;
  std::array<Suffix, kMaxSuffixes> suffixes_{};
  size_t suffix_count_ = 0;
};

}  // namespace ferry::dns
