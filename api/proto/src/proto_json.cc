#include "proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "json_text.h"
#include "k8s/go_json.pb.h"

namespace ferry::api::proto_json {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using nlohmann::json;

// apimachinery types whose Go MarshalJSON differs from their message shape.
constexpr std::string_view kTime = "k8s.io.apimachinery.pkg.apis.meta.v1.Time";
constexpr std::string_view kMicroTime = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime";
constexpr std::string_view kFieldsV1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1";
constexpr std::string_view kIntOrString = "k8s.io.apimachinery.pkg.util.intstr.IntOrString";
constexpr std::string_view kQuantity = "k8s.io.apimachinery.pkg.api.resource.Quantity";

// time.Time{} in Unix seconds: Go renders it as null.
constexpr int64_t kGoZeroTimeSeconds = -62135596800;
constexpr int64_t kNanosPerSecond = 1000000000;
// Seconds beyond this cannot be a valid timestamp; checked before normalising nanos so the
// arithmetic cannot overflow.
constexpr int64_t kSecondsSanityBound = int64_t{1} << 62;
// managedFields documents nest as deep as the object's field paths; anything deeper is not
// a field set, and would make recursive JSON code (dump, destruction) the attacker's tool.
constexpr int kMaxFieldsV1Depth = 64;

// Nesting depth of the JSON text, or kMaxFieldsV1Depth + 1 as soon as it exceeds the limit.
int jsonDepth(std::string_view text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxFieldsV1Depth) {
        break;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

class Walker {
 public:
  explicit Walker(std::vector<std::string>* dropped) : dropped_(dropped) {}

  // Fills `out` with the message's JSON; false with error() set when JSON cannot carry it.
  bool message(const Message& m, json& out) {
    const Descriptor* d = m.GetDescriptor();
    const std::string_view name = d->full_name();
    if (name == kTime || name == kMicroTime) {
      return time(m, name == kMicroTime, out);
    }
    if (name == kIntOrString) {
      return intOrString(m, out);
    }
    if (name == kQuantity) {
      out = quantity(m);
      return true;
    }
    if (name == kFieldsV1) {
      return fieldsV1(m, out);
    }
    out = json::object();
    const Reflection* r = m.GetReflection();
    for (int i = 0; i < d->field_count(); ++i) {
      if (!field(m, *r, *d->field(i), out)) {
        return false;
      }
    }
    reportUnknown(*r, m);
    return true;
  }

  const std::string& error() const { return error_; }

 private:
  // Appends `.name`, `[i]` or `[key]` to the path for the lifetime of the scope.
  class PathScope {
   public:
    PathScope(std::string& path, std::string_view part) : path_(path), size_(path.size()) {
      if (!path_.empty() && part.front() != '[') {
        path_ += '.';
      }
      path_ += part;
    }
    ~PathScope() { path_.resize(size_); }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;

   private:
    std::string& path_;
    size_t size_;
  };

  bool fail(std::string message) {
    error_ = path_.empty() ? std::move(message) : path_ + ": " + message;
    return false;
  }

  void reportUnknown(const Reflection& r, const Message& m) {
    if (dropped_ == nullptr) {
      return;
    }
    const google::protobuf::UnknownFieldSet& unknown = r.GetUnknownFields(m);
    for (int i = 0; i < unknown.field_count(); ++i) {
      const std::string where = path_.empty() ? std::string("(object)") : path_;
      dropped_->push_back(where + ": field " + std::to_string(unknown.field(i).number()));
    }
  }

  bool field(const Message& m, const Reflection& r, const FieldDescriptor& f, json& obj) {
    const ferry::k8s::GoJson go = f.options().GetExtension(ferry::k8s::go_json);
    const std::string& key = f.json_name();
    if (go == ferry::k8s::INLINE) {
      if (!r.HasField(m, &f)) {
        return true;
      }
      json inner;
      if (!message(r.GetMessage(m, &f), inner)) {
        return false;
      }
      // An outer field of the same name wins over an embedded one (encoding/json rules).
      for (auto& [k, v] : inner.items()) {
        if (!obj.contains(k)) {
          obj[k] = std::move(v);
        }
      }
      return true;
    }
    PathScope scope(path_, key);
    if (f.is_repeated()) {
      const int size = r.FieldSize(m, &f);
      if (size == 0) {
        if (go == ferry::k8s::NO_OMITEMPTY) {
          obj[key] = nullptr;  // a nil slice or map
        }
        return true;
      }
      json value;
      if (!(f.is_map() ? mapField(m, r, f, size, value) : listField(m, r, f, size, value))) {
        return false;
      }
      obj[key] = std::move(value);
      return true;
    }
    const bool present = r.HasField(m, &f);
    if (!present) {
      if (go == ferry::k8s::POINTER_NO_OMITEMPTY) {
        obj[key] = nullptr;
        return true;
      }
      if (go != ferry::k8s::NO_OMITEMPTY || f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        return true;
      }
    }
    if (f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      json value;
      if (!message(r.GetMessage(m, &f), value)) {
        return false;
      }
      obj[key] = std::move(value);
      return true;
    }
    json value = scalar(m, r, f, std::nullopt);
    const bool keep_zero = go == ferry::k8s::POINTER || go == ferry::k8s::POINTER_NO_OMITEMPTY ||
                           go == ferry::k8s::NO_OMITEMPTY;
    if (keep_zero || !isZero(value)) {
      obj[key] = std::move(value);
    }
    return true;
  }

  bool listField(const Message& m, const Reflection& r, const FieldDescriptor& f, int size,
                 json& out) {
    out = json::array();
    for (int i = 0; i < size; ++i) {
      if (f.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        out.push_back(scalar(m, r, f, i));
        continue;
      }
      PathScope scope(path_, "[" + std::to_string(i) + "]");
      json item;
      if (!message(r.GetRepeatedMessage(m, &f, i), item)) {
        return false;
      }
      out.push_back(std::move(item));
    }
    return true;
  }

  // Map entries are messages {key = 1, value = 2}; Kubernetes keys are always strings.
  bool mapField(const Message& m, const Reflection& r, const FieldDescriptor& f, int size,
                json& out) {
    out = json::object();
    const FieldDescriptor* key_field = f.message_type()->map_key();
    const FieldDescriptor* value_field = f.message_type()->map_value();
    for (int i = 0; i < size; ++i) {
      const Message& entry = r.GetRepeatedMessage(m, &f, i);
      const Reflection* er = entry.GetReflection();
      json key = scalar(entry, *er, *key_field, std::nullopt);
      std::string key_text = key.is_string() ? key.get<std::string>() : key.dump();
      PathScope scope(path_, "[" + key_text + "]");
      json value;
      if (value_field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        if (!message(er->GetMessage(entry, value_field), value)) {
          return false;
        }
      } else {
        value = scalar(entry, *er, *value_field, std::nullopt);
      }
      out[std::move(key_text)] = std::move(value);
    }
    return true;
  }

  // A scalar field (or element `index` of a repeated one) as encoding/json writes it.
  static json scalar(const Message& m, const Reflection& r, const FieldDescriptor& f,
                     std::optional<int> index) {
    const FieldDescriptor* p = &f;
    switch (f.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return index ? r.GetRepeatedInt32(m, p, *index) : r.GetInt32(m, p);
      case FieldDescriptor::CPPTYPE_INT64:
        return index ? r.GetRepeatedInt64(m, p, *index) : r.GetInt64(m, p);
      case FieldDescriptor::CPPTYPE_UINT32:
        return index ? r.GetRepeatedUInt32(m, p, *index) : r.GetUInt32(m, p);
      case FieldDescriptor::CPPTYPE_UINT64:
        return index ? r.GetRepeatedUInt64(m, p, *index) : r.GetUInt64(m, p);
      case FieldDescriptor::CPPTYPE_BOOL:
        return index ? r.GetRepeatedBool(m, p, *index) : r.GetBool(m, p);
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return index ? r.GetRepeatedDouble(m, p, *index) : r.GetDouble(m, p);
      case FieldDescriptor::CPPTYPE_FLOAT:
        return index ? r.GetRepeatedFloat(m, p, *index) : r.GetFloat(m, p);
      case FieldDescriptor::CPPTYPE_ENUM:
        return index ? r.GetRepeatedEnum(m, p, *index)->name() : r.GetEnum(m, p)->name();
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& s = index ? r.GetRepeatedStringReference(m, p, *index, &scratch)
                                     : r.GetStringReference(m, p, &scratch);
        return f.type() == FieldDescriptor::TYPE_BYTES ? base64(s) : validUtf8(s);
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        break;
    }
    return nullptr;
  }

  static bool isZero(const json& v) {
    return v.is_null() || (v.is_boolean() && !v.get<bool>()) || (v.is_number() && v == json(0)) ||
           (v.is_string() && v.get_ref<const std::string&>().empty());
  }

  static const FieldDescriptor* byNumber(const Message& m, int number) {
    return m.GetDescriptor()->FindFieldByNumber(number);
  }

  // metav1.Time {seconds = 1, nanos = 2} drops nanos on decode (time_proto.go); MicroTime
  // keeps them and prints microseconds. An empty message is the zero time: null.
  bool time(const Message& m, bool micro, json& out) {
    const Reflection* r = m.GetReflection();
    const FieldDescriptor* seconds_field = byNumber(m, 1);
    const FieldDescriptor* nanos_field = byNumber(m, 2);
    if (!r->HasField(m, seconds_field) && !r->HasField(m, nanos_field)) {
      out = nullptr;
      return true;
    }
    int64_t seconds = r->GetInt64(m, seconds_field);
    int64_t nanos = micro ? r->GetInt32(m, nanos_field) : 0;
    if (seconds > kSecondsSanityBound || seconds < -kSecondsSanityBound) {
      return fail("time " + std::to_string(seconds) + "s is outside years 1-9999");
    }
    // time.Unix(sec, nsec) folds out-of-range nanoseconds into the seconds.
    seconds += nanos / kNanosPerSecond;
    nanos %= kNanosPerSecond;
    if (nanos < 0) {
      nanos += kNanosPerSecond;
      --seconds;
    }
    if (seconds == kGoZeroTimeSeconds && nanos == 0) {
      out = nullptr;
      return true;
    }
    std::optional<int32_t> micros;
    if (micro) {
      micros = static_cast<int32_t>(nanos / 1000);
    }
    std::optional<std::string> text = rfc3339(seconds, micros);
    if (!text) {
      return fail("time " + std::to_string(seconds) + "s is outside years 1-9999");
    }
    out = std::move(*text);
    return true;
  }

  // intstr.IntOrString {type = 1, intVal = 2, strVal = 3}: MarshalJSON writes the member
  // that type selects and fails on any other type.
  bool intOrString(const Message& m, json& out) {
    const Reflection* r = m.GetReflection();
    const int64_t type = r->GetInt64(m, byNumber(m, 1));
    if (type == 0) {
      out = r->GetInt32(m, byNumber(m, 2));
      return true;
    }
    if (type == 1) {
      std::string scratch;
      out = validUtf8(r->GetStringReference(m, byNumber(m, 3), &scratch));
      return true;
    }
    return fail("IntOrString type " + std::to_string(type) + " is neither 0 (int) nor 1 (string)");
  }

  // resource.Quantity {string = 1}: the canonical text; an empty message is Quantity{},
  // which Go prints as "0".
  static json quantity(const Message& m) {
    const Reflection* r = m.GetReflection();
    const FieldDescriptor* s = byNumber(m, 1);
    if (!r->HasField(m, s)) {
      return "0";
    }
    std::string scratch;
    return validUtf8(r->GetStringReference(m, s, &scratch));
  }

  // metav1.FieldsV1 {Raw = 1}: Raw is itself JSON and is written verbatim.
  bool fieldsV1(const Message& m, json& out) {
    const Reflection* r = m.GetReflection();
    std::string scratch;
    const std::string& raw = r->GetStringReference(m, byNumber(m, 1), &scratch);
    if (raw.empty()) {
      out = nullptr;
      return true;
    }
    if (jsonDepth(raw) > kMaxFieldsV1Depth) {
      return fail("FieldsV1 nests deeper than " + std::to_string(kMaxFieldsV1Depth));
    }
    out = json::parse(raw, nullptr, /*allow_exceptions=*/false);
    if (out.is_discarded()) {
      return fail("FieldsV1 is not JSON");
    }
    return true;
  }

  std::vector<std::string>* dropped_;
  std::string path_;
  std::string error_;
};

}  // namespace

Result<nlohmann::json> toJson(const google::protobuf::Message& message,
                              std::vector<std::string>* dropped) {
  Walker walker(dropped);
  json out;
  if (!walker.message(message, out)) {
    return Error{walker.error()};
  }
  return out;
}

}  // namespace ferry::api::proto_json
