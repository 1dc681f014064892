// Domain names in uncompressed wire form ("\3www\7example\3com\0" without the final root byte
// kept implicit: every name here ends with its zero-length root label). Wire form is the key of
// the zone's name table: it is unambiguous (a label may hold a '.') and what queries carry.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ferry::dns {

// Why a name could not be read from a message.
enum class NameError {
  kNone,
  kTruncated,     // ran past the end of the message
  kLabelTooLong,  // RFC 1035 §2.3.4
  kNameTooLong,   // RFC 1035 §2.3.4
  kBadLabelType,  // 0x40/0x80 label types (RFC 6891 §5 deprecates extended labels)
  kBadPointer,    // forward or self pointer, or too many hops: refuse rather than loop
};

// Reads a possibly compressed name starting at `offset` of `message` into `out` (uncompressed
// wire form, at most kMaxNameLength bytes). `next` receives the offset just past the name as it
// appears at `offset` (i.e. past the first pointer, if any). Allocation-free.
NameError readName(std::span<const uint8_t> message, size_t offset, std::span<uint8_t> out,
                   size_t& out_length, size_t& next);

// ASCII lower-casing of a wire name (labels only; length bytes are < 64 so never letters).
void lowerName(std::span<const uint8_t> name, std::span<uint8_t> out);
std::string lowerName(std::string_view name);

// Compares wire names ignoring ASCII case (RFC 4343).
bool namesEqualIgnoreCase(std::string_view a, std::string_view b);

// "web.default.svc.cluster.local" (trailing dot optional) -> wire form. Empty or "." is the
// root. nullopt for empty labels, labels over 63 bytes or names over 255 bytes.
std::optional<std::string> nameFromText(std::string_view text);

// Wire form -> dotted text with a trailing dot, for logs and tests.
std::string nameToText(std::string_view wire);

// Appends one label to a name under construction (without its root byte). False if too long.
bool appendLabel(std::string& wire_without_root, std::string_view label);

// True if `name` equals `zone` or ends with it on a label boundary (both wire, lower case).
bool isSubdomain(std::string_view name, std::string_view zone);

// Offsets of the labels of a wire name, walked from the left: calls f(offset) for each label
// start, including the final root label.
template <class F>
void forEachLabelOffset(std::string_view wire, F&& f) {
  size_t i = 0;
  while (i < wire.size()) {
    f(i);
    const auto len = static_cast<uint8_t>(wire[i]);
    if (len == 0) break;
    i += 1 + len;
  }
}

}  // namespace ferry::dns
