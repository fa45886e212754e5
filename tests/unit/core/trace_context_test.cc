// W3C traceparent parsing and the engine's derived span ids.
#include "core/trace_context.h"

#include <gtest/gtest.h>

#include "core/random.h"

namespace steadfast::tracing {
namespace {

constexpr const char* kExample = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(TraceparentTest, ParsesTheSpecExample) {
  auto c = ParseTraceparent(kExample);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(c->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(c->sampled);
  EXPECT_EQ(FormatTraceparent(*c), kExample);
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")->sampled);
}

TEST(TraceparentTest, RefusesWhatTheSpecRefuses) {
  EXPECT_FALSE(ParseTraceparent("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));  // uppercase
  EXPECT_FALSE(ParseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));  // zero trace
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));  // zero span
  EXPECT_FALSE(ParseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));  // invalid version
  EXPECT_FALSE(ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x"));  // v00 is exact
  EXPECT_FALSE(ParseTraceparent("garbage"));
  EXPECT_FALSE(ParseTraceparent(""));
}

TEST(TraceparentTest, FutureVersionsAreReadByTheirFirstFields) {
  auto c = ParseTraceparent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->span_id, "00f067aa0ba902b7");
}

TEST(SpanIdsTest, AreStableAndDistinct) {
  EXPECT_EQ(WorkflowSpanId("wf-1"), WorkflowSpanId("wf-1"));
  EXPECT_EQ(WorkflowSpanId("wf-1").size(), 16u);
  EXPECT_NE(WorkflowSpanId("wf-1"), WorkflowSpanId("wf-2"));
  EXPECT_EQ(AttemptSpanId("wf-1", "psp", 2, false), AttemptSpanId("wf-1", "psp", 2, false));
  EXPECT_NE(AttemptSpanId("wf-1", "psp", 2, false), AttemptSpanId("wf-1", "psp", 3, false));
  EXPECT_NE(AttemptSpanId("wf-1", "psp", 2, false), AttemptSpanId("wf-1", "psp", 2, true));
  EXPECT_NE(AttemptSpanId("wf-1", "psp", 2, false), WorkflowSpanId("wf-1"));
  // Fixed values: a change would split the traces of instances started
  // before an upgrade from the spans of their attempts after it.
  EXPECT_EQ(WorkflowSpanId("wf-1"), "7f3c6800790c77e5");
}

TEST(InstanceTraceparentTest, ContinuesTheCallersTrace) {
  SequenceRandom random({});
  auto c = ParseTraceparent(InstanceTraceparent(kExample, "wf-1", random));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(c->span_id, "00f067aa0ba902b7");  // the caller's span: the workflow span's parent
}

TEST(InstanceTraceparentTest, StartsATraceWithTheWorkflowSpanAsRoot) {
  SequenceRandom random({});
  std::string a = InstanceTraceparent("", "wf-1", random);
  std::string b = InstanceTraceparent("not-a-traceparent", "wf-1", random);
  auto ca = ParseTraceparent(a), cb = ParseTraceparent(b);
  ASSERT_TRUE(ca && cb);
  EXPECT_NE(ca->trace_id, cb->trace_id);  // new traces are random
  EXPECT_EQ(ca->span_id, WorkflowSpanId("wf-1"));
  EXPECT_EQ(InstanceTraceId(a, "wf-1"), ca->trace_id);
}

TEST(AttemptContextTest, TheInstancesTraceWithTheAttemptsSpan) {
  auto c = AttemptContext(kExample, "wf-1", "psp", 2, false);
  EXPECT_EQ(c.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(c.span_id, AttemptSpanId("wf-1", "psp", 2, false));
  EXPECT_TRUE(c.sampled);
  auto old = AttemptContext("", "wf-old", "psp", 1, true);  // stored before schema v2
  EXPECT_EQ(old.trace_id, InstanceTraceId("", "wf-old"));
  EXPECT_EQ(old.span_id, AttemptSpanId("wf-old", "psp", 1, true));
}

TEST(InstanceTraceparentTest, InstancesWithoutOneGetAStableDerivedTrace) {
  std::string t = InstanceTraceId("", "wf-old");
  EXPECT_EQ(t.size(), 32u);
  EXPECT_EQ(t, InstanceTraceId("", "wf-old"));
  EXPECT_NE(t, InstanceTraceId("", "wf-other"));
  EXPECT_EQ(WorkflowSpanTraceparent("", "wf-old"), "00-" + t + "-" + WorkflowSpanId("wf-old") + "-01");
}

}  // namespace
}  // namespace steadfast::tracing
