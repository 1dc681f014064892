// Table-driven validation tests: each row patches a valid object (JSON merge patch, so rows
// stay short) and lists the exact causes expected as "<CauseType> <field>".
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ferry/api/defaulting.h"
#include "ferry/api/field_error.h"
#include "ferry/api/merge_patch.h"
#include "ferry/api/prepare.h"
#include "ferry/api/validation.h"

namespace ferry::api::testing {

using nlohmann::json;

// Sorted "<type> <field>" of every error, duplicates kept.
inline std::vector<std::string> causes(const FieldErrors& errs) {
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(e.type + " " + e.field);
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string dump(const FieldErrors& errs) {
  std::string out;
  for (const auto& e : errs) out += "  " + e.type + " " + e.field + ": " + e.message + "\n";
  return out;
}

inline const FieldError* find(const FieldErrors& errs, const std::string& field) {
  for (const auto& e : errs) {
    if (e.field == field) return &e;
  }
  return nullptr;
}

struct Row {
  const char* name;
  const char* patch;              // RFC 7386 merge patch over the base object
  std::vector<std::string> want;  // "<CauseType> <field>"; empty: valid
  const char* message = nullptr;  // when set: the message of the first expected cause
};

// The server's create pipeline: defaults, strategy, validation.
inline FieldErrors createPipeline(std::string_view kind, json obj) {
  applyDefaults(kind, obj);
  prepareForCreate(kind, obj);
  return validate(kind, obj, nullptr);
}

// The server's update pipeline against `old` (already stored: defaulted and prepared).
inline FieldErrors updatePipeline(std::string_view kind, json obj, const json& old) {
  applyDefaults(kind, obj);
  prepareForUpdate(kind, obj, old);
  return validate(kind, obj, &old);
}

inline void checkRow(const Row& row, const FieldErrors& errs) {
  std::vector<std::string> want = row.want;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(causes(errs), want) << row.name << "\n" << dump(errs);
  if (row.message != nullptr && !row.want.empty()) {
    std::string field = row.want.front().substr(row.want.front().find(' ') + 1);
    const FieldError* e = find(errs, field);
    ASSERT_NE(e, nullptr) << row.name;
    EXPECT_EQ(e->message, row.message) << row.name;
  }
}

// Runs every row through the create pipeline.
inline void runCreateRows(std::string_view kind, const json& base, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    json obj = applyMergePatch(base, json::parse(row.patch));
    checkRow(row, createPipeline(kind, obj));
  }
}

// Runs every row through validate() alone (no defaults): for rules defaulting would mask.
inline void runValidateRows(std::string_view kind, const json& base, const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    json obj = applyMergePatch(base, json::parse(row.patch));
    checkRow(row, validate(kind, obj, nullptr));
  }
}

// Stores `base` (create pipeline, plus what the server sets), then runs each row as an update.
inline void runUpdateRows(std::string_view kind, const json& base, const std::vector<Row>& rows,
                          const json& stored_extra = json::object()) {
  json stored = base;
  applyDefaults(kind, stored);
  prepareForCreate(kind, stored);
  stored = applyMergePatch(stored, stored_extra);
  stored = applyMergePatch(stored, json::parse(R"({"metadata":{"resourceVersion":"7",
      "uid":"0b7c5f6e-1111-2222-3333-444455556666","creationTimestamp":"2024-05-01T10:00:00Z"}})"));
  for (const auto& row : rows) {
    json obj = applyMergePatch(stored, json::parse(row.patch));
    checkRow(row, updatePipeline(kind, obj, stored));
  }
}

}  // namespace ferry::api::testing
