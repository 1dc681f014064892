// healthCheckNodePort answers from a real listener on loopback: 200 with the local endpoint
// count while this node has a ready endpoint, 503 without one, nothing once the Service is gone.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ferry/agent/health_check_server.h"
#include "ferry/model/snapshot.h"

namespace ferry::agent {
namespace {

uint16_t freePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

struct Reply {
  int status = 0;
  std::string headers, body;
};

// GET / on 127.0.0.1:port; nullopt when nothing listens.
std::optional<Reply> get(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return std::nullopt;
  }
  const std::string req = "GET / HTTP/1.1\r\nHost: lb\r\n\r\n";
  EXPECT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, static_cast<size_t>(n));
  close(fd);
  Reply r;
  const size_t split = all.find("\r\n\r\n");
  if (all.size() < 12 || split == std::string::npos) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.headers = all.substr(0, split);
  r.body = all.substr(split + 4);
  return r;
}

model::Service lbService(uint16_t hc_port,
                         std::vector<std::pair<std::string, model::BackendState>> eps,
                         const std::string& port_name = "") {
  model::Service s;
  s.name = {"shop", "web", port_name};
  s.health_check_node_port = hc_port;
  int i = 1;
  for (const auto& [node, state] : eps) {
    s.backends.push_back(
        {*model::IpAddress::parse("10.244.0." + std::to_string(i++)), 8080, state, node, "", 1});
  }
  return s;
}

model::ServiceSnapshot::Ptr snapshotOf(std::vector<model::Service> services, uint64_t version) {
  model::SnapshotBuilder b;
  for (auto& s : services) b.upsert(std::move(s));
  return b.build(version);
}

TEST(HealthCheckPorts, CountsReadyEndpointsOnThisNodeOnly) {
  auto snap = snapshotOf({lbService(30001, {{"node-a", model::BackendState::kReady},
                                            {"node-a", model::BackendState::kReady},
                                            {"node-a", model::BackendState::kServingTerminating},
                                            {"node-b", model::BackendState::kReady}}),
                          lbService(0, {{"node-a", model::BackendState::kReady}}, "other")},
                         1);
  const auto ports = healthCheckPorts(*snap, "node-a");
  ASSERT_EQ(ports.size(), 1U);
  EXPECT_EQ(ports.at(30001), (HealthCheckEntry{"shop", "web", 2}));
  EXPECT_EQ(healthCheckPorts(*snap, "node-c").at(30001).local_endpoints, 0U);
}

TEST(HealthCheckServer, AnswersLikeKubeProxyAndFollowsSnapshots) {
  const uint16_t port = freePort();
  HealthCheckServer server({.node_name = "node-a", .bind_address = "127.0.0.1"});
  std::string error;

  ASSERT_TRUE(
      server.program(*snapshotOf({lbService(port, {{"node-a", model::BackendState::kReady},
                                                   {"node-b", model::BackendState::kReady}})},
                                 1),
                     error))
      << error;
  EXPECT_EQ(server.listening(), 1U);
  auto up = get(port);
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->status, 200);
  EXPECT_NE(up->headers.find("X-Load-Balancing-Endpoint-Weight: 1"), std::string::npos)
      << up->headers;
  const auto body = nlohmann::json::parse(up->body);
  EXPECT_EQ(body["service"]["namespace"], "shop");
  EXPECT_EQ(body["service"]["name"], "web");
  EXPECT_EQ(body["localEndpoints"], 1);
  EXPECT_EQ(body["serviceProxyHealthy"], true);

  // The local endpoint went away: 503, so the load balancer stops sending here.
  ASSERT_TRUE(server.program(
      *snapshotOf({lbService(port, {{"node-b", model::BackendState::kReady}})}, 2), error));
  auto down = get(port);
  ASSERT_TRUE(down.has_value());
  EXPECT_EQ(down->status, 503);
  EXPECT_EQ(nlohmann::json::parse(down->body)["localEndpoints"], 0);

  // The Service went away: the port closes.
  ASSERT_TRUE(server.program(*snapshotOf({}, 3), error));
  EXPECT_EQ(server.listening(), 0U);
  EXPECT_FALSE(get(port).has_value());
}

TEST(HealthCheckServer, APortInUseIsReportedAndTheOthersServed) {
  const uint16_t taken = freePort(), free = freePort();
  const int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(taken);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  HealthCheckServer server({.node_name = "node-a", .bind_address = "127.0.0.1"});
  std::string error;
  model::Service other = lbService(free, {{"node-a", model::BackendState::kReady}});
  other.name.name = "api";
  EXPECT_FALSE(server.program(
      *snapshotOf({lbService(taken, {{"node-a", model::BackendState::kReady}}), other}, 1), error));
  EXPECT_NE(error.find(std::to_string(taken)), std::string::npos) << error;
  auto reply = get(free);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  close(blocker);
}

}  // namespace
}  // namespace ferry::agent
