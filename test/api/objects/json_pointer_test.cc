#include "ferry/api/json_pointer.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

// RFC 6901 §5: every pointer of the example evaluates to the listed value.
TEST(JsonPointer, Rfc6901Section5) {
  json doc = json::parse(R"({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3,
      "g|h": 4, "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8})");
  const std::pair<const char*, json> cases[] = {
      {"", doc},         {"/foo", json::parse(R"(["bar","baz"])")},
      {"/foo/0", "bar"}, {"/", 0},
      {"/a~1b", 1},      {"/c%d", 2},
      {"/e^f", 3},       {"/g|h", 4},
      {"/i\\j", 5},      {"/k\"l", 6},
      {"/ ", 7},         {"/m~0n", 8},
  };
  for (const auto& [text, want] : cases) {
    auto p = parseJsonPointer(text);
    ASSERT_TRUE(p) << text << ": " << p.error();
    const json* got = resolveJsonPointer(doc, *p);
    ASSERT_NE(got, nullptr) << text;
    EXPECT_EQ(*got, want) << text;
  }
}

TEST(JsonPointer, DecodesTildeOneBeforeTildeZeroInOnePass) {
  // "~01" is "~1" (a tilde then a one), never "/".
  auto p = parseJsonPointer("/~01");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, JsonPointer{"~1"});
  EXPECT_EQ(formatJsonPointer(*p), "/~01");
  EXPECT_EQ(formatJsonPointer({"a/b", "m~n", ""}), "/a~1b/m~0n/");
}

TEST(JsonPointer, RejectsMalformedText) {
  for (const char* bad : {"foo", "/a~", "/a~2", "/~x"}) {
    EXPECT_FALSE(parseJsonPointer(bad)) << bad;
  }
  EXPECT_NE(parseJsonPointer("a").error().find("must be empty or start with '/'"),
            std::string::npos);
}

TEST(JsonPointer, ArrayIndexes) {
  EXPECT_EQ(parseArrayIndex("0"), 0U);
  EXPECT_EQ(parseArrayIndex("12"), 12U);
  for (const char* bad : {"", "01", "-", "-1", "1a", "+1", "1234567890123456789"}) {
    EXPECT_FALSE(parseArrayIndex(bad)) << bad;
  }
}

TEST(JsonPointer, MissingStepsResolveToNull) {
  json doc = json::parse(R"({"a":[{"b":1}],"s":"x"})");
  for (const char* p : {"/b", "/a/1", "/a/-", "/a/0/c", "/s/0", "/a/01"}) {
    auto tokens = parseJsonPointer(p);
    ASSERT_TRUE(tokens);
    EXPECT_EQ(resolveJsonPointer(doc, *tokens), nullptr) << p;
  }
}

}  // namespace
}  // namespace ferry::api
