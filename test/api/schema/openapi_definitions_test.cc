#include "ferry/api/openapi_definitions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ferry::api {
namespace {

using nlohmann::json;

// The metadata types every kind references, so small test files resolve.
constexpr std::string_view kMetaFile = R"({
  "package": "io.k8s.apimachinery.pkg.apis.meta.v1",
  "types": {
    "ObjectMeta": {"description": "meta", "properties": {"name": ["string", "name"]}},
    "ListMeta": {"description": "list meta", "properties": {"continue": ["string", "token"]}}
  }
})";

Result<json> expand(std::string_view text) {
  std::vector<DefinitionFile> files = {{"meta.json", kMetaFile}, {"test.json", text}};
  return expandDefinitions(files);
}

json expandOk(std::string_view text) {
  auto r = expand(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error());
  return r.ok() ? *r : json();
}

std::string expandError(std::string_view text) {
  auto r = expand(text);
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.error();
}

TEST(OpenApiDefinitions, ExpandsPropertiesAndOptions) {
  json s = expandOk(R"({"package": "io.test.v1", "types": {
    "Thing": {"description": "A thing.", "map": "atomic", "properties": {
      "name": ["string", "Name.", {"required": true}],
      "size": ["int64", "Size."],
      "data": ["map[string]byte", "Data."],
      "ports": ["[]Port", "Ports.", {"merge": "port", "list": "map", "keys": ["port", "protocol"]}],
      "tags": ["[]string", "Tags.", {"strategy": "merge", "list": "set", "enum": ["a", "b"]}],
      "mode": ["string", "Mode.", {"enum": ["On", "Off"], "default": "On"}],
      "sub": ["Port", "The sub-part."],
      "labels": ["map[string]string", "Labels.", {"map": "atomic"}],
      "any": ["object", "Anything."]
    }},
    "Port": {"description": "A port.", "properties": {"port": ["int32", "Number."]}}
  }})");
  const json& thing = s["io.test.v1.Thing"];
  EXPECT_EQ(thing["type"], "object");
  EXPECT_EQ(thing["description"], "A thing.");
  EXPECT_EQ(thing["x-kubernetes-map-type"], "atomic");
  EXPECT_EQ(thing["required"], json::array({"name"}));
  const json& p = thing["properties"];
  EXPECT_EQ(p["name"], (json{{"type", "string"}, {"description", "Name."}}));
  EXPECT_EQ(p["size"], (json{{"type", "integer"}, {"format", "int64"}, {"description", "Size."}}));
  EXPECT_EQ(p["data"]["additionalProperties"], (json{{"type", "string"}, {"format", "byte"}}));
  EXPECT_EQ(p["ports"], json::parse(R"({
      "type": "array", "description": "Ports.",
      "items": {"$ref": "#/components/schemas/io.test.v1.Port"},
      "x-kubernetes-patch-merge-key": "port", "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"]})"));
  EXPECT_EQ(p["tags"]["x-kubernetes-patch-strategy"], "merge");
  EXPECT_FALSE(p["tags"].contains("x-kubernetes-patch-merge-key"));
  EXPECT_EQ(p["tags"]["items"]["enum"], json::array({"a", "b"}));  // enum applies to items
  EXPECT_EQ(p["mode"]["enum"], json::array({"On", "Off"}));
  EXPECT_EQ(p["mode"]["default"], "On");
  // A described reference is wrapped in allOf: OpenAPI 3.0 ignores siblings of $ref.
  EXPECT_EQ(p["sub"], json::parse(R"({"description": "The sub-part.",
      "allOf": [{"$ref": "#/components/schemas/io.test.v1.Port"}]})"));
  EXPECT_EQ(p["labels"]["x-kubernetes-map-type"], "atomic");
  EXPECT_EQ(p["any"]["type"], "object");
}

TEST(OpenApiDefinitions, KindsGetStandardFieldsAndAList) {
  json s = expandOk(R"({"package": "io.k8s.api.widgets.v1", "types": {
    "Widget": {"kind": "widgets.example.com/v1", "description": "A widget.",
               "required": ["metadata"],
               "properties": {"spec": ["object", "Spec."]}}
  }})");
  const json& w = s["io.k8s.api.widgets.v1.Widget"];
  EXPECT_EQ(
      w["x-kubernetes-group-version-kind"],
      json::parse(R"([{"group": "widgets.example.com", "kind": "Widget", "version": "v1"}])"));
  for (const char* f : {"apiVersion", "kind", "metadata", "spec"})
    EXPECT_TRUE(w["properties"].contains(f)) << f;
  EXPECT_EQ(w["properties"]["metadata"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(w["required"], json::array({"metadata"}));

  const json& list = s["io.k8s.api.widgets.v1.WidgetList"];
  EXPECT_EQ(list["x-kubernetes-group-version-kind"][0]["kind"], "WidgetList");
  EXPECT_EQ(list["properties"]["items"]["items"]["$ref"],
            "#/components/schemas/io.k8s.api.widgets.v1.Widget");
  EXPECT_EQ(list["required"], json::array({"items"}));

  json core = expandOk(R"({"package": "io.k8s.api.core.v1", "types": {
    "Thing": {"kind": "v1", "description": "Core thing."}}})");
  EXPECT_EQ(core["io.k8s.api.core.v1.Thing"]["x-kubernetes-group-version-kind"][0]["group"], "");
}

TEST(OpenApiDefinitions, ResolvesAliasesAndFullNames) {
  json s = expandOk(R"({"package": "io.test.v1", "types": {
    "T": {"description": "T.", "properties": {
      "a": ["meta.ObjectMeta", "Alias."],
      "b": ["io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta", "Full name."]}}}})");
  EXPECT_EQ(s["io.test.v1.T"]["properties"]["a"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
  EXPECT_EQ(s["io.test.v1.T"]["properties"]["b"]["allOf"][0]["$ref"],
            "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta");
}

TEST(OpenApiDefinitions, RawSchemaTypes) {
  json s = expandOk(R"({"package": "io.test.v1", "types": {
    "When": {"description": "A time.", "schema": {"type": "string", "format": "date-time"}}}})");
  EXPECT_EQ(s["io.test.v1.When"],
            (json{{"type", "string"}, {"format", "date-time"}, {"description", "A time."}}));
}

TEST(OpenApiDefinitions, RejectsMistakes) {
  struct Case {
    std::string_view text;
    std::string_view message;  // a fragment of the error
  };
  const Case cases[] = {
      {"{not json", "test.json"},
      {R"({"types": {}})", "needs package and types"},
      {R"({"package": "p", "types": {}, "extra": 1})", "unknown key 'extra'"},
      {R"({"package": "p", "types": {"T": {"properties": {}}}})", "needs a description"},
      {R"({"package": "p", "types": {"T": {"description": "d", "colour": "red"}}})",
       "unknown key 'colour'"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["strin", "typo"]}}}})",
       "unknown type 'strin'"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["nope.Thing", "bad alias"]}}}})",
       "unknown package alias"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["string"]}}}})",
       "[type, description]"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["string", ""]}}}})",
       "empty description"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["string", "d", {"colour": 1}]}}}})",
       "unknown option 'colour'"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["string", "d", {"merge": "name"}]}}}})",
       "needs a list"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["[]string", "d", {"list": "map"}]}}}})",
       "keys"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["[]string", "d", {"list": "bag"}]}}}})",
       "atomic, set or map"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["map[string]string", "d", {"map": "loose"}]}}}})",
       "atomic|granular"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["string", "d", {"enum": []}]}}}})",
       "non-empty"},
      {R"({"package": "p", "types": {"T": {"description": "d", "required": ["y"]}}})",
       "required names no property: y"},
      {R"({"package": "p", "types": {"T": {"description": "d", "properties": {
          "x": ["Missing", "dangling"]}}}})",
       "unresolved: p.Missing"},
      {R"({"package": "io.k8s.apimachinery.pkg.apis.meta.v1", "types": {
          "ObjectMeta": {"description": "again"}}})",
       "duplicate type"},
      {R"({"package": "p", "types": {"T": {"description": 7}}})", "malformed definition"},
  };
  for (const auto& c : cases) {
    std::string error = expandError(c.text);
    EXPECT_NE(error.find(c.message), std::string::npos) << c.text << "\n  got: " << error;
  }
}

}  // namespace
}  // namespace ferry::api
