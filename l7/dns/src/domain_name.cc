#include "ferry/dns/domain_name.h"

#include <algorithm>
#include <cstring>

#include "ferry/dns/wire_types.h"

namespace ferry::dns {

namespace {

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

NameError readName(std::span<const uint8_t> message, size_t offset, std::span<uint8_t> out,
                   size_t& out_length, size_t& next) {
  size_t pos = offset;
  // Every pointer must point strictly before the label sequence that holds it, so positions
  // decrease with each jump and a crafted loop ends instead of spinning (RFC 1035 §4.1.4 only
  // ever needs backward pointers).
  size_t sequence_start = offset;
  bool jumped = false;
  out_length = 0;
  while (true) {
    if (pos >= message.size()) return NameError::kTruncated;
    const uint8_t len = message[pos];
    if ((len & 0xC0) == 0xC0) {
      if (pos + 1 >= message.size()) return NameError::kTruncated;
      const size_t target = (static_cast<size_t>(len & 0x3F) << 8) | message[pos + 1];
      if (!jumped) next = pos + 2;
      if (target >= sequence_start) return NameError::kBadPointer;
      pos = target;
      sequence_start = target;
      jumped = true;
      continue;
    }
    if ((len & 0xC0) != 0) return NameError::kBadLabelType;
    if (out_length + 1 + len > kMaxNameLength || out_length + 1 + len > out.size()) {
      return NameError::kNameTooLong;
    }
    if (pos + 1 + len > message.size()) return NameError::kTruncated;
    out[out_length] = len;
    std::memcpy(out.data() + out_length + 1, message.data() + pos + 1, len);
    out_length += 1 + len;
    if (len == 0) {
      if (!jumped) next = pos + 1;
      return NameError::kNone;
    }
    pos += 1 + len;
  }
}

void lowerName(std::span<const uint8_t> name, std::span<uint8_t> out) {
  const size_t n = std::min(name.size(), out.size());
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(lowerAscii(static_cast<char>(name[i])));
  }
}

std::string lowerName(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = lowerAscii(c);
  return out;
}

bool namesEqualIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

bool appendLabel(std::string& wire_without_root, std::string_view label) {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  // +1 for the root byte the finished name will carry.
  if (wire_without_root.size() + 1 + label.size() + 1 > kMaxNameLength) return false;
  wire_without_root.push_back(static_cast<char>(label.size()));
  wire_without_root.append(label);
  return true;
}

std::optional<std::string> nameFromText(std::string_view text) {
  if (!text.empty() && text.back() == '.') text.remove_suffix(1);
  std::string wire;
  while (!text.empty()) {
    const size_t dot = text.find('.');
    const std::string_view label = text.substr(0, dot);
    if (!appendLabel(wire, label)) return std::nullopt;
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
    if (text.empty()) return std::nullopt;  // "a..": an empty label
  }
  wire.push_back('\0');
  return wire;
}

std::string nameToText(std::string_view wire) {
  std::string out;
  size_t i = 0;
  while (i < wire.size()) {
    const auto len = static_cast<uint8_t>(wire[i]);
    if (len == 0 || i + 1 + len > wire.size()) break;
    out.append(wire.substr(i + 1, len));
    out.push_back('.');
    i += 1 + len;
  }
  return out.empty() ? "." : out;
}

bool isSubdomain(std::string_view name, std::string_view zone) {
  if (zone.size() > name.size()) return false;
  bool found = false;
  forEachLabelOffset(name, [&](size_t offset) {
    if (!found && name.size() - offset == zone.size() && name.substr(offset) == zone) found = true;
  });
  return found;
}

const char* rrTypeName(uint16_t type) {
  switch (type) {
    case rrtype::kA:
      return "A";
    case rrtype::kNs:
      return "NS";
    case rrtype::kCname:
      return "CNAME";
    case rrtype::kSoa:
      return "SOA";
    case rrtype::kPtr:
      return "PTR";
    case rrtype::kTxt:
      return "TXT";
    case rrtype::kAaaa:
      return "AAAA";
    case rrtype::kSrv:
      return "SRV";
    case rrtype::kIxfr:
      return "IXFR";
    case rrtype::kAxfr:
      return "AXFR";
    case rrtype::kAny:
      return "ANY";
    default:
      return "other";
  }
}

const char* rcodeName(Rcode rcode) {
  switch (rcode) {
    case Rcode::kNoError:
      return "NOERROR";
    case Rcode::kFormErr:
      return "FORMERR";
    case Rcode::kServFail:
      return "SERVFAIL";
    case Rcode::kNxDomain:
      return "NXDOMAIN";
    case Rcode::kNotImp:
      return "NOTIMP";
    case Rcode::kRefused:
      return "REFUSED";
    case Rcode::kBadVers:
      return "BADVERS";
  }
  return "other";
}

}  // namespace ferry::dns
