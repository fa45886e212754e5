// The metrics library: exact Prometheus text for each type, escaping,
// number formatting, cardinality bounds, registration rules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

#include "metrics/exposition.h"
#include "metrics/registry.h"

namespace steadfast::metrics {
namespace {

TEST(Exposition, EscapesLabelValues) {
  EXPECT_EQ(EscapeLabelValue(R"(a\b)"), R"(a\\b)");
  EXPECT_EQ(EscapeLabelValue(R"(say "hi")"), R"(say \"hi\")");
  EXPECT_EQ(EscapeLabelValue("two\nlines"), R"(two\nlines)");
  EXPECT_EQ(EscapeLabelValue("plain {}=,"), "plain {}=,");
}

TEST(Exposition, EscapesHelpButNotQuotes) {
  EXPECT_EQ(EscapeHelp("a \"b\" \\ c\nd"), "a \"b\" \\\\ c\\nd");
}

TEST(Exposition, FormatsNumbers) {
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(42), "42");
  EXPECT_EQ(FormatValue(-3), "-3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(0.005), "0.005");
  EXPECT_EQ(FormatValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatValue(std::nan("")), "NaN");
}

TEST(Exposition, ValidatesNames) {
  EXPECT_TRUE(IsValidMetricName("steadfast_x_total"));
  EXPECT_TRUE(IsValidMetricName("a:b"));
  EXPECT_FALSE(IsValidMetricName("1abc"));
  EXPECT_FALSE(IsValidMetricName("a-b"));
  EXPECT_FALSE(IsValidMetricName(""));
  EXPECT_TRUE(IsValidLabelName("workflow"));
  EXPECT_FALSE(IsValidLabelName("__reserved"));
  EXPECT_FALSE(IsValidLabelName("a:b"));
}

TEST(Registry, RendersCounterAndGaugeWithHelpAndType) {
  Registry r;
  r.AddCounter("t_events_total", "Events \"seen\".\nSecond line \\ end.").Inc(3);
  r.AddGauge("t_depth", "Depth.").Set(1.5);
  EXPECT_EQ(r.Render(),
            "# HELP t_depth Depth.\n"
            "# TYPE t_depth gauge\n"
            "t_depth 1.5\n"
            "# HELP t_events_total Events \"seen\".\\nSecond line \\\\ end.\n"
            "# TYPE t_events_total counter\n"
            "t_events_total 3\n");
}

TEST(Registry, CounterNeverGoesDown) {
  Registry r;
  Counter& c = r.AddCounter("t_total", "x");
  c.Inc(5);
  c.Inc(-2);
  c.Inc(0);
  EXPECT_EQ(c.value(), 5);
}

TEST(Registry, RendersLabelledFamilyWithEscapedValuesInOrder) {
  Registry r;
  auto& f = r.AddCounterFamily("t_req_total", "Requests.", {"route", "code"});
  f.WithLabels({"/b", "200"}).Inc();
  f.WithLabels({"/a\"x\\y\nz", "500"}).Inc(2);
  f.WithLabels({"/b", "200"}).Inc();
  EXPECT_EQ(r.Render(),
            "# HELP t_req_total Requests.\n"
            "# TYPE t_req_total counter\n"
            "t_req_total{route=\"/a\\\"x\\\\y\\nz\",code=\"500\"} 2\n"
            "t_req_total{route=\"/b\",code=\"200\"} 2\n");
}

TEST(Registry, RendersHistogramCumulativeBucketsSumAndCount) {
  Registry r;
  Histogram& h = r.AddHistogram("t_latency_seconds", "Latency.", {1, 0.1, 0.5, 0.1});
  h.Observe(0.05);
  h.Observe(0.1);   // bounds are inclusive: le="0.1"
  h.Observe(0.3);
  h.Observe(7);     // only +Inf
  EXPECT_EQ(r.Render(),
            "# HELP t_latency_seconds Latency.\n"
            "# TYPE t_latency_seconds histogram\n"
            "t_latency_seconds_bucket{le=\"0.1\"} 2\n"
            "t_latency_seconds_bucket{le=\"0.5\"} 3\n"
            "t_latency_seconds_bucket{le=\"1\"} 3\n"
            "t_latency_seconds_bucket{le=\"+Inf\"} 4\n"
            "t_latency_seconds_sum 7.45\n"
            "t_latency_seconds_count 4\n");
}

TEST(Registry, HistogramFamilyPutsLeAfterOtherLabels) {
  Registry r;
  auto& f = r.AddHistogramFamily("t_step_seconds", "Steps.", {"activity"}, {1});
  f.WithLabels({"std.noop"}).Observe(0.5);
  EXPECT_EQ(r.Render(),
            "# HELP t_step_seconds Steps.\n"
            "# TYPE t_step_seconds histogram\n"
            "t_step_seconds_bucket{activity=\"std.noop\",le=\"1\"} 1\n"
            "t_step_seconds_bucket{activity=\"std.noop\",le=\"+Inf\"} 1\n"
            "t_step_seconds_sum{activity=\"std.noop\"} 0.5\n"
            "t_step_seconds_count{activity=\"std.noop\"} 1\n");
}

TEST(Registry, FamilyCardinalityIsBounded) {
  Registry r;
  auto& f = r.AddCounterFamily("t_codes_total", "Codes.", {"code", "activity"}, 3);
  for (int i = 0; i < 10; ++i) f.WithLabels({"code" + std::to_string(i), "a"}).Inc();
  EXPECT_EQ(f.size(), 4u);  // three real series and the overflow series
  EXPECT_NE(r.Render().find("t_codes_total{code=\"other\",activity=\"other\"} 7\n"), std::string::npos);
}

TEST(Registry, AddingAgainReturnsTheSameMetricOrThrowsOnMismatch) {
  Registry r;
  Counter& a = r.AddCounter("t_total", "x");
  Counter& b = r.AddCounter("t_total", "x");
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.AddGauge("t_total", "x"), std::logic_error);
  r.AddCounterFamily("t_fam_total", "x", {"a"});
  EXPECT_THROW(r.AddCounterFamily("t_fam_total", "x", {"b"}), std::logic_error);
  EXPECT_THROW(r.AddCounter("bad-name", "x"), std::logic_error);
  EXPECT_THROW(r.AddCounterFamily("t_le_total", "x", {"le"}), std::logic_error);
}

TEST(Registry, CollectorsRunBeforeEveryRenderAndCanBeReplaced) {
  Registry r;
  Gauge& g = r.AddGauge("t_g", "x");
  int runs = 0;
  r.SetCollector("k", [&] { g.Set(++runs); });
  EXPECT_NE(r.Render().find("t_g 1\n"), std::string::npos);
  EXPECT_NE(r.Render().find("t_g 2\n"), std::string::npos);
  r.SetCollector("k", [&] { g.Set(100); });
  EXPECT_NE(r.Render().find("t_g 100\n"), std::string::npos);
}

TEST(Registry, ConcurrentUpdatesAreNotLost) {
  Registry r;
  Counter& c = r.AddCounter("t_total", "x");
  Histogram& h = r.AddHistogram("t_h", "x", {1});
  auto& f = r.AddCounterFamily("t_f_total", "x", {"k"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        c.Inc();
        h.Observe(0.5);
        f.WithLabels({std::to_string(i % 3)}).Inc();
      }
      (void)t;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.value(), 40000);
  EXPECT_EQ(h.count(), 40000u);
  EXPECT_DOUBLE_EQ(h.sum(), 20000.0);
  int64_t total = 0;
  for (const char* k : {"0", "1", "2"}) total += f.WithLabels({k}).value();
  EXPECT_EQ(total, 40000);
}

}  // namespace
}  // namespace steadfast::metrics
