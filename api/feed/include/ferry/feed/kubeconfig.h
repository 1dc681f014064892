// Where an agent finds the control plane and its credentials: the kubeconfig the control plane
// writes for agents (agent.kubeconfig) holds the API server URL, its CA and a node token; the
// feed listens on the same host.
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
};

// Reads the current context's cluster and user (or the first ones): server, CA (inline data
// or file) and bearer token (inline or tokenFile).
api::Result<KubeconfigCredentials> readKubeconfig(const std::string& path);

// FeedClientOptions for `creds` with the feed at host:`feed_port`, unless `feed_address`
// (host:port) says otherwise.
FeedClientOptions feedOptionsFrom(const KubeconfigCredentials& creds, uint16_t feed_port,
                                  const std::string& feed_address = {});

}  // namespace ferry::feed
