#include "ferry/api/label_selector.h"

#include <algorithm>
#include <optional>

#include "ferry/api/field_error_builders.h"
#include "ferry/api/names.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// strconv.ParseInt(s, 10, 64).
std::optional<int64_t> parseInt64(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  uint64_t value = 0;
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (limit - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (negative) return value == (uint64_t{1} << 63) ? INT64_MIN : -static_cast<int64_t>(value);
  return static_cast<int64_t>(value);
}

const std::string* labelValue(const json& labels, const std::string& key) {
  if (!labels.is_object()) return nullptr;
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) return nullptr;
  return &it->get_ref<const std::string&>();
}

// --- lexer (pkg/labels/selector.go) ---

enum class Tok {
  kError,
  kEnd,
  kClosedPar,
  kComma,
  kDoesNotExist,
  kDoubleEquals,
  kEquals,
  kGreaterThan,
  kIdentifier,
  kIn,
  kLessThan,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string lit;
};

std::optional<Tok> keyword(std::string_view s) {
  if (s == ")") return Tok::kClosedPar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kDoesNotExist;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreaterThan;
  if (s == "in") return Tok::kIn;
  if (s == "<") return Tok::kLessThan;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "notin") return Tok::kNotIn;
  if (s == "(") return Tok::kOpenPar;
  return std::nullopt;
}

bool isWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
bool isSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::vector<Item> scan(std::string_view in) {
  std::vector<Item> items;
  size_t pos = 0;
  // A NUL byte ends the input, as in the Go lexer.
  auto at = [&](size_t i) { return i < in.size() ? in[i] : '\0'; };
  while (true) {
    while (isWhitespace(at(pos))) ++pos;
    char c = at(pos);
    if (c == '\0') {
      items.push_back({Tok::kEnd, ""});
      return items;
    }
    if (isSpecial(c)) {
      // Longest run of special characters that still spells a token ("!=" over "!").
      std::string buf;
      std::optional<Item> last;
      while (isSpecial(at(pos))) {
        buf += at(pos);
        if (auto t = keyword(buf)) {
          last = Item{*t, buf};
        } else if (last) {
          break;
        }
        ++pos;
      }
      if (!last) {
        items.push_back({Tok::kError, "error expected: keyword found '" + buf + "'"});
        items.push_back({Tok::kEnd, ""});
        return items;
      }
      items.push_back(std::move(*last));
      continue;
    }
    std::string buf;
    while (at(pos) != '\0' && !isSpecial(at(pos)) && !isWhitespace(at(pos))) buf += in[pos++];
    if (auto t = keyword(buf)) {
      items.push_back({*t, buf});
    } else {
      items.push_back({Tok::kIdentifier, buf});
    }
  }
}

// --- parser ---

class Parser {
 public:
  explicit Parser(std::string_view text) : items_(scan(text)) {}

  Result<std::vector<LabelRequirement>> parse() {
    std::vector<LabelRequirement> out;
    while (true) {
      Item look = lookahead(true);
      switch (look.tok) {
        case Tok::kIdentifier:
        case Tok::kDoesNotExist: {
          auto r = parseRequirement();
          if (!r) return Error{"unable to parse requirement: " + r.error()};
          out.push_back(std::move(*r));
          Item next = consume(true);
          if (next.tok == Tok::kEnd) return out;
          if (next.tok == Tok::kComma) {
            Item after = lookahead(true);
            if (after.tok != Tok::kIdentifier && after.tok != Tok::kDoesNotExist) {
              return Error{"found '" + after.lit + "', expected: identifier after ','"};
            }
            continue;
          }
          return Error{"found '" + next.lit + "', expected: ',' or 'end of string'"};
        }
        case Tok::kEnd:
          return out;
        default:
          return Error{"found '" + look.lit + "', expected: !, identifier, or 'end of string'"};
      }
    }
  }

 private:
  // In the Values context "in" and "notin" are plain identifiers (a key or value may be "in").
  Item lookahead(bool values) const {
    Item it = items_[std::min(pos_, items_.size() - 1)];
    if (values && (it.tok == Tok::kIn || it.tok == Tok::kNotIn)) it.tok = Tok::kIdentifier;
    return it;
  }
  Item consume(bool values) {
    Item it = lookahead(values);
    if (pos_ + 1 < items_.size()) ++pos_;
    return it;
  }

  Result<LabelRequirement> parseRequirement() {
    SelectorOperator op = SelectorOperator::kExists;
    bool negated = false;
    Item key = consume(true);
    if (key.tok == Tok::kDoesNotExist) {
      negated = true;
      key = consume(true);
    }
    if (key.tok != Tok::kIdentifier) return Error{"found '" + key.lit + "', expected: identifier"};
    if (auto msgs = isQualifiedName(key.lit); !msgs.empty()) {
      return Error{describeAll("key", key.lit, msgs)};
    }
    Tok next = lookahead(true).tok;
    bool bare = next == Tok::kEnd || next == Tok::kComma;
    if (negated || bare) {
      return makeLabelRequirement(
          key.lit, negated ? SelectorOperator::kDoesNotExist : SelectorOperator::kExists, {});
    }
    Item opTok = consume(false);
    switch (opTok.tok) {
      case Tok::kIn:
        op = SelectorOperator::kIn;
        break;
      case Tok::kNotIn:
        op = SelectorOperator::kNotIn;
        break;
      case Tok::kEquals:
        op = SelectorOperator::kEquals;
        break;
      case Tok::kDoubleEquals:
        op = SelectorOperator::kDoubleEquals;
        break;
      case Tok::kNotEquals:
        op = SelectorOperator::kNotEquals;
        break;
      case Tok::kGreaterThan:
        op = SelectorOperator::kGreaterThan;
        break;
      case Tok::kLessThan:
        op = SelectorOperator::kLessThan;
        break;
      default:
        return Error{"found '" + opTok.lit + "', expected: in, notin, =, ==, !=, gt, lt"};
    }
    std::vector<std::string> values;
    if (op == SelectorOperator::kIn || op == SelectorOperator::kNotIn) {
      auto v = parseValues();
      if (!v) return Error{v.error()};
      values = std::move(*v);
    } else {
      Item v = lookahead(true);
      if (v.tok == Tok::kEnd || v.tok == Tok::kComma) {
        values.emplace_back();  // "a=" selects a == ""
      } else if (consume(true).tok == Tok::kIdentifier) {
        values.push_back(v.lit);
      } else {
        return Error{"found '" + v.lit + "', expected: identifier"};
      }
    }
    return makeLabelRequirement(key.lit, op, std::move(values));
  }

  Result<std::vector<std::string>> parseValues() {
    Item open = consume(true);
    if (open.tok != Tok::kOpenPar) return Error{"found '" + open.lit + "' expected: '('"};
    Item look = lookahead(true);
    if (look.tok == Tok::kClosedPar) {
      consume(true);
      return std::vector<std::string>{""};  // "()" is the set {""}
    }
    if (look.tok != Tok::kIdentifier && look.tok != Tok::kComma) {
      return Error{"found '" + look.lit + "', expected: ',', ')' or identifier"};
    }
    std::vector<std::string> values;
    // parseIdentifiersList: empty elements ("(,a)", "(a,,b)", "(a,)") stand for "".
    while (true) {
      Item it = consume(true);
      if (it.tok == Tok::kIdentifier) {
        values.push_back(it.lit);
        Item after = lookahead(true);
        if (after.tok == Tok::kComma) continue;
        if (after.tok == Tok::kClosedPar) break;
        return Error{"found '" + after.lit + "', expected: ',' or ')'"};
      }
      if (it.tok == Tok::kComma) {
        if (values.empty()) values.emplace_back();
        Item after = lookahead(true);
        if (after.tok == Tok::kClosedPar) {
          values.emplace_back();
          break;
        }
        if (after.tok == Tok::kComma) {
          consume(true);
          values.emplace_back();
        }
        continue;
      }
      return Error{"found '" + it.lit + "', expected: ',', or identifier"};
    }
    Item close = consume(true);
    if (close.tok != Tok::kClosedPar) return Error{"found '" + close.lit + "', expected: ')'"};
    return values;
  }

  static std::string describeAll(const std::string& path, const std::string& value,
                                 const NameMessages& msgs) {
    std::string joined;
    for (const auto& m : msgs) joined += (joined.empty() ? "" : "; ") + m;
    return field::describe(field::invalid(path, value, joined));
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

std::string joinValues(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i > 0 ? "," : "") + v[i];
  return out;
}

}  // namespace

Result<LabelRequirement> makeLabelRequirement(std::string key, SelectorOperator op,
                                              std::vector<std::string> values) {
  FieldErrors errs;
  auto join = [](const NameMessages& msgs) {
    std::string out;
    for (const auto& m : msgs) out += (out.empty() ? "" : "; ") + m;
    return out;
  };
  if (auto msgs = isQualifiedName(key); !msgs.empty()) {
    errs.push_back(field::invalid("key", key, join(msgs)));
  }
  // %#v of the []string kube holds: nil when no values were given.
  std::string vals = values.empty() ? "[]string(nil)" : field::goStringSlice(values);
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) {
        errs.push_back(field::invalidGo("values", vals,
                                        "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(field::invalidGo("values", vals,
                                        "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(field::invalidGo("values", vals,
                                        "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) {
        errs.push_back(field::invalidGo("values", vals,
                                        "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!parseInt64(values[i])) {
          errs.push_back(field::invalid(field::index("values", i), values[i],
                                        "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (auto msgs = isValidLabelValue(values[i]); !msgs.empty()) {
      errs.push_back(
          field::invalid(field::key(field::index("values", i), key), values[i], join(msgs)));
    }
  }
  if (!errs.empty()) {
    // utilerrors.Aggregate: one error bare, several as "[a, b]".
    if (errs.size() == 1) return Error{field::describe(errs.front())};
    std::string msg = "[";
    for (size_t i = 0; i < errs.size(); ++i) msg += (i > 0 ? ", " : "") + field::describe(errs[i]);
    return Error{msg + "]"};
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return LabelRequirement{std::move(key), op, std::move(values)};
}

bool LabelRequirement::matches(const json& labels) const {
  const std::string* have = labelValue(labels, key);
  auto in = [&] {
    return have != nullptr && std::binary_search(values.begin(), values.end(), *have);
  };
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return in();
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !in();
    case SelectorOperator::kExists:
      return have != nullptr;
    case SelectorOperator::kDoesNotExist:
      return have == nullptr;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (have == nullptr || values.size() != 1) return false;
      auto lhs = parseInt64(*have);
      auto rhs = parseInt64(values.front());
      if (!lhs || !rhs) return false;
      return op == SelectorOperator::kGreaterThan ? *lhs > *rhs : *lhs < *rhs;
    }
  }
  return false;
}

std::string LabelRequirement::toString() const {
  switch (op) {
    case SelectorOperator::kExists:
      return key;
    case SelectorOperator::kDoesNotExist:
      return "!" + key;
    case SelectorOperator::kEquals:
      return key + "=" + joinValues(values);
    case SelectorOperator::kDoubleEquals:
      return key + "==" + joinValues(values);
    case SelectorOperator::kNotEquals:
      return key + "!=" + joinValues(values);
    case SelectorOperator::kIn:
      return key + " in (" + joinValues(values) + ")";
    case SelectorOperator::kNotIn:
      return key + " notin (" + joinValues(values) + ")";
    case SelectorOperator::kGreaterThan:
      return key + ">" + joinValues(values);
    case SelectorOperator::kLessThan:
      return key + "<" + joinValues(values);
  }
  return key;
}

LabelSelector LabelSelector::nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  auto reqs = Parser(text).parse();
  if (!reqs) return Error{reqs.error()};
  LabelSelector s;
  s.requirements_ = std::move(*reqs);
  std::stable_sort(s.requirements_.begin(), s.requirements_.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  return s;
}

Result<LabelSelector> LabelSelector::fromJson(const json& selector) {
  if (selector.is_null()) return nothing();
  if (!selector.is_object()) return Error{"a label selector must be an object"};
  LabelSelector s;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && !ml->is_null()) {
    if (!ml->is_object()) return Error{"matchLabels must be an object of strings"};
    for (const auto& [k, v] : ml->items()) {
      if (!v.is_string()) return Error{"matchLabels[" + k + "] must be a string"};
      auto r = makeLabelRequirement(k, SelectorOperator::kEquals, {v.get<std::string>()});
      if (!r) return Error{r.error()};
      s.requirements_.push_back(std::move(*r));
    }
  }
  if (auto me = selector.find("matchExpressions"); me != selector.end() && !me->is_null()) {
    if (!me->is_array()) return Error{"matchExpressions must be a list"};
    for (const auto& expr : *me) {
      if (!expr.is_object()) return Error{"matchExpressions entries must be objects"};
      auto k = expr.find("key");
      auto o = expr.find("operator");
      if (k == expr.end() || !k->is_string()) return Error{"matchExpressions key must be a string"};
      std::string op_text = o != expr.end() && o->is_string() ? o->get<std::string>() : "";
      SelectorOperator op = SelectorOperator::kExists;
      if (op_text == "In") {
        op = SelectorOperator::kIn;
      } else if (op_text == "NotIn") {
        op = SelectorOperator::kNotIn;
      } else if (op_text == "Exists") {
        op = SelectorOperator::kExists;
      } else if (op_text == "DoesNotExist") {
        op = SelectorOperator::kDoesNotExist;
      } else {
        return Error{field::goQuote(op_text) + " is not a valid label selector operator"};
      }
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && !v->is_null()) {
        if (!v->is_array()) return Error{"matchExpressions values must be a list of strings"};
        for (const auto& e : *v) {
          if (!e.is_string()) return Error{"matchExpressions values must be a list of strings"};
          values.push_back(e.get<std::string>());
        }
      }
      auto r = makeLabelRequirement(k->get<std::string>(), op, std::move(values));
      if (!r) return Error{r.error()};
      s.requirements_.push_back(std::move(*r));
    }
  }
  std::stable_sort(s.requirements_.begin(), s.requirements_.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  return s;
}

bool LabelSelector::matches(const json& labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const LabelRequirement& r) { return r.matches(labels); });
}

bool LabelSelector::matchesObject(const json& obj) const {
  static const json kNoLabels = json::object();
  if (obj.is_object()) {
    auto meta = obj.find("metadata");
    if (meta != obj.end() && meta->is_object()) {
      auto labels = meta->find("labels");
      if (labels != meta->end()) return matches(*labels);
    }
  }
  return matches(kNoLabels);
}

std::string LabelSelector::toString() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    out += (i > 0 ? "," : "") + requirements_[i].toString();
  }
  return out;
}

}  // namespace ferry::api
