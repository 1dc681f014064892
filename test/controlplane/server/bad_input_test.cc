// Malformed requests get the right status and leave the server healthy and its data intact.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "controlplane_fixture.h"
#include "https_client.h"

namespace ferry::testing {
namespace {

namespace http = boost::beast::http;

std::string adminToken(const std::string& dir) {
  std::ifstream in(dir + "/tokens.csv");
  std::string line;
  std::getline(in, line);
  return line.substr(0, line.find(','));
}

TEST(ControlPlaneBadInput, EachGetsItsStatusAndNothingIsLost) {
  ControlPlane cp;
  HttpsClient c("127.0.0.1", cp.port(), adminToken(cp.dir()), cp.dir() + "/pki/ca.crt");
  const std::string cms = "/api/v1/namespaces/default/configmaps";
  ASSERT_EQ(c.request(http::verb::post, cms, R"({"metadata":{"name":"keep"},"data":{"a":"b"}})").status, 201);

  EXPECT_EQ(c.request(http::verb::post, cms, "{not json").status, 400);
  EXPECT_EQ(c.request(http::verb::post, cms, "[1,2,3]").status, 400);
  EXPECT_EQ(c.request(http::verb::post, cms, std::string(200000, '[') + std::string(200000, ']')).status, 400)
      << "deep nesting is refused before it can exhaust the stack";
  EXPECT_EQ(c.request(http::verb::post, cms, R"({"metadata":{"name":"x"}})", "application/xml").status, 415);
  auto invalid = c.request(http::verb::post, cms, R"({"metadata":{"name":"Bad_Name"}})");
  EXPECT_EQ(invalid.status, 422);
  EXPECT_NE(invalid.body.find("metadata.name"), std::string::npos) << invalid.body;
  EXPECT_EQ(c.request(http::verb::patch, cms + "/keep", "{", "application/merge-patch+json").status, 400);
  EXPECT_EQ(c.request(http::verb::patch, cms + "/keep", R"([{"op":"remove","path":"/nope"}])",
                      "application/json-patch+json").status,
            422);
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(").status, 400);
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/namespaces/default/configmaps?fieldSelector=spec.nope%3Dx").status, 400);
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/namespaces/default/configmaps?continue=%21%21").status, 400);
  EXPECT_EQ(c.request(http::verb::get, "/api/v1/nosuchthings").status, 404);

  // Oversized body: 413 as soon as the declared length exceeds the limit; oversized headers: 431;
  // garbage: 400.
  EXPECT_EQ(c.rawExchange("POST " + cms + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 4194304\r\n\r\n{")
                .status,
            413);
  EXPECT_EQ(c.rawExchange("GET /api HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2 * 1024 * 1024, 'a') + "\r\n\r\n")
                .status,
            431);
  EXPECT_EQ(c.rawExchange("NOT HTTP AT ALL\r\n\r\n").status, 400);

  // The server is healthy and the first object is intact.
  auto keep = c.request(http::verb::get, cms + "/keep");
  ASSERT_EQ(keep.status, 200);
  EXPECT_EQ(nlohmann::json::parse(keep.body)["data"]["a"], "b");
  EXPECT_TRUE(cp.process().running());
}

}  // namespace
}  // namespace ferry::testing
