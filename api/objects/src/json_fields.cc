#include "json_fields.h"

#include "ferry/api/field_error_builders.h"

namespace ferry::api::detail {

const json* member(const json* obj, std::string_view key) {
  if (obj == nullptr || !obj->is_object()) return nullptr;
  auto it = obj->find(key);
  if (it == obj->end() || it->is_null()) return nullptr;
  return &*it;
}

std::string stringAt(const json* obj, std::string_view key) {
  const json* v = member(obj, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

const json* memberPath(const json* obj, std::string_view dotted) {
  const json* cur = obj;
  size_t start = 0;
  while (cur != nullptr) {
    size_t dot = dotted.find('.', start);
    cur = member(cur, dotted.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return cur;
}

std::string Fields::at(std::string_view key) const {
  return field::child(path_, key);
}

std::string Fields::str(std::string_view key) const {
  return optStr(key).value_or("");
}

std::optional<std::string> Fields::optStr(std::string_view key) const {
  const json* v = raw(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    errs_->push_back(field::typeInvalid(at(key), *v, "must be a string"));
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<int64_t> Fields::int32(std::string_view key) const {
  auto v = int64(key);
  if (v && (*v < INT32_MIN || *v > INT32_MAX)) {
    errs_->push_back(field::typeInvalid(at(key), *v, "must be a 32-bit integer"));
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> Fields::int64(std::string_view key) const {
  const json* v = raw(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer() &&
      !(v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
    return v->get<int64_t>();
  }
  errs_->push_back(field::typeInvalid(at(key), *v, "must be an integer"));
  return std::nullopt;
}

std::optional<bool> Fields::boolean(std::string_view key) const {
  const json* v = raw(key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) {
    errs_->push_back(field::typeInvalid(at(key), *v, "must be a boolean"));
    return std::nullopt;
  }
  return v->get<bool>();
}

const json* Fields::object(std::string_view key) const {
  const json* v = raw(key);
  if (v == nullptr) return nullptr;
  if (!v->is_object()) {
    errs_->push_back(field::typeInvalid(at(key), *v, "must be an object"));
    return nullptr;
  }
  return v;
}

const json* Fields::array(std::string_view key) const {
  const json* v = raw(key);
  if (v == nullptr) return nullptr;
  if (!v->is_array()) {
    errs_->push_back(field::typeInvalid(at(key), *v, "must be a list"));
    return nullptr;
  }
  return v;
}

std::vector<std::string> Fields::strings(std::string_view key) const {
  std::vector<std::string> out;
  const json* list = array(key);
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (e.is_string()) {
      out.push_back(e.get<std::string>());
    } else {
      errs_->push_back(field::typeInvalid(field::index(at(key), i), e, "must be a string"));
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Fields::stringMap(std::string_view key,
                                                                   bool* present) const {
  std::vector<std::pair<std::string, std::string>> out;
  const json* m = object(key);
  if (present != nullptr) *present = m != nullptr;
  if (m == nullptr) return out;
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) {
      out.emplace_back(k, v.get<std::string>());
    } else {
      errs_->push_back(field::typeInvalid(field::key(at(key), k), v, "must be a string"));
    }
  }
  return out;
}

std::vector<Fields> Fields::objects(std::string_view key) const {
  std::vector<Fields> out;
  const json* list = array(key);
  if (list == nullptr) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    std::string p = field::index(at(key), i);
    if (e.is_object()) {
      out.emplace_back(&e, std::move(p), *errs_);
    } else {
      errs_->push_back(field::typeInvalid(std::move(p), e, "must be an object"));
    }
  }
  return out;
}

void append(FieldErrors& dst, FieldErrors src) {
  dst.insert(dst.end(), std::make_move_iterator(src.begin()), std::make_move_iterator(src.end()));
}

}  // namespace ferry::api::detail
