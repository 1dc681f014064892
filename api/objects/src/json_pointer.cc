#include "ferry/api/json_pointer.h"

namespace ferry::api {

Result<JsonPointer> parseJsonPointer(std::string_view text) {
  JsonPointer tokens;
  if (text.empty()) return tokens;
  if (text.front() != '/') {
    return Error{"JSON pointer \"" + std::string(text) + "\" must be empty or start with '/'"};
  }
  std::string token;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (text[i] != '~') {
      token += text[i];
      continue;
    }
    // One pass decodes "~01" to "~1", as §4 requires (never to "/").
    if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
      token += text[i + 1] == '0' ? '~' : '/';
      ++i;
      continue;
    }
    return Error{"JSON pointer \"" + std::string(text) +
                 "\" has an invalid escape: '~' must be "
                 "followed by '0' or '1'"};
  }
  return tokens;
}

std::string formatJsonPointer(const JsonPointer& tokens) {
  std::string out;
  for (const auto& t : tokens) {
    out += '/';
    for (char c : t) {
      if (c == '~') {
        out += "~0";
      } else if (c == '/') {
        out += "~1";
      } else {
        out += c;
      }
    }
  }
  return out;
}

std::optional<size_t> parseArrayIndex(std::string_view token) {
  if (token.empty() || token.size() > 18) return std::nullopt;
  if (token.size() > 1 && token.front() == '0') return std::nullopt;
  size_t value = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<size_t>(c - '0');
  }
  return value;
}

const nlohmann::json* resolveJsonPointer(const nlohmann::json& doc,
                                         std::span<const std::string> tokens) {
  const nlohmann::json* cur = &doc;
  for (const auto& t : tokens) {
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      auto idx = parseArrayIndex(t);
      if (!idx || *idx >= cur->size()) return nullptr;
      cur = &(*cur)[*idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

}  // namespace ferry::api
