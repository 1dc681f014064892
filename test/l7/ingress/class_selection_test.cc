// Which Ingresses are ours: ingressClassName -> IngressClass with our controller, the legacy
// annotation, the default class; foreign classes ignored.
#include "ferry/ingress/class_selection.h"

#include <gtest/gtest.h>

#include "ingress_fixtures.h"

namespace ferry::ingress {
namespace {

using testing::backendPort;
using testing::Harness;
using testing::httpPath;
using testing::ingressClass;
using testing::ingressObject;
using testing::Json;
using testing::parsed;
using testing::rule;

Json spec(const Json& class_name) {
  Json s = {{"rules", {rule("foo.com", {httpPath("/", "Prefix", backendPort("svc", 80))})}}};
  s["ingressClassName"] = class_name;  // null = no class field
  return s;
}

IngressClassObject cls(const std::string& name, const std::string& controller,
                       bool is_default = false) {
  return {name, controller, is_default};
}

IngressObject withLegacy(const std::string& value) {
  return parsed(ingressObject("ns", "i", spec(nullptr), testing::kT0,
                              {{"kubernetes.io/ingress.class", value}}));
}

TEST(ClassSelection, ByIngressClassName) {
  ClassSelector selector(
      {}, {cls("ferry", "ferry.io/ingress-controller"), cls("nginx", "k8s.io/ingress-nginx")});
  EXPECT_TRUE(selector.selects(parsed(ingressObject("ns", "i", spec("ferry")))));
  EXPECT_FALSE(selector.selects(parsed(ingressObject("ns", "i", spec("nginx")))));
  EXPECT_FALSE(selector.selects(parsed(ingressObject("ns", "i", spec("missing")))))
      << "a class that does not exist is nobody's";
}

TEST(ClassSelection, ClassNameIsMatchedByControllerNotByName) {
  // Our controller under another class name; a foreign controller under the name "ferry".
  ClassSelector selector(
      {}, {cls("public", "ferry.io/ingress-controller"), cls("ferry", "example.com/other")});
  EXPECT_TRUE(selector.selects(parsed(ingressObject("ns", "i", spec("public")))));
  EXPECT_FALSE(selector.selects(parsed(ingressObject("ns", "i", spec("ferry")))));
}

TEST(ClassSelection, ByLegacyAnnotation) {
  ClassSelector selector({}, {});
  EXPECT_TRUE(selector.selects(withLegacy("ferry")));
  EXPECT_FALSE(selector.selects(withLegacy("nginx")));
  EXPECT_FALSE(selector.selects(withLegacy("Ferry")));
}

TEST(ClassSelection, FieldWinsOverAnnotation) {
  ClassSelector selector({}, {cls("nginx", "k8s.io/ingress-nginx")});
  IngressObject both = parsed(ingressObject("ns", "i", spec("nginx"), testing::kT0,
                                            {{"kubernetes.io/ingress.class", "ferry"}}));
  EXPECT_FALSE(selector.selects(both));
}

TEST(ClassSelection, NoClassIsOursOnlyWithOurDefaultClass) {
  IngressObject classless = parsed(ingressObject("ns", "i", spec(nullptr)));
  ASSERT_FALSE(classless.class_name);
  ASSERT_FALSE(classless.legacy_class);
  EXPECT_FALSE(ClassSelector({}, {}).selects(classless));
  EXPECT_FALSE(ClassSelector({}, {cls("ferry", "ferry.io/ingress-controller")}).selects(classless));
  EXPECT_FALSE(ClassSelector({}, {cls("nginx", "k8s.io/ingress-nginx", true)}).selects(classless))
      << "another controller's default class";
  ClassSelector ours({}, {cls("ferry", "ferry.io/ingress-controller", true)});
  EXPECT_TRUE(ours.haveDefaultClass());
  EXPECT_TRUE(ours.selects(classless));
}

TEST(ClassSelection, ControllerAndClassNameAreConfigurable) {
  ClassOptions options{"example.com/edge", "edge"};
  ClassSelector selector(options, {cls("edge-class", "example.com/edge"),
                                   cls("ferry", "ferry.io/ingress-controller")});
  EXPECT_TRUE(selector.selects(parsed(ingressObject("ns", "i", spec("edge-class")))));
  EXPECT_FALSE(selector.selects(parsed(ingressObject("ns", "i", spec("ferry")))));
  EXPECT_TRUE(selector.selects(withLegacy("edge")));
  EXPECT_FALSE(selector.selects(withLegacy("ferry")));
}

TEST(ClassSelection, DefaultClassAnnotationMustBeExactlyTrue) {
  Json c = ingressClass("ferry", testing::kOurController);
  c["metadata"]["annotations"] = {{"ingressclass.kubernetes.io/is-default-class", "yes"}};
  auto parsed_class = parseIngressClass(c);
  ASSERT_TRUE(parsed_class.ok()) << parsed_class.error();
  EXPECT_FALSE(parsed_class->is_default);
  auto default_class = parseIngressClass(ingressClass("ferry", testing::kOurController, true));
  ASSERT_TRUE(default_class.ok());
  EXPECT_TRUE(default_class->is_default);
}

TEST(ClassSelection, ForeignIngressesNeverRouteThroughTheBuilder) {
  Harness h;
  ASSERT_TRUE(h.apply("IngressClass", ingressClass("nginx", "k8s.io/ingress-nginx")).ok());
  ASSERT_TRUE(h.apply("Ingress", ingressObject("ns", "ours", spec("ferry"))).ok());
  Json foreign = spec("nginx");
  foreign["rules"][0]["host"] = "bar.com";
  ASSERT_TRUE(h.apply("Ingress", ingressObject("ns", "theirs", foreign)).ok());
  ASSERT_TRUE(h.apply("Ingress", ingressObject("ns", "legacy-theirs", spec(nullptr), testing::kT0,
                                               {{"kubernetes.io/ingress.class", "nginx"}}))
                  .ok());
  auto config = h.build();
  EXPECT_EQ(config->routes().hostKeys(), std::vector<std::string>{"foo.com"});
  EXPECT_FALSE(config->routes().match("bar.com", "/"));
}

TEST(ClassSelection, ClassChangesReselect) {
  Harness h({}, /*add_class=*/false);
  ASSERT_TRUE(h.apply("Ingress", ingressObject("ns", "i", spec(nullptr))).ok());
  EXPECT_FALSE(h.build()->routes().match("foo.com", "/")) << "no default class yet";
  ASSERT_TRUE(h.apply("IngressClass", ingressClass("ferry", testing::kOurController, true)).ok());
  EXPECT_TRUE(h.build()->routes().match("foo.com", "/")) << "our class became default";
  EXPECT_TRUE(h.builder().remove("IngressClass", "", "ferry"));
  EXPECT_FALSE(h.build()->routes().match("foo.com", "/")) << "the default class went away";
}

}  // namespace
}  // namespace ferry::ingress
