#include "ferry/api/object_meta_validation.h"

#include <gtest/gtest.h>

#include "ferry/api/merge_patch.h"
#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

using testing::causes;
using testing::dump;
using testing::find;

json baseMeta() {
  return json::parse(R"({"metadata":{"name":"web","namespace":"default",
    "labels":{"app":"web"},"annotations":{"note":"x"}}})");
}

struct MetaRow {
  const char* name;
  const char* patch;
  std::vector<std::string> want;
  const char* message = nullptr;
};

void runMeta(const ObjectMetaRules& rules, const std::vector<MetaRow>& rows) {
  for (const auto& row : rows) {
    json obj = applyMergePatch(baseMeta(), json::parse(row.patch));
    FieldErrors errs = validateObjectMeta(obj, rules);
    std::vector<std::string> want = row.want;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(causes(errs), want) << row.name << "\n" << dump(errs);
    if (row.message != nullptr) {
      std::string field = row.want.front().substr(row.want.front().find(' ') + 1);
      const FieldError* e = find(errs, field);
      ASSERT_NE(e, nullptr) << row.name;
      EXPECT_EQ(e->message, row.message) << row.name;
    }
  }
}

TEST(ObjectMetaValidation, NamespacedCreate) {
  runMeta(
      {Scope::kNamespaced, nameIsDnsSubdomain},
      {
          {"valid", "{}", {}},
          {"name required",
           R"({"metadata":{"name":null}})",
           {"FieldValueRequired metadata.name"},
           "Required value: name or generateName is required"},
          {"generateName stands in for name",
           R"({"metadata":{"name":null,"generateName":"web-"}})",
           {}},
          {"bad generateName",
           R"({"metadata":{"name":null,"generateName":"Web-"}})",
           {"FieldValueInvalid metadata.generateName"}},
          {"bad name",
           R"({"metadata":{"name":"Web"}})",
           {"FieldValueInvalid metadata.name"},
           "Invalid value: \"Web\": a lowercase RFC 1123 subdomain must consist of lower case "
           "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
           "character (e.g. 'example.com', regex used for validation is "
           "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
          {"namespace required",
           R"({"metadata":{"namespace":null}})",
           {"FieldValueRequired metadata.namespace"},
           "Required value"},
          {"namespace is a label",
           R"({"metadata":{"namespace":"a.b"}})",
           {"FieldValueInvalid metadata.namespace"},
           "Invalid value: \"a.b\": must not contain dots"},
          {"negative generation",
           R"({"metadata":{"generation":-1}})",
           {"FieldValueInvalid metadata.generation"},
           "Invalid value: -1: must be greater than or equal to 0"},
          {"bad label key",
           R"({"metadata":{"labels":{"-x":"y"}}})",
           {"FieldValueInvalid metadata.labels"}},
          {"bad label value",
           R"({"metadata":{"labels":{"x":"-y"}}})",
           {"FieldValueInvalid metadata.labels"}},
          {"label value not a string",
           R"({"metadata":{"labels":{"x":1}}})",
           {"FieldValueTypeInvalid metadata.labels[x]"}},
          {"labels not a map",
           R"({"metadata":{"labels":["x"]}})",
           {"FieldValueTypeInvalid metadata.labels"}},
          {"annotation keys ignore case",
           R"({"metadata":{"annotations":{"Example.COM/Key":"v"}}})",
           {}},
          {"bad annotation key",
           R"({"metadata":{"annotations":{"a b":"v"}}})",
           {"FieldValueInvalid metadata.annotations"}},
          {"owner reference fields",
           R"({"metadata":{"ownerReferences":[{"kind":"","uid":""}]}})",
           {"FieldValueInvalid metadata.ownerReferences.apiVersion",
            "FieldValueInvalid metadata.ownerReferences.kind",
            "FieldValueInvalid metadata.ownerReferences.name",
            "FieldValueInvalid metadata.ownerReferences.uid"},
           "Invalid value: \"\": version must not be empty"},
          {"events cannot own",
           R"({"metadata":{"ownerReferences":[
                  {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}]}})",
           {"FieldValueInvalid metadata.ownerReferences"}},
          {"one controller",
           R"({"metadata":{"ownerReferences":[
                  {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"a","uid":"1","controller":true},
                  {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"b","uid":"2","controller":true}]}})",
           {"FieldValueInvalid metadata.ownerReferences"}},
          {"standard finalizer",
           R"({"metadata":{"finalizers":["kubernetes","example.com/x"]}})",
           {}},
          {"unqualified finalizer",
           R"({"metadata":{"finalizers":["mine"]}})",
           {"FieldValueInvalid metadata.finalizers[0]"},
           "Invalid value: \"mine\": name is neither a standard finalizer name nor is it fully "
           "qualified"},
          {"malformed finalizer",
           R"({"metadata":{"finalizers":["a/b/c"]}})",
           {"FieldValueInvalid metadata.finalizers"}},
          // An unqualified, non-standard, malformed name fails both checks.
          {"malformed bare finalizer",
           R"({"metadata":{"finalizers":["-x"]}})",
           {"FieldValueInvalid metadata.finalizers", "FieldValueInvalid metadata.finalizers[0]"}},
          {"orphan and foreground",
           R"({"metadata":{"finalizers":["orphan","foregroundDeletion"]}})",
           {"FieldValueInvalid metadata.finalizers"}},
          {"metadata not an object",
           R"({"metadata":"x"})",
           {"FieldValueTypeInvalid metadata", "FieldValueRequired metadata.name",
            "FieldValueRequired metadata.namespace"}},
          {"name not a string",
           R"({"metadata":{"name":5}})",
           {"FieldValueTypeInvalid metadata.name", "FieldValueRequired metadata.name"}},
      });
}

TEST(ObjectMetaValidation, AnnotationSizeLimit) {
  json obj = baseMeta();
  obj["metadata"]["annotations"] = {{"big", std::string(kTotalAnnotationSizeLimit - 3, 'x')}};
  EXPECT_TRUE(validateObjectMeta(obj, {}).empty());
  obj["metadata"]["annotations"]["big"] = std::string(kTotalAnnotationSizeLimit - 2, 'x');
  FieldErrors errs = validateObjectMeta(obj, {});
  ASSERT_EQ(errs.size(), 1U) << dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueTooLong");
  EXPECT_EQ(errs[0].field, "metadata.annotations");
  EXPECT_EQ(errs[0].message, "Too long: may not be more than 262144 bytes");
}

TEST(ObjectMetaValidation, ClusterScoped) {
  runMeta({Scope::kCluster, nameIsDnsLabel},
          {
              {"namespace forbidden",
               "{}",
               {"FieldValueForbidden metadata.namespace"},
               "Forbidden: not allowed on this type"},
              {"valid", R"({"metadata":{"namespace":null}})", {}},
              {"label name",
               R"({"metadata":{"namespace":null,"name":"a.b"}})",
               {"FieldValueInvalid metadata.name"}},
          });
  runMeta(
      {Scope::kUnknown, nameIsPathSegment},
      {{"any namespace", R"({"metadata":{"namespace":""}})", {}},
       {"path segment", R"({"metadata":{"name":"a/b"}})", {"FieldValueInvalid metadata.name"}}});
}

TEST(ObjectMetaValidation, Update) {
  const json old = json::parse(R"({"metadata":{"name":"web","namespace":"default","uid":"u1",
      "resourceVersion":"5","generation":3,"creationTimestamp":"2024-01-01T00:00:00Z",
      "finalizers":["example.com/a"]}})");
  struct U {
    const char* name;
    const char* patch;
    std::vector<std::string> want;
    const char* message;
  };
  const U rows[] = {
      {"unchanged", "{}", {}, nullptr},
      {"rename",
       R"({"metadata":{"name":"api"}})",
       {"FieldValueInvalid metadata.name"},
       "Invalid value: \"api\": field is immutable"},
      {"move",
       R"({"metadata":{"namespace":"x"}})",
       {"FieldValueInvalid metadata.namespace"},
       nullptr},
      {"new uid", R"({"metadata":{"uid":"u2"}})", {"FieldValueInvalid metadata.uid"}, nullptr},
      {"creationTimestamp",
       R"({"metadata":{"creationTimestamp":"2025-01-01T00:00:00Z"}})",
       {"FieldValueInvalid metadata.creationTimestamp"},
       nullptr},
      {"no resourceVersion",
       R"({"metadata":{"resourceVersion":null}})",
       {"FieldValueInvalid metadata.resourceVersion"},
       "Invalid value: \"\": must be specified for an update"},
      {"generation decremented",
       R"({"metadata":{"generation":2}})",
       {"FieldValueInvalid metadata.generation"},
       "Invalid value: 2: must not be decremented"},
      {"bad label",
       R"({"metadata":{"labels":{"a":"-"}}})",
       {"FieldValueInvalid metadata.labels"},
       nullptr},
      {"unqualified finalizer",
       R"({"metadata":{"finalizers":["x"]}})",
       {"FieldValueInvalid metadata.finalizers[0]"},
       nullptr},
  };
  for (const auto& row : rows) {
    json obj = applyMergePatch(old, json::parse(row.patch));
    FieldErrors errs = validateObjectMetaUpdate(obj, old);
    std::vector<std::string> want = row.want;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(causes(errs), want) << row.name << "\n" << dump(errs);
    if (row.message != nullptr) {
      ASSERT_FALSE(errs.empty());
      EXPECT_EQ(errs[0].message, row.message) << row.name;
    }
  }
}

TEST(ObjectMetaValidation, NoNewFinalizersWhileDeleting) {
  json old = json::parse(R"({"metadata":{"name":"a","resourceVersion":"1",
      "deletionTimestamp":"2024-01-01T00:00:00Z","finalizers":["example.com/a"]}})");
  json obj = old;
  obj["metadata"]["finalizers"] = {"example.com/a", "example.com/b"};
  FieldErrors errs = validateObjectMetaUpdate(obj, old);
  ASSERT_EQ(errs.size(), 1U) << dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueForbidden");
  EXPECT_EQ(errs[0].field, "metadata.finalizers");
  EXPECT_EQ(errs[0].message,
            "Forbidden: no new finalizers can be added if the object is being deleted, found new "
            "finalizers []string{\"example.com/b\"}");
  // Removing finalizers is how deletion completes.
  obj["metadata"]["finalizers"] = json::array();
  EXPECT_TRUE(validateObjectMetaUpdate(obj, old).empty());
}

TEST(ObjectMetaValidation, ResourceVersionOnCreate) {
  auto with = [](json rv) { return json{{"metadata", {{"resourceVersion", rv}}}}; };
  EXPECT_TRUE(resourceVersionSetOnCreate(with("12345")));
  EXPECT_FALSE(resourceVersionSetOnCreate(with("0")));
  EXPECT_FALSE(resourceVersionSetOnCreate(with("")));
  EXPECT_FALSE(resourceVersionSetOnCreate(with("abc")));  // does not parse: let through
  EXPECT_FALSE(resourceVersionSetOnCreate(with("99999999999999999999")));  // overflows uint64
  EXPECT_TRUE(resourceVersionSetOnCreate(with("18446744073709551615")));
  EXPECT_FALSE(resourceVersionSetOnCreate(with(5)));
  EXPECT_FALSE(resourceVersionSetOnCreate(json::object()));
  // Validation itself does not look at it.
  json obj = baseMeta();
  obj["metadata"]["resourceVersion"] = "12345";
  EXPECT_TRUE(validateObjectMeta(obj, {}).empty());
}

}  // namespace
}  // namespace ferry::api
