// Readiness probes as the kubelet runs them: an HTTP GET from the node to the pod's address,
// success on a 2xx or 3xx status within the timeout.
#pragma once

#include <chrono>
#include <string>

namespace ferry::agent::pods {

struct HttpProbe {
  int port = 0;
  std::string path = "/";
};

// "8080:/readyz" (path defaults to "/"); nullopt-like: port 0 on a malformed spec.
HttpProbe parseHttpProbe(const std::string& spec);

// One probe, from the network namespace /run/netns/<from_netns> ("" : the calling thread's).
// true on 200-399. Only the socket is made there: the thread itself stays where it is.
bool probeHttp(const std::string& ip, const HttpProbe& probe, std::chrono::milliseconds timeout,
               const std::string& from_netns = {});

// Moves the calling thread into the network namespace /run/netns/<name>. "" or the error.
std::string enterNetns(const std::string& name);

}  // namespace ferry::agent::pods
