// The resource types ferry's API server serves, described once: discovery documents, Table
// printers, OpenAPI paths and request routing all read this registry, so a resource cannot
// be listed in one place and missing in another.
//
// Names, short names, verbs, categories and subresources follow what kube-apiserver 1.32
// reports for the same resources (`kubectl api-resources -o wide`), restricted to the
// subresources ferry implements.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::api {

struct SubresourceType {
  std::string_view name;  // "status"
  std::string_view kind;  // kind of the object the subresource reads and writes
  std::span<const std::string_view> verbs;
};

struct ResourceType {
  std::string_view group;  // "" for the core (legacy) group
  std::string_view version;
  std::string_view kind;
  std::string_view list_kind;
  std::string_view plural;  // the resource name in URLs: "services"
  std::string_view singular;
  std::span<const std::string_view> short_names;
  bool namespaced;
  std::span<const std::string_view> verbs;  // sorted, as kube-apiserver lists them
  std::span<const std::string_view> categories;
  std::span<const SubresourceType> subresources;

  // "v1" for the core group, "<group>/<version>" otherwise: the apiVersion of objects.
  std::string apiVersion() const;
  bool hasVerb(std::string_view verb) const;
  bool hasShortName(std::string_view name) const;
  const SubresourceType* findSubresource(std::string_view name) const;
};

struct GroupVersion {
  std::string_view group;
  std::string_view version;

  std::string toString() const;  // "v1", "networking.k8s.io/v1"
  // Where the group-version lives: "/api/v1" or "/apis/<group>/<version>".
  std::string path() const;
  bool operator==(const GroupVersion&) const = default;
};

// Every served resource, core group first, then the other groups in discovery order.
std::span<const ResourceType> resourceTypes();

// Group-versions in discovery order (core first), each once.
std::vector<GroupVersion> groupVersions();

// Resources of one group-version, in registry order.
std::vector<const ResourceType*> resourcesOf(std::string_view group, std::string_view version);

// Lookups return nullptr when nothing matches. Names compare exactly (kube's are lower case).
const ResourceType* findResource(std::string_view group, std::string_view version,
                                 std::string_view plural);
const ResourceType* findResourceByKind(std::string_view group, std::string_view version,
                                       std::string_view kind);
// By kind alone: the first match in registry order (kinds are unique among ferry's resources).
const ResourceType* findResourceByKind(std::string_view kind);
const ResourceType* findResourceByShortName(std::string_view short_name);
// Resolves what a user may type after `kubectl get`: plural, singular or short name.
const ResourceType* findResourceByAnyName(std::string_view name);

}  // namespace ferry::api
