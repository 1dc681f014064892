// Where an agent finds the control plane and its credentials: the kubeconfig the control plane
// writes for agents (agent.kubeconfig) holds the API server URL, its CA and a node token; the
// feed listens on the same host. ferry-controlplane's mirror mode reads the upstream API
// server's kubeconfig with the same reader (bearer token or client certificate).
#pragma once

#include <string>

#include "ferry/api/result.h"
#include "ferry/feed/feed_client.h"

namespace ferry::feed {

struct KubeconfigCredentials {
  std::string server;  // https://host:port
  std::string host;    // host part of server ("[::1]" kept bracketed)
  std::string ca_pem;
  std::string token;
  // A client certificate and key (PEM), when the user authenticates with one instead of (or
  // besides) a token. Only HTTPS clients use them; the feed authenticates by token.
  std::string client_cert_pem;
  std::string client_key_pem;
};

// Reads the current context's cluster and user (or the first ones): server, CA (inline data
// or file), bearer token (inline or tokenFile) and client certificate and key (inline data or
// files). Relative file paths resolve against the kubeconfig's directory, as kubectl does.
// Fails without a CA, or with neither a token nor a client certificate and key.
api::Result<KubeconfigCredentials> readKubeconfig(const std::string& path);

// FeedClientOptions for `creds` with the feed at host:`feed_port`, unless `feed_address`
// (host:port) says otherwise.
FeedClientOptions feedOptionsFrom(const KubeconfigCredentials& creds, uint16_t feed_port,
                                  const std::string& feed_address = {});

}  // namespace ferry::feed
