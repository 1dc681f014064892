#include "ferry/api/field_selector.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

json basePod() {
  return json::parse(R"({"metadata":{"name":"web-1","namespace":"shop"},
    "spec":{"nodeName":"node-a","hostNetwork":false,"priority":5},
    "status":{"phase":"Running","podIP":"10.244.1.5"}})");
}

bool selects(const char* text, const json& obj = basePod(), std::string_view kind = "Pod") {
  auto s = FieldSelector::parseForKind(text, kind);
  EXPECT_TRUE(s) << text << ": " << s.error();
  return s && s->matches(obj);
}

TEST(FieldSelector, EqualityAndInequality) {
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"metadata.name=web-1", true},
      {"metadata.name==web-1", true},
      {"metadata.name!=web-1", false},
      {"metadata.namespace!=kube-system", true},
      {"metadata.name=web-1,metadata.namespace=shop", true},
      {"metadata.name=web-1,metadata.namespace=other", false},
      {"spec.nodeName=node-a", true},
      {"spec.nodeName=", false},  // unscheduled pods have an empty nodeName
      {"status.phase=Running", true},
      {"status.phase!=Pending", true},
      {"spec.hostNetwork=false", true},
      {"status.podIP=10.244.1.5", true},
      {",metadata.name=web-1,", true},  // empty terms are skipped
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(selects(text), want) << text;
}

TEST(FieldSelector, AbsentFieldsReadAsEmpty) {
  json pending = json::parse(R"({"metadata":{"name":"p","namespace":"shop"},"spec":{}})");
  EXPECT_TRUE(selects("spec.nodeName=", pending));
  EXPECT_TRUE(selects("spec.nodeName!=node-a", pending));
  EXPECT_EQ(fieldSelectorValue(basePod(), "spec.priority"), "5");
  EXPECT_EQ(fieldSelectorValue(basePod(), "spec"), "");
  EXPECT_EQ(fieldSelectorValue(basePod(), "spec.nodeName.x"), "");
  EXPECT_EQ(fieldSelectorValue(json("x"), "a"), "");
}

TEST(FieldSelector, EscapedValues) {
  json obj = json::parse(R"({"metadata":{"name":"a,b=c\\d"}})");
  auto s = FieldSelector::parse(R"(metadata.name=a\,b\=c\\d)");
  ASSERT_TRUE(s) << s.error();
  ASSERT_EQ(s->requirements().size(), 1U);
  EXPECT_EQ(s->requirements()[0].value, "a,b=c\\d");
  EXPECT_TRUE(s->matches(obj));
}

TEST(FieldSelector, Errors) {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bads[] = {
      {"metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"},
      {"spec.foo=bar", "field label not supported: spec.foo"},
      {"metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"},
      {"metadata.name=a\\", "invalid field selector: invalid escape sequence: \\"},
      {"metadata.name=a=b", "invalid field selector: unescaped character in value: 61"},
      {"metadata.labels=x", "field label not supported: metadata.labels"},
  };
  for (const auto& b : bads) {
    auto s = FieldSelector::parse(b.text);
    ASSERT_FALSE(s) << b.text;
    EXPECT_EQ(s.error(), b.message) << b.text;
  }
}

TEST(FieldSelector, SupportedFieldsPerKind) {
  EXPECT_TRUE(FieldSelector::parseForKind("spec.nodeName=x", "Pod"));
  EXPECT_FALSE(FieldSelector::parseForKind("spec.nodeName=x", "Service"));
  EXPECT_TRUE(FieldSelector::parseForKind("spec.clusterIP=None", "Service"));
  EXPECT_TRUE(FieldSelector::parseForKind("type=kubernetes.io/tls", "Secret"));
  EXPECT_TRUE(FieldSelector::parseForKind(
      "involvedObject.kind=Pod,involvedObject.name=web-1,involvedObject.namespace=shop", "Event"));
  EXPECT_FALSE(FieldSelector::parseForKind("type=x", "ConfigMap"));
  EXPECT_TRUE(FieldSelector::parse("spec.x=y", {"spec.x"}));
}

TEST(FieldSelector, EventsByInvolvedObject) {
  json ev = json::parse(R"({"metadata":{"name":"web-1.17a","namespace":"shop"},
      "involvedObject":{"kind":"Pod","name":"web-1","namespace":"shop","uid":"u1"},
      "type":"Warning","reason":"BackOff"})");
  EXPECT_TRUE(selects("involvedObject.uid=u1,type=Warning", ev, "Event"));
  EXPECT_FALSE(selects("involvedObject.name=web-2", ev, "Event"));
}

}  // namespace
}  // namespace ferry::api
