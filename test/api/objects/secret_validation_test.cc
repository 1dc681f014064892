#include <gtest/gtest.h>

#include "validation_table.h"

namespace ferry::api {
namespace {

using nlohmann::json;

// "Y2VydA==" is "cert", "a2V5" is "key".
json baseSecret() {
  return json::parse(R"({"apiVersion":"v1","kind":"Secret",
    "metadata":{"name":"web-tls","namespace":"default"},"type":"kubernetes.io/tls",
    "data":{"tls.crt":"Y2VydA==","tls.key":"a2V5"}})");
}

TEST(SecretValidation, Create) {
  testing::runCreateRows(
      "Secret", baseSecret(),
      {
          {"valid", "{}", {}},
          {"tls needs tls.crt",
           R"({"data":{"tls.crt":null}})",
           {"FieldValueRequired data[tls.crt]"}},
          {"tls needs tls.key",
           R"({"data":{"tls.key":null}})",
           {"FieldValueRequired data[tls.key]"}},
          {"tls from stringData",
           R"({"data":null,"stringData":{"tls.crt":"c","tls.key":"k"}})",
           {}},
          {"Opaque by default", R"({"type":null,"data":null})", {}},
          {"key syntax",
           R"({"type":"Opaque","data":{"a/b":"eA=="}})",
           {"FieldValueInvalid data[a/b]"}},
          {"key dot-dot",
           R"({"type":"Opaque","data":{"..a":"eA=="}})",
           {"FieldValueInvalid data[..a]"},
           "Invalid value: \"..a\": must not start with '..'"},
          {"base64",
           R"({"data":{"tls.key":"a2V5!"}})",
           {"FieldValueInvalid data[tls.key]"},
           "Invalid value: \"<secret contents redacted>\": illegal base64 data at input byte 4"},
          {"base64 padding", R"({"data":{"tls.key":"a2V"}})", {"FieldValueInvalid data[tls.key]"}},
          {"value type",
           R"({"data":{"tls.key":5}})",
           {"FieldValueTypeInvalid data[tls.key]", "FieldValueRequired data[tls.key]"}},
          {"service account token",
           R"({"type":"kubernetes.io/service-account-token","data":null})",
           {"FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]"}},
          {"service account token named",
           R"({"type":"kubernetes.io/service-account-token",
               "metadata":{"annotations":{"kubernetes.io/service-account.name":"default"}}})",
           {}},
          {"dockerconfigjson",
           R"({"type":"kubernetes.io/dockerconfigjson"})",
           {"FieldValueRequired data[.dockerconfigjson]"}},
          // {"auths":{}}
          {"dockerconfigjson ok",
           R"({"type":"kubernetes.io/dockerconfigjson",
               "data":{".dockerconfigjson":"eyJhdXRocyI6e319"}})",
           {}},
          // "not json"
          {"dockerconfigjson not JSON",
           R"({"type":"kubernetes.io/dockerconfigjson",
               "data":{".dockerconfigjson":"bm90IGpzb24="}})",
           {"FieldValueInvalid data[.dockerconfigjson]"}},
          // []
          {"dockercfg not an object",
           R"({"type":"kubernetes.io/dockercfg","data":{".dockercfg":"W10="}})",
           {"FieldValueInvalid data[.dockercfg]"},
           "Invalid value: \"<secret contents redacted>\": json: cannot unmarshal array into Go "
           "value "
           "of type map[string]interface {}"},
          {"ssh-auth empty key",
           R"({"type":"kubernetes.io/ssh-auth","data":{"ssh-privatekey":""}})",
           {"FieldValueRequired data[ssh-privatekey]"}},
          {"ssh-auth", R"({"type":"kubernetes.io/ssh-auth","data":{"ssh-privatekey":"a2V5"}})", {}},
          {"basic-auth",
           R"({"type":"kubernetes.io/basic-auth"})",
           {"FieldValueRequired data[username]", "FieldValueRequired data[password]"}},
          {"basic-auth with a username",
           R"({"type":"kubernetes.io/basic-auth","data":{"username":""}})",
           {}},
          {"ssh-auth",
           R"({"type":"kubernetes.io/ssh-auth"})",
           {"FieldValueRequired data[ssh-privatekey]"}},
          {"custom type", R"({"type":"example.com/thing","data":null})", {}},
      });
}

TEST(SecretValidation, SizeLimit) {
  json secret = baseSecret();
  // 1 MiB + 3 bytes decoded.
  secret["data"]["big"] = std::string(size_t{4} * (1024 * 1024 / 3 + 1), 'A');
  FieldErrors errs = testing::createPipeline("Secret", secret);
  ASSERT_EQ(errs.size(), 1U) << testing::dump(errs);
  EXPECT_EQ(errs[0].type, "FieldValueTooLong");
  EXPECT_EQ(errs[0].field, "data");
}

TEST(SecretValidation, Update) {
  testing::runUpdateRows("Secret", baseSecret(),
                         {
                             {"data may change", R"({"data":{"tls.key":"bmV3"}})", {}},
                             {"type is immutable",
                              R"({"type":"Opaque"})",
                              {"FieldValueInvalid type"},
                              "Invalid value: \"Opaque\": field is immutable"},
                         });
  testing::runUpdateRows(
      "Secret", baseSecret(),
      {
          {"unchanged", "{}", {}},
          {"data frozen",
           R"({"data":{"tls.key":"bmV3"}})",
           {"FieldValueForbidden data"},
           "Forbidden: field is immutable when `immutable` is set"},
          {"immutable stays", R"({"immutable":false})", {"FieldValueForbidden immutable"}},
      },
      json::parse(R"({"immutable":true})"));
}

}  // namespace
}  // namespace ferry::api
