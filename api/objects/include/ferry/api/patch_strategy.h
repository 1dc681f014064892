// Which list fields a strategic merge patch merges, and by which key: the `patchStrategy` and
// `patchMergeKey` struct tags of k8s.io/api, per kind, for the kinds ferry serves. Every list not
// named here is replaced wholesale (no tag, or +listType=atomic), which is also what the
// strategic patch of an unknown kind does: JSON merge patch semantics.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace ferry::api {

struct ListPatchStrategy {
  bool merge = false;        // patchStrategy:"merge"
  bool retain_keys = false;  // patchStrategy:"merge,retainKeys" (only clients emit $retainKeys)
  std::string merge_key;     // patchMergeKey; empty for lists of scalars (merged as a set)
};

class PatchSchema {
 public:
  // Paths are the field names from the object root with list levels elided:
  // "spec.containers.ports" is spec.containers[*].ports.
  PatchSchema& mergeList(std::string path, std::string merge_key = {}, bool retain_keys = false);
  PatchSchema& atomicList(std::string path);

  // nullptr: replace the list wholesale.
  const ListPatchStrategy* find(std::string_view path) const;

  // The table for a kind ("Service", "Pod", ...); unknown kinds get only the ObjectMeta rules
  // (finalizers, ownerReferences), which hold for every Kubernetes object.
  static const PatchSchema& forKind(std::string_view kind);

 private:
  std::map<std::string, ListPatchStrategy, std::less<>> lists_;
};

}  // namespace ferry::api
