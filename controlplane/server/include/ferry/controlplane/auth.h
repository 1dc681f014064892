// Bearer-token authentication and role-based authorization.
//
// Tokens live in a static token file in kube-apiserver's --token-auth-file format
// (token,user,uid,"group1,group2"), generated on first start with an admin, a node-agent and an
// ingress-agent token. Roles, by group:
//   system:masters  admin: every verb on every resource;
//   system:nodes    node agent: read (get/list/watch) what agents need, write Nodes (its own
//                   heartbeat) and Events;
//   ferry:ingress   with system:nodes: also read Secrets (TLS keys for the ingress tier).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/api/result.h"

namespace ferry::controlplane {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

struct TokenEntry {
  std::string token;
  UserInfo user;
};

class Authenticator {
 public:
  // Reads the token file, creating it with fresh admin and node tokens when absent.
  static api::Result<Authenticator> loadOrCreate(const std::filesystem::path& path);
  explicit Authenticator(std::vector<TokenEntry> entries) : entries_(std::move(entries)) {}

  // The user behind an `Authorization: Bearer <token>` header, or nullopt.
  std::optional<UserInfo> authenticate(std::string_view authorization_header) const;
  // The token of the first user in `group` (for writing kubeconfigs).
  std::optional<std::string> tokenForGroup(std::string_view group) const;

 private:
  std::vector<TokenEntry> entries_;
};

struct Access {
  std::string verb;      // get list watch create update patch delete deletecollection
  std::string group;     // "" for core
  std::string resource;  // plural, e.g. "services"
  std::string subresource;
};

// Allowed or not; the server answers 403 with a Status naming the user, verb and resource.
bool authorize(const UserInfo& user, const Access& access);

}  // namespace ferry::controlplane
