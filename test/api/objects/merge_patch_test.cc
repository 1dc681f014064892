#include "ferry/api/merge_patch.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

struct Case {
  const char* original;
  const char* patch;
  const char* result;
};

// RFC 7386 Appendix A, every row.
TEST(MergePatch, Rfc7386AppendixA) {
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", R"(null)", R"(null)"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(applyMergePatch(json::parse(c.original), json::parse(c.patch)), json::parse(c.result))
        << c.original << " + " << c.patch;
  }
}

TEST(MergePatch, LabelChangeAndRemovalOnAService) {
  json svc = json::parse(R"({"metadata":{"name":"web","labels":{"app":"web","tier":"fe"}},
      "spec":{"ports":[{"port":80},{"port":443}]}})");
  json patch = json::parse(R"({"metadata":{"labels":{"tier":null,"team":"a"}},
      "spec":{"ports":[{"port":8080}]}})");
  json want = json::parse(R"({"metadata":{"name":"web","labels":{"app":"web","team":"a"}},
      "spec":{"ports":[{"port":8080}]}})");
  EXPECT_EQ(applyMergePatch(svc, patch), want);
}

TEST(MergePatch, DeletingAMissingKeyIsANoOp) {
  EXPECT_EQ(applyMergePatch(json::parse(R"({"a":1})"), json::parse(R"({"b":null})")),
            json::parse(R"({"a":1})"));
}

TEST(CreateMergePatch, RoundTrips) {
  json a = json::parse(R"({"a":1,"b":{"c":2,"d":[1,2]},"e":"x"})");
  json b = json::parse(R"({"a":1,"b":{"c":3,"d":[2]},"f":true})");
  json patch = createMergePatch(a, b);
  EXPECT_EQ(patch, json::parse(R"({"b":{"c":3,"d":[2]},"e":null,"f":true})"));
  EXPECT_EQ(applyMergePatch(a, patch), b);
}

TEST(CreateMergePatch, IdenticalDocumentsGiveAnEmptyPatch) {
  json a = json::parse(R"({"a":{"b":[1]}})");
  EXPECT_EQ(createMergePatch(a, a), json::object());
}

TEST(CreateMergePatch, NonObjectsReplaceWholesale) {
  EXPECT_EQ(createMergePatch(json::parse("[1]"), json::parse("[2]")), json::parse("[2]"));
  EXPECT_EQ(createMergePatch(json::parse(R"({"a":1})"), json::parse("3")), json(3));
}

}  // namespace
}  // namespace ferry::api
