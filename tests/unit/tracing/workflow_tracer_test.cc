// WorkflowTracer: the spans made from attempts and commits, exactly.
#include "tracing/workflow_tracer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>

#include "steadfast/history.h"
#include "core/trace_context.h"

namespace steadfast::tracing {
namespace {

constexpr const char* kCaller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";

class CapturingSink final : public SpanSink {
 public:
  void Export(SpanData span) override { spans.push_back(std::move(span)); }
  std::vector<SpanData> spans;
};

InstanceRecord Instance(const std::string& traceparent) {
  InstanceRecord r;
  r.id = "wf-7";
  r.workflow_name = "refund";
  r.workflow_version = 3;
  r.traceparent = traceparent;
  r.created_at = 1'000;
  r.requested_by = "ops";
  return r;
}

TEST(WorkflowTracerTest, AnAttemptIsAChildOfTheWorkflowSpanWithItsAttributes) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance(kCaller);
  const std::string step = "psp", activity = "refund.psp_refund", key = "wf-7/psp";
  ActivityResult result = Value(Value::Map{{"refund_id", "re_1"}});
  Value::Map attributes{{"refund.amount_minor", 27000}, {"refund.currency", "EUR"}};
  const std::string tp = FormatTraceparent(AttemptContext(rec.traceparent, rec.id, step, 2, false));
  tracer.OnAttempt(AttemptReport{rec, step, activity, 2, false, key, tp, 5'000, 5'250, result, attributes});
  ASSERT_EQ(sink.spans.size(), 1u);
  const SpanData& s = sink.spans[0];
  EXPECT_EQ(s.trace_id, kTrace);
  EXPECT_EQ(s.span_id, AttemptSpanId("wf-7", "psp", 2, false));
  EXPECT_EQ(s.parent_span_id, WorkflowSpanId("wf-7"));
  EXPECT_EQ(s.name, "activity refund.psp_refund");
  EXPECT_EQ(s.start_unix_ns, 5'000'000'000);
  EXPECT_EQ(s.end_unix_ns, 5'250'000'000);
  EXPECT_EQ(s.status, SpanStatus::kOk);
  EXPECT_EQ(s.attributes.at("steadfast.workflow.name"), Value("refund"));
  EXPECT_EQ(s.attributes.at("steadfast.workflow.version"), Value(3));
  EXPECT_EQ(s.attributes.at("steadfast.workflow.id"), Value("wf-7"));
  EXPECT_EQ(s.attributes.at("steadfast.step"), Value("psp"));
  EXPECT_EQ(s.attributes.at("steadfast.attempt"), Value(2));
  EXPECT_EQ(s.attributes.at("steadfast.idempotency_key"), Value("wf-7/psp"));
  EXPECT_EQ(s.attributes.at("steadfast.outcome"), Value("succeeded"));
  EXPECT_EQ(s.attributes.at("refund.amount_minor"), Value(27000));
  EXPECT_EQ(s.attributes.at("refund.currency"), Value("EUR"));
}

TEST(WorkflowTracerTest, AFailedAttemptCarriesItsErrorCode) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance(kCaller);
  const std::string step = "psp", activity = "refund.psp_refund", key = "wf-7/psp";
  ActivityResult result = ActivityError::Retryable("psp_unavailable", "503 from the PSP");
  const std::string tp = FormatTraceparent(AttemptContext(rec.traceparent, rec.id, step, 1, false));
  tracer.OnAttempt(AttemptReport{rec, step, activity, 1, false, key, tp, 5'000, 5'010, result, {}});
  ASSERT_EQ(sink.spans.size(), 1u);
  EXPECT_EQ(sink.spans[0].status, SpanStatus::kError);
  EXPECT_EQ(sink.spans[0].status_message, "psp_unavailable: 503 from the PSP");
  EXPECT_EQ(sink.spans[0].attributes.at("error.type"), Value("psp_unavailable"));
  EXPECT_EQ(sink.spans[0].attributes.at("steadfast.retryable"), Value(true));
  EXPECT_EQ(sink.spans[0].attributes.at("steadfast.outcome"), Value("failed"));
}

TEST(WorkflowTracerTest, TheWorkflowSpanEndsWithTheInstanceAndLinksItsRelatives) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance(kCaller);
  rec.status = InstanceStatus::kCompleted;
  rec.links = {InstanceLink{"wf-return", WorkflowSpanTraceparent("", "wf-return")}};
  HistoryEvent done;
  done.type = history::kWorkflowCompleted;
  done.at = 9'000;
  HistoryEvent other;
  other.type = history::kAttemptSucceeded;
  tracer.OnCommit(rec, {other, done});
  ASSERT_EQ(sink.spans.size(), 1u);
  const SpanData& s = sink.spans[0];
  EXPECT_EQ(s.name, "workflow refund");
  EXPECT_EQ(s.kind, SpanKind::kServer);
  EXPECT_EQ(s.trace_id, kTrace);
  EXPECT_EQ(s.span_id, WorkflowSpanId("wf-7"));
  EXPECT_EQ(s.parent_span_id, "00f067aa0ba902b7");  // the caller's span
  EXPECT_EQ(s.start_unix_ns, 1'000'000'000);
  EXPECT_EQ(s.end_unix_ns, 9'000'000'000);
  EXPECT_EQ(s.status, SpanStatus::kOk);
  ASSERT_EQ(s.links.size(), 1u);
  EXPECT_EQ(s.links[0].trace_id, InstanceTraceId("", "wf-return"));
  EXPECT_EQ(s.links[0].span_id, WorkflowSpanId("wf-return"));
  EXPECT_EQ(s.links[0].attributes.at("steadfast.workflow.id"), Value("wf-return"));
}

TEST(WorkflowTracerTest, AnEngineStartedTraceHasTheWorkflowSpanAsRoot) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  SequenceRandom random({});
  InstanceRecord rec = Instance(InstanceTraceparent("", "wf-7", random));
  rec.status = InstanceStatus::kFailed;
  rec.error_code = "invalid_charge";
  rec.error_message = "no such charge";
  HistoryEvent failed;
  failed.type = history::kWorkflowFailed;
  failed.at = 2'000;
  tracer.OnCommit(rec, {failed});
  ASSERT_EQ(sink.spans.size(), 1u);
  EXPECT_EQ(sink.spans[0].parent_span_id, "");
  EXPECT_EQ(sink.spans[0].status, SpanStatus::kError);
  EXPECT_EQ(sink.spans[0].attributes.at("error.type"), Value("invalid_charge"));
}

TEST(WorkflowTracerTest, AnAttemptLostInACrashKeepsTheSpanIdItAnnounced) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance(kCaller);
  HistoryEvent lost;
  lost.type = history::kAttemptAbandoned;
  lost.step_id = "psp";
  lost.attempt = 1;
  lost.at = 7'000;
  lost.data = Value::Map{{"reason", "lease expired"}, {"activity", "refund.psp_refund"}};
  tracer.OnCommit(rec, {lost});
  ASSERT_EQ(sink.spans.size(), 1u);
  EXPECT_EQ(sink.spans[0].span_id, AttemptSpanId("wf-7", "psp", 1, false));
  EXPECT_EQ(sink.spans[0].trace_id, kTrace);
  EXPECT_EQ(sink.spans[0].name, "activity refund.psp_refund");
  EXPECT_EQ(sink.spans[0].attributes.at("steadfast.outcome"), Value("abandoned"));
  EXPECT_EQ(sink.spans[0].status, SpanStatus::kError);
}

HistoryEvent Wait(const char* kind, const char* step, TimeMs at) {
  HistoryEvent e;
  e.type = history::kWaitStarted;
  e.step_id = step;
  e.at = at;
  e.data = Value::Map{{"kind", kind}, {"signal", "item_received"}};
  return e;
}

TEST(WorkflowTracerTest, AWaitIsASpanFromItsStartToWhatEndedIt) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);  // no store: the start must be in the same commit
  InstanceRecord rec = Instance(kCaller);
  rec.status = InstanceStatus::kRunning;
  rec.current_step = "inspect";
  HistoryEvent got;
  got.type = history::kSignalReceived;
  got.step_id = "received";
  got.at = 4'000;
  got.data = Value::Map{{"signal", "item_received"}, {"principal", "warehouse"}};
  tracer.OnCommit(rec, {Wait("signal", "received", 3'000), got});
  ASSERT_EQ(sink.spans.size(), 1u);
  const SpanData& s = sink.spans[0];
  EXPECT_EQ(s.name, "wait signal item_received");
  EXPECT_EQ(s.span_id, WaitSpanId("wf-7", "received", 3'000));
  EXPECT_EQ(s.parent_span_id, WorkflowSpanId("wf-7"));
  EXPECT_EQ(s.start_unix_ns, 3'000'000'000);
  EXPECT_EQ(s.end_unix_ns, 4'000'000'000);
  EXPECT_EQ(s.attributes.at("steadfast.outcome"), Value("received"));
  EXPECT_EQ(s.attributes.at("steadfast.principal"), Value("warehouse"));
}

TEST(WorkflowTracerTest, AnApprovalStillWaitingForASecondReviewerIsNotOverYet) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance(kCaller);
  rec.status = InstanceStatus::kWaitingApproval;
  rec.current_step = "review";
  HistoryEvent first;
  first.type = history::kApprovalDecided;
  first.step_id = "review";
  first.at = 4'000;
  first.data = Value::Map{{"decision", "approve"}, {"principal", "rita"}};
  tracer.OnCommit(rec, {Wait("approval", "review", 3'000), first});
  EXPECT_TRUE(sink.spans.empty());

  // Timed out (the start from this commit), and a wait whose start is
  // unknown (no store, not in the commit) gets no span at all.
  rec.status = InstanceStatus::kRunning;
  rec.current_step = "close";
  HistoryEvent timeout;
  timeout.type = history::kWaitTimedOut;
  timeout.step_id = "review";
  timeout.at = 9'000;
  tracer.OnCommit(rec, {Wait("approval", "review", 3'000), timeout});
  ASSERT_EQ(sink.spans.size(), 1u);
  EXPECT_EQ(sink.spans[0].name, "wait approval review");
  EXPECT_EQ(sink.spans[0].attributes.at("steadfast.outcome"), Value("timed_out"));
  tracer.OnCommit(rec, {timeout});
  EXPECT_EQ(sink.spans.size(), 1u);
}

TEST(WorkflowTracerTest, AnUnsampledTraceMakesNoSpans) {
  CapturingSink sink;
  WorkflowTracer tracer(sink);
  InstanceRecord rec = Instance("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  const std::string step = "a", activity = "std.noop", key = "wf-7/a";
  ActivityResult result = Value();
  const std::string tp = FormatTraceparent(AttemptContext(rec.traceparent, rec.id, step, 1, false));
  EXPECT_EQ(tp.substr(53), "00");  // the attempt inherits "not sampled"
  tracer.OnAttempt(AttemptReport{rec, step, activity, 1, false, key, tp, 1, 2, result, {}});
  rec.status = InstanceStatus::kCompleted;
  HistoryEvent done;
  done.type = history::kWorkflowCompleted;
  tracer.OnCommit(rec, {done});
  EXPECT_TRUE(sink.spans.empty());
}

}  // namespace
}  // namespace steadfast::tracing
