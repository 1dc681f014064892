#include "ferry/ingress/class_selection.h"

#include <algorithm>

namespace ferry::ingress {

ClassSelector::ClassSelector(ClassOptions options, const std::vector<IngressClassObject>& classes)
    : options_(std::move(options)) {
  for (const IngressClassObject& c : classes) {
    if (c.controller != options_.controller) continue;
    our_classes_.push_back(c.name);
    have_default_ = have_default_ || c.is_default;
  }
  std::sort(our_classes_.begin(), our_classes_.end());
}

bool ClassSelector::selects(const IngressObject& ingress) const {
  if (ingress.class_name) {
    return std::binary_search(our_classes_.begin(), our_classes_.end(), *ingress.class_name);
  }
  if (ingress.legacy_class) return *ingress.legacy_class == options_.class_name;
  return have_default_;
}

}  // namespace ferry::ingress
