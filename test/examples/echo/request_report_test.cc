// ferry-echo's routes and report format, in-process.
#include "ferry/echo/request_report.h"

#include <gmock/gmock.h>

namespace ferry::echo {
namespace {

using namespace std::chrono_literals;

TEST(RouteTest, NamedPathsAndNumbers) {
  EXPECT_EQ(routeFor("/").kind, RouteKind::kEcho);
  EXPECT_EQ(routeFor("/anything/else?x=1").kind, RouteKind::kEcho);
  EXPECT_EQ(routeFor("/healthz").kind, RouteKind::kHealthz);
  EXPECT_EQ(routeFor("/readyz?verbose").kind, RouteKind::kReadyz);
  EXPECT_EQ(routeFor("/metrics").kind, RouteKind::kMetrics);
  EXPECT_EQ(routeFor("/ws").kind, RouteKind::kWebSocket);
  EXPECT_EQ(routeFor("/healthz/more").kind, RouteKind::kEcho);

  const Route status = routeFor("/status/503");
  EXPECT_EQ(status.kind, RouteKind::kStatus);
  EXPECT_EQ(status.status, 503);
  EXPECT_EQ(routeFor("/status/599").status, 599);
  for (const char* bad : {"/status/", "/status/199", "/status/600", "/status/5x3", "/status/-1",
                          "/status/9999999999", "/delay/", "/delay/1s", "/delay/-5"}) {
    EXPECT_EQ(routeFor(bad).kind, RouteKind::kBadRequest) << bad;
  }
  const Route delay = routeFor("/delay/250?x");
  EXPECT_EQ(delay.kind, RouteKind::kDelay);
  EXPECT_EQ(delay.delay, 250ms);
  EXPECT_EQ(routeFor("/delay/600000").delay, kMaxDelay);
}

TEST(RouteTest, OnlyPostAndPutEchoBodies) {
  EXPECT_TRUE(echoesBody("POST"));
  EXPECT_TRUE(echoesBody("PUT"));
  EXPECT_FALSE(echoesBody("GET"));
  EXPECT_FALSE(echoesBody("PATCH"));
  EXPECT_FALSE(echoesBody("post"));  // methods are case-sensitive (RFC 9110 §9.1)
}

TEST(ReportTest, FirstLineThenOneLinePerHeader) {
  RequestView view;
  view.proto = "HTTP/1.1";
  view.method = "GET";
  view.target = "/a?b=c";
  view.host = "web.example";
  view.client = "10.0.0.1:5555";
  view.headers = {{"host", "web.example"}, {"x-forwarded-for", "1.2.3.4"}};
  EXPECT_EQ(describeRequest({"web-0", "shop"}, view),
            "pod=web-0 namespace=shop proto=HTTP/1.1 method=GET path=/a?b=c host=web.example "
            "client=10.0.0.1:5555\n"
            "header: host=web.example\n"
            "header: x-forwarded-for=1.2.3.4\n");
}

TEST(ReportTest, PeersAndLowercase) {
  EXPECT_EQ(formatPeer("10.0.0.1", 80), "10.0.0.1:80");
  EXPECT_EQ(formatPeer("fd00::1", 443), "[fd00::1]:443");
  EXPECT_EQ(toLower("X-Forwarded-For"), "x-forwarded-for");
}

}  // namespace
}  // namespace ferry::echo
