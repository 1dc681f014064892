#include "ferry/api/label_selector.h"

#include <gtest/gtest.h>

namespace ferry::api {
namespace {

using nlohmann::json;

json baseLabels() {
  return json::parse(R"({"app":"web","tier":"frontend","env":"prod","replicas":"3",
    "app.kubernetes.io/name":"web","empty":""})");
}

bool selects(const char* text, const json& labels = baseLabels()) {
  auto s = LabelSelector::parse(text);
  EXPECT_TRUE(s) << text << ": " << s.error();
  return s && s->matches(labels);
}

TEST(LabelSelector, Operators) {
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"app=web", true},
      {"app==web", true},
      {"app=api", false},
      {"app!=api", true},
      {"app!=web", false},
      {"missing!=x", true},  // != and notin select objects without the label
      {"app in (web,api)", true},
      {"app in (api)", false},
      {"app notin (api, db)", true},
      {"app notin (web)", false},
      {"missing notin (x)", true},
      {"app", true},
      {"missing", false},
      {"!missing", true},
      {"!app", false},
      {"app=web,tier=frontend", true},
      {"app=web,tier=backend", false},
      {"app.kubernetes.io/name=web", true},
      {"empty=", true},  // "a=" selects a == ""
      {"empty in ()", true},
      {"app in (,web)", true},
      {"replicas>2", true},
      {"replicas>3", false},
      {"replicas<4", true},
      {"app>1", false},  // not an integer: no match
      {"missing<5", false},
      {"  app = web ,  env in ( prod , dev )  ", true},
      {"in=x", false},  // "in" is a valid key
  };
  for (const auto& [text, want] : cases) EXPECT_EQ(selects(text), want) << text;
}

TEST(LabelSelector, KeywordsAreIdentifiersWhereValuesGo) {
  json labels = json::parse(R"({"in":"notin"})");
  EXPECT_TRUE(selects("in=notin", labels));
  EXPECT_TRUE(selects("in in (notin)", labels));
}

TEST(LabelSelector, ErrorsReadLikeKubes) {
  struct Bad {
    const char* text;
    const char* message;
  };
  const Bad bads[] = {
      {"app=web,", "found '', expected: identifier after ','"},
      {",app", "found ',', expected: !, identifier, or 'end of string'"},
      {"app web",
       "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"},
      {"app in web", "unable to parse requirement: found 'web' expected: '('"},
      {"app in (web", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"app = (web)", "unable to parse requirement: found '(', expected: identifier"},
      {"!app=web", "found '=', expected: ',' or 'end of string'"},
      {"app=a=b", "found '=', expected: ',' or 'end of string'"},
      {"app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
      {"app>x",
       "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' "
       "operators, the value must be an integer"},
      {"-app=x",
       "unable to parse requirement: key: Invalid value: \"-app\": name part must consist of "
       "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
       "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
       "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
      {"app=-x",
       "unable to parse requirement: values[0][app]: Invalid value: \"-x\": a valid label must be "
       "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and "
       "end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
       "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
      {"app=!x", "unable to parse requirement: found '!', expected: identifier"},
      {"app<>1", "unable to parse requirement: found '>', expected: identifier"},
      {"app=(", "unable to parse requirement: found '(', expected: identifier"},
      {"app ! x", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"},
  };
  for (const auto& b : bads) {
    auto s = LabelSelector::parse(b.text);
    ASSERT_FALSE(s) << b.text;
    EXPECT_EQ(s.error(), b.message) << b.text;
  }
}

TEST(LabelSelector, CanonicalString) {
  auto s = LabelSelector::parse("tier in (b,a),app=web,!x,y,z notin (q),n>1");
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->toString(), "app=web,n>1,tier in (a,b),!x,y,z notin (q)");
  EXPECT_FALSE(s->selectsEverything());
  EXPECT_TRUE(LabelSelector().selectsEverything());
}

TEST(LabelSelector, MatchesObjectsByMetadataLabels) {
  auto s = LabelSelector::parse("app=web");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->matchesObject(json::parse(R"({"metadata":{"labels":{"app":"web"}}})")));
  EXPECT_FALSE(s->matchesObject(json::parse(R"({"metadata":{}})")));
  EXPECT_FALSE(s->matchesObject(json::parse(R"("not an object")")));
  auto absent = LabelSelector::parse("!app");
  ASSERT_TRUE(absent);
  EXPECT_TRUE(absent->matchesObject(json::parse(R"({"metadata":{"labels":null}})")));
  EXPECT_TRUE(absent->matchesObject(json::parse(R"({})")));
  // Non-string label values count as absent.
  EXPECT_FALSE(s->matches(json::parse(R"({"app":1})")));
}

TEST(LabelSelector, FromJson) {
  auto s = LabelSelector::fromJson(json::parse(R"({"matchLabels":{"app":"web"},
      "matchExpressions":[{"key":"env","operator":"In","values":["prod","dev"]},
                          {"key":"canary","operator":"DoesNotExist"},
                          {"key":"tier","operator":"Exists"},
                          {"key":"zone","operator":"NotIn","values":["a"]}]})"));
  ASSERT_TRUE(s) << s.error();
  EXPECT_TRUE(s->matches(json::parse(R"({"app":"web","env":"prod","tier":"x"})")));
  EXPECT_FALSE(s->matches(json::parse(R"({"app":"web","env":"prod","tier":"x","canary":"1"})")));
  EXPECT_FALSE(s->matches(json::parse(R"({"app":"web","env":"qa","tier":"x"})")));
  EXPECT_FALSE(s->matches(json::parse(R"({"app":"web","env":"dev","tier":"x","zone":"a"})")));
  EXPECT_EQ(s->toString(), "app=web,!canary,env in (dev,prod),tier,zone notin (a)");
}

TEST(LabelSelector, FromJsonNullSelectsNothingEmptySelectsEverything) {
  auto none = LabelSelector::fromJson(json());
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->selectsNothing());
  EXPECT_FALSE(none->matches(json::object()));
  auto all = LabelSelector::fromJson(json::object());
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->selectsEverything());
  EXPECT_TRUE(all->matches(json::object()));
}

TEST(LabelSelector, FromJsonErrors) {
  struct Bad {
    const char* selector;
    const char* message;
  };
  const Bad bads[] = {
      {R"({"matchExpressions":[{"key":"a","operator":"Gt","values":["1"]}]})",
       "\"Gt\" is not a valid label selector operator"},
      {R"({"matchExpressions":[{"key":"a","operator":"In"}]})",
       "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be "
       "empty"},
      {R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})",
       "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does "
       "not exist"},
      {R"({"matchLabels":{"a":1}})", "matchLabels[a] must be a string"},
      {R"({"matchLabels":[]})", "matchLabels must be an object of strings"},
      {R"({"matchExpressions":{}})", "matchExpressions must be a list"},
      {R"({"matchExpressions":[{"operator":"Exists"}]})", "matchExpressions key must be a string"},
      {R"("x")", "a label selector must be an object"},
  };
  for (const auto& b : bads) {
    auto s = LabelSelector::fromJson(json::parse(b.selector));
    ASSERT_FALSE(s) << b.selector;
    EXPECT_EQ(s.error(), b.message) << b.selector;
  }
}

TEST(LabelSelector, RequirementArity) {
  EXPECT_FALSE(makeLabelRequirement("a", SelectorOperator::kEquals, {"x", "y"}));
  EXPECT_FALSE(makeLabelRequirement("a", SelectorOperator::kGreaterThan, {}));
  auto both = makeLabelRequirement("-a", SelectorOperator::kIn, {});
  ASSERT_FALSE(both);
  EXPECT_EQ(both.error().front(), '[');  // several causes aggregate as "[a, b]"
  auto ok = makeLabelRequirement("a", SelectorOperator::kIn, {"y", "x", "y"});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->values, (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace ferry::api
