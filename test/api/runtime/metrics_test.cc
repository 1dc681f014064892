#include "ferry/runtime/metrics.h"

#include <gtest/gtest.h>

#include <thread>

namespace ferry::runtime {
namespace {

TEST(Metrics, RendersPrometheusTextFormat) {
  Registry r;
  r.counter("ferry_requests_total", "Requests served.", {{"code", "200"}}).inc(3);
  r.counter("ferry_requests_total", "Requests served.", {{"code", "404"}}).inc();
  r.gauge("ferry_watchers", "Open watches.").set(7);
  auto& h = r.histogram("ferry_latency_seconds", "Latency.", {}, {0.1, 1});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const std::string want =
      "# HELP ferry_latency_seconds Latency.\n"
      "# TYPE ferry_latency_seconds histogram\n"
      "ferry_latency_seconds_bucket{le=\"0.10000000000000001\"} 1\n"
      "ferry_latency_seconds_bucket{le=\"1\"} 2\n"
      "ferry_latency_seconds_bucket{le=\"+Inf\"} 3\n"
      "ferry_latency_seconds_sum 5.5499999999999998\n"
      "ferry_latency_seconds_count 3\n"
      "# HELP ferry_requests_total Requests served.\n"
      "# TYPE ferry_requests_total counter\n"
      "ferry_requests_total{code=\"200\"} 3\n"
      "ferry_requests_total{code=\"404\"} 1\n"
      "# HELP ferry_watchers Open watches.\n"
      "# TYPE ferry_watchers gauge\n"
      "ferry_watchers 7\n";
  EXPECT_EQ(r.render(), want);
}

TEST(Metrics, SameNameAndLabelsIsTheSameSeries) {
  Registry r;
  auto& a = r.counter("x_total", "x", {{"k", "v"}});
  auto& b = r.counter("x_total", "x", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("x_total", "x"), std::logic_error);
}

TEST(Metrics, LabelValuesAreEscaped) {
  Registry r;
  r.counter("e_total", "e", {{"path", "a\"b\\c\nd"}}).inc();
  EXPECT_NE(r.render().find(R"(e_total{path="a\"b\\c\nd"} 1)"), std::string::npos);
}

TEST(Metrics, ConcurrentIncrementsAreNotLost) {
  Registry r;
  auto& c = r.counter("c_total", "c");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) c.inc();
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 400000U);
}

}  // namespace
}  // namespace ferry::runtime
