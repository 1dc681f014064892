// Which Ingresses ferry-ingress serves (networking.k8s.io/v1 IngressClass semantics):
//
//  1. spec.ingressClassName set: ours iff it names an IngressClass whose spec.controller is our
//     controller name. A name of a class that does not exist (yet) is not ours.
//  2. else annotation kubernetes.io/ingress.class set (deprecated, still common): ours iff it
//     equals our class name.
//  3. else (no class at all): ours iff one of our IngressClasses carries
//     ingressclass.kubernetes.io/is-default-class: "true".
//
// The field wins over the annotation when both are set (the API server refuses new objects
// with both; old ones may have them).
#pragma once

#include <string>
#include <vector>

#include "ferry/ingress/ingress_objects.h"

namespace ferry::ingress {

inline constexpr std::string_view kDefaultControllerName = "ferry.io/ingress-controller";
inline constexpr std::string_view kDefaultClassName = "ferry";

struct ClassOptions {
  std::string controller{kDefaultControllerName};  // matched against IngressClass spec.controller
  std::string class_name{kDefaultClassName};       // matched against the legacy annotation
};

class ClassSelector {
 public:
  ClassSelector(ClassOptions options, const std::vector<IngressClassObject>& classes);

  bool selects(const IngressObject& ingress) const;
  // True when an IngressClass of ours is marked default (rule 3 applies).
  bool haveDefaultClass() const { return have_default_; }

 private:
  ClassOptions options_;
  std::vector<std::string> our_classes_;  // sorted names of IngressClasses with our controller
  bool have_default_ = false;
};

}  // namespace ferry::ingress
