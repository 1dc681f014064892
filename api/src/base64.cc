#include "ferry/api/base64.h"

#include <cstdint>
#include <vector>

namespace ferry::api {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool isAlphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                 (static_cast<uint8_t>(bytes[i + 1]) << 8) | static_cast<uint8_t>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

Base64Check base64Check(std::string_view text) {
  // encoding/base64 StdEncoding ignores '\r' and '\n'; everything else must be a whole,
  // padded quantum.
  std::string clean;
  std::vector<size_t> offsets;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') continue;
    clean += text[i];
    offsets.push_back(i);
  }
  Base64Check r;
  size_t q = 0;
  for (; q < clean.size(); q += 4) {
    size_t pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      if (q + j >= clean.size()) {
        // An incomplete final quantum: Go reports where it starts.
        r.bad_offset = offsets[q];
        return r;
      }
      char c = clean[q + j];
      if (c == '=') {
        // Padding only in the last two places of the final quantum.
        if (j < 2 || q + 4 != clean.size()) {
          r.bad_offset = offsets[q + j];
          return r;
        }
        if (j == 2 && clean[q + 3] != '=') {
          r.bad_offset = offsets[q + j];
          return r;
        }
        ++pad;
        continue;
      }
      if (pad > 0 || !isAlphabet(c)) {
        r.bad_offset = offsets[q + j];
        return r;
      }
    }
    r.decoded_size += 3 - pad;
  }
  r.ok = true;
  return r;
}

std::optional<std::string> base64Decode(std::string_view text) {
  if (!base64Check(text).ok) return std::nullopt;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) continue;  // padding and line breaks
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string base64UrlEncode(std::string_view bytes) {
  std::string out = base64Encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> base64UrlDecode(std::string_view text) {
  std::string std_form(text);
  for (char& c : std_form) {
    if (c == '-') c = '+';
    if (c == '_') c = '/';
  }
  while (!std_form.empty() && std_form.back() == '=') std_form.pop_back();
  std_form.append((4 - std_form.size() % 4) % 4, '=');
  return base64Decode(std_form);
}

}  // namespace ferry::api
