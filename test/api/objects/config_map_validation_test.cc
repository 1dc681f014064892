#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

json baseConfigMap() {
  return json::parse(R"({"apiVersion":"v1","kind":"ConfigMap",
    "metadata":{"name":"web-config","namespace":"default"},
    "data":{"nginx.conf":"server {}","LOG_LEVEL":"info"},"binaryData":{"logo.png":"iVBORw=="}})");
}

TEST(ConfigMapValidation, Create) {
  testing::runCreateRows(
      "ConfigMap", baseConfigMap(),
      {
          {"valid", "{}", {}},
          {"empty", R"({"data":null,"binaryData":null})", {}},
          {"key syntax", R"({"data":{"a b":"x"}})", {"FieldValueInvalid data[a b]"}},
          {"key dot",
           R"({"data":{".":"x"}})",
           {"FieldValueInvalid data[.]"},
           "Invalid value: \".\": must not be '.'"},
          {"binary key", R"({"binaryData":{"a:b":"eA=="}})", {"FieldValueInvalid binaryData[a:b]"}},
          {"key in both",
           R"({"binaryData":{"LOG_LEVEL":"eA=="}})",
           {"FieldValueInvalid data[LOG_LEVEL]"},
           "Invalid value: \"LOG_LEVEL\": duplicate of key present in binaryData"},
          {"binary base64",
           R"({"binaryData":{"logo.png":"***"}})",
           {"FieldValueInvalid binaryData[logo.png]"}},
          {"data value type", R"({"data":{"n":1}})", {"FieldValueTypeInvalid data[n]"}},
          {"namespace required",
           R"({"metadata":{"namespace":null}})",
           {"FieldValueRequired metadata.namespace"}},
      });
}

TEST(ConfigMapValidation, SizeLimitIsReportedForTheWholeObject) {
  json cm = baseConfigMap();
  cm["data"]["big"] = std::string(size_t{1024} * 1024, 'x');
  FieldErrors errs = testing::createPipeline("ConfigMap", cm);
  ASSERT_EQ(errs.size(), 1U) << testing::dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueTooLong");
  EXPECT_EQ(errs[0].field, "");
}

TEST(ConfigMapValidation, Update) {
  testing::runUpdateRows("ConfigMap", baseConfigMap(),
                         {{"data may change", R"({"data":{"LOG_LEVEL":"debug"}})", {}}});
  testing::runUpdateRows(
      "ConfigMap", baseConfigMap(),
      {
          {"unchanged", "{}", {}},
          {"data frozen", R"({"data":{"LOG_LEVEL":"debug"}})", {"FieldValueForbidden data"}},
          {"binaryData frozen", R"({"binaryData":null})", {"FieldValueForbidden binaryData"}},
          {"immutable stays", R"({"immutable":null})", {"FieldValueForbidden immutable"}},
      },
      json::parse(R"({"immutable":true})"));
}

}  // namespace
}  // namespace ferry::api
