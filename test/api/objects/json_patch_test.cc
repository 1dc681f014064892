#include "ferry/api/json_patch.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

struct Case {
  const char* name;
  const char* doc;
  const char* patch;
  const char* result;  // nullptr: the patch must fail
};

// RFC 6902 Appendix A (A.13, duplicate members, is a JSON parser matter and not repeated here).
TEST(JsonPatch, Rfc6902AppendixA) {
  const Case cases[] = {
      {"A.1", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])",
       R"({"baz":"qux","foo":"bar"})"},
      {"A.2", R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])",
       R"({"foo":["bar","qux","baz"]})"},
      {"A.3", R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])",
       R"({"foo":"bar"})"},
      {"A.4", R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])",
       R"({"foo":["bar","baz"]})"},
      {"A.5", R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])",
       R"({"baz":"boo","foo":"bar"})"},
      {"A.6", R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
       R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
       R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
      {"A.7", R"({"foo":["all","grass","cows","eat"]})",
       R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
       R"({"foo":["all","cows","eat","grass"]})"},
      {"A.8", R"({"baz":"qux","foo":["a",2,"c"]})",
       R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
       R"({"baz":"qux","foo":["a",2,"c"]})"},
      {"A.9", R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])", nullptr},
      {"A.10", R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
       R"({"foo":"bar","child":{"grandchild":{}}})"},
      {"A.11", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
       R"({"foo":"bar","baz":"qux"})"},
      {"A.12", R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])", nullptr},
      {"A.14", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])",
       R"({"/":9,"~1":10})"},
      {"A.15", R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])", nullptr},
      {"A.16", R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
       R"({"foo":["bar",["abc","def"]]})"},
  };
  for (const auto& c : cases) {
    auto got = applyJsonPatch(json::parse(c.doc), json::parse(c.patch));
    if (c.result == nullptr) {
      EXPECT_FALSE(got) << c.name;
    } else {
      ASSERT_TRUE(got) << c.name << ": " << got.error();
      EXPECT_EQ(*got, json::parse(c.result)) << c.name;
    }
  }
}

TEST(JsonPatch, KubectlStyleServicePatch) {
  // kubectl patch svc web --type json -p '[...]'
  json svc = json::parse(R"({"metadata":{"name":"web","labels":{"app":"web"}},
      "spec":{"type":"ClusterIP","ports":[{"name":"http","port":80}]}})");
  json patch = json::parse(R"([
      {"op":"replace","path":"/spec/type","value":"NodePort"},
      {"op":"add","path":"/spec/ports/-","value":{"name":"https","port":443}},
      {"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"},
      {"op":"remove","path":"/metadata/labels/app"}])");
  auto got = applyJsonPatch(svc, patch);
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ((*got)["spec"]["type"], "NodePort");
  EXPECT_EQ((*got)["spec"]["ports"].size(), 2U);
  EXPECT_EQ((*got)["metadata"]["labels"], json::parse(R"({"app.kubernetes.io/name":"web"})"));
}

TEST(JsonPatch, FailuresNameTheOperationAndPath) {
  json doc = json::parse(R"({"a":{"b":[1,2]}})");
  struct Fail {
    const char* patch;
    const char* message;
  };
  const Fail fails[] = {
      {R"([{"op":"add","path":"/x/y","value":1}])",
       "add operation does not apply: doc is missing path: \"/x/y\": missing value"},
      {R"([{"op":"remove","path":"/a/c"}])",
       "remove operation does not apply: doc is missing path: \"/a/c\": missing value"},
      {R"([{"op":"replace","path":"/a/c","value":1}])",
       "replace operation does not apply: doc is missing path: \"/a/c\": missing value"},
      {R"([{"op":"move","from":"/a/x","path":"/b"}])",
       "move operation does not apply: doc is missing from path: \"/a/x\": missing value"},
      {R"([{"op":"copy","from":"/zz","path":"/b"}])",
       "copy operation does not apply: doc is missing from path: \"/zz\": missing value"},
      {R"([{"op":"test","path":"/a/b/0","value":2}])", "testing value /a/b/0 failed: test failed"},
      {R"([{"op":"add","path":"/a/b/3","value":0}])",
       "add operation does not apply: invalid array index \"3\" in path \"/a/b/3\" (array length "
       "2)"},
      {R"([{"op":"move","from":"/a","path":"/a/c"}])",
       R"(move operation does not apply: cannot move "/a" into its own child "/a/c")"},
      {R"([{"op":"remove","path":""}])", "remove operation does not apply: cannot remove the root"},
      {R"([{"op":"remove","path":"/a/b/-"}])",
       "remove operation does not apply: doc is missing path: \"/a/b/-\": missing value"},
  };
  for (const auto& f : fails) {
    auto got = applyJsonPatch(doc, json::parse(f.patch));
    ASSERT_FALSE(got) << f.patch;
    EXPECT_EQ(got.error(), f.message);
  }
}

TEST(JsonPatch, IsAtomic) {
  // The first two operations apply; the third fails; the caller's document is unchanged and no
  // partial result escapes.
  json doc = json::parse(R"({"a":1})");
  const json before = json::parse(R"({"a":1})");
  auto got = applyJsonPatch(doc, json::parse(R"([{"op":"add","path":"/b","value":2},
      {"op":"remove","path":"/a"},{"op":"test","path":"/b","value":3}])"));
  EXPECT_FALSE(got);
  EXPECT_EQ(doc, before);
}

TEST(JsonPatch, RootOperations) {
  json doc = json::parse(R"({"a":1})");
  auto got = applyJsonPatch(doc, json::parse(R"([{"op":"replace","path":"","value":{"b":2}}])"));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, json::parse(R"({"b":2})"));
  got = applyJsonPatch(doc, json::parse(R"([{"op":"add","path":"","value":[1]}])"));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, json::parse("[1]"));
  got = applyJsonPatch(doc, json::parse(R"([{"op":"test","path":"","value":{"a":1}}])"));
  EXPECT_TRUE(got);
}

TEST(JsonPatch, ReplaceAndCopyInArrays) {
  json doc = json::parse(R"({"l":[1,2,3]})");
  auto got = applyJsonPatch(doc, json::parse(R"([{"op":"replace","path":"/l/1","value":9},
      {"op":"copy","from":"/l/0","path":"/l/0"},{"op":"move","from":"/l/3","path":"/m"}])"));
  ASSERT_TRUE(got) << got.error();
  EXPECT_EQ(*got, json::parse(R"({"l":[1,1,9],"m":3})"));
}

TEST(JsonPatch, MoveToItselfIsANoOp) {
  json doc = json::parse(R"({"a":{"b":1}})");
  auto got = applyJsonPatch(doc, json::parse(R"([{"op":"move","from":"/a","path":"/a"}])"));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, doc);
}

TEST(JsonPatch, TestComparesNumbersByValueAndObjectsUnordered) {
  json doc = json::parse(R"({"n":1,"o":{"x":1,"y":[1,2]}})");
  EXPECT_TRUE(applyJsonPatch(doc, json::parse(R"([{"op":"test","path":"/n","value":1.0}])")));
  EXPECT_TRUE(
      applyJsonPatch(doc, json::parse(R"([{"op":"test","path":"/o","value":{"y":[1,2],"x":1}}])")));
  EXPECT_FALSE(applyJsonPatch(doc, json::parse(R"([{"op":"test","path":"/o/y","value":[2,1]}])")));
}

TEST(JsonPatch, NullIsAValue) {
  json doc = json::parse(R"({})");
  auto got = applyJsonPatch(doc, json::parse(R"([{"op":"add","path":"/a","value":null}])"));
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, json::parse(R"({"a":null})"));
}

// Documents that are not a JSON patch at all: parseJsonPatch fails (kube: 400 Bad Request).
TEST(JsonPatch, ParseRejectsMalformedDocuments) {
  struct Bad {
    const char* patch;
    const char* message;
  };
  const Bad bads[] = {
      {R"({"op":"add"})", "a JSON patch must be an array of operations"},
      {R"([1])", "operation 0: must be an object"},
      {R"([{"path":"/a"}])", "operation 0: missing or non-string \"op\""},
      {R"([{"op":"frob","path":"/a"}])", "operation 0: Unexpected kind: frob"},
      {R"([{"op":"add","value":1}])", "operation 0: add operation: missing or non-string \"path\""},
      {R"([{"op":"remove","path":"/a"},{"op":"add","path":"/a"}])",
       "operation 1: add operation: missing \"value\""},
      {R"([{"op":"test","path":"/a"}])", "operation 0: test operation: missing \"value\""},
      {R"([{"op":"move","path":"/a"}])",
       "operation 0: move operation: missing or non-string \"from\""},
      {R"([{"op":"copy","path":"/a","from":3}])",
       "operation 0: copy operation: missing or non-string \"from\""},
      {R"([{"op":"add","path":"a","value":1}])",
       "operation 0: JSON pointer \"a\" must be empty or start with '/'"},
  };
  for (const auto& b : bads) {
    auto got = parseJsonPatch(json::parse(b.patch));
    ASSERT_FALSE(got) << b.patch;
    EXPECT_EQ(got.error(), b.message);
  }
}

TEST(JsonPatch, ParseLimitsTheNumberOfOperations) {
  json ops = json::array();
  for (size_t i = 0; i <= kMaxJsonPatchOperations; ++i) {
    ops.push_back({{"op", "test"}, {"path", ""}, {"value", nullptr}});
  }
  auto got = parseJsonPatch(ops);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error(), "The allowed maximum operations in a JSON patch is 10000, got 10001");
  ops.erase(ops.begin());
  EXPECT_TRUE(parseJsonPatch(ops));
}

TEST(JsonPatch, ParsedOperationsCarryTheirPointers) {
  auto got = parseJsonPatch(
      json::parse(R"([{"op":"move","from":"/a~1b","path":"/c/0"},{"op":"remove","path":"/x"}])"));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->size(), 2U);
  EXPECT_EQ((*got)[0].kind, JsonPatchOpKind::kMove);
  EXPECT_EQ((*got)[0].from, JsonPointer{"a/b"});
  EXPECT_EQ((*got)[0].path, (JsonPointer{"c", "0"}));
  EXPECT_EQ((*got)[1].kind, JsonPatchOpKind::kRemove);
}

}  // namespace
}  // namespace ferry::api
