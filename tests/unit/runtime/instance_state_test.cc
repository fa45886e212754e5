// The instance state blob round-trips, including a stop under way; a blob
// written before stops existed reads as "no stop".
#include "runtime/instance_state.h"

#include <gtest/gtest.h>

#include "steadfast/value_codec.h"

namespace steadfast {
namespace {

TEST(InstanceStateTest, NoStopByDefault) {
  InstanceState s;
  EXPECT_FALSE(s.stop_pending);
  Result<InstanceState> d = InstanceState::Decode(s.Encode().value());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->stop.is_null());
  EXPECT_FALSE(d->stop_pending);
}

TEST(InstanceStateTest, StopRoundTrips) {
  InstanceState s;
  s.completed = {"claim", "pay"};
  s.stop = Value::Map{{"kind", "cancel"}, {"principal", "ops"}, {"reason", "withdrawn"}, {"requested_at", 42}};
  s.stop_pending = true;
  Result<InstanceState> d = InstanceState::Decode(s.Encode().value());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->stop_pending);
  EXPECT_EQ(d->stop.Get("kind").StringOr(""), "cancel");
  EXPECT_EQ(d->stop.Get("requested_at").IntOr(0), 42);
  EXPECT_EQ(d->completed, (std::vector<std::string>{"claim", "pay"}));
}

TEST(InstanceStateTest, OldBlobsHaveNoStop) {
  std::string old = EncodeValue(Value::Map{{"outputs", Value::Map{}}, {"transitions", 3}}).value();
  Result<InstanceState> d = InstanceState::Decode(old);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(d->stop.is_null());
  EXPECT_FALSE(d->stop_pending);
  EXPECT_EQ(d->transitions, 3);
}

TEST(InstanceStateTest, EveryFieldRoundTrips) {
  InstanceState s;
  s.outputs = Value::Map{{"check", Value::Map{{"ok", true}}}};
  s.inputs = Value::Map{{"pay", Value::Map{{"amount", 1250}}}};
  s.completed = {"check", "pay"};
  s.compensation_queue = {"pay"};
  s.failures = {{"pay", 2}};
  s.last_attempt = {{"pay", 3}};
  s.approvals = Value::Map{{"review", Value::List{Value::Map{{"principal", "ana"}}}}};
  s.failed_step = "notify";
  s.failure_code = "psp_down";
  s.failure_message = "503";
  s.transitions = 4;
  s.run = 2;
  s.run_started_at = 99;
  s.branches = {{"a", "completed"}};
  s.elements_total = 3;
  s.elements_started = 2;
  s.elements_completed = 1;
  s.pause_request = Value::Map{{"principal", "ops"}};
  Result<InstanceState> d = InstanceState::Decode(s.Encode().value());
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->outputs, s.outputs);
  EXPECT_EQ(d->inputs, s.inputs);
  EXPECT_EQ(d->completed, s.completed);
  EXPECT_EQ(d->compensation_queue, s.compensation_queue);
  EXPECT_EQ(d->failures, s.failures);
  EXPECT_EQ(d->last_attempt, s.last_attempt);
  EXPECT_EQ(d->approvals, s.approvals);
  EXPECT_EQ(d->failed_step, "notify");
  EXPECT_EQ(d->failure_code, "psp_down");
  EXPECT_EQ(d->failure_message, "503");
  EXPECT_EQ(d->transitions, 4);
  EXPECT_EQ(d->run, 2);
  EXPECT_EQ(d->run_started_at, 99);
  EXPECT_EQ(d->branches, s.branches);
  EXPECT_EQ(d->elements_total, 3);
  EXPECT_EQ(d->elements_started, 2);
  EXPECT_EQ(d->elements_completed, 1);
  EXPECT_EQ(d->pause_request, s.pause_request);
}

// A field at its default takes no bytes: an instance parked on its first
// step stores only what it did (PERFORMANCE.md, "Bytes per instance").
TEST(InstanceStateTest, DefaultsAreLeftOut) {
  InstanceState s;
  s.transitions = 1;
  Result<Value> v = DecodeValue(s.Encode().value());
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, Value(Value::Map{{"transitions", 1}}));
  Result<Value> empty = DecodeValue(InstanceState().Encode().value());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, Value(Value::Map{}));
}

// What earlier releases wrote (every field, empty ones too) still reads.
TEST(InstanceStateTest, BlobsWithEveryFieldSpelledOutStillRead) {
  std::string old = EncodeValue(Value::Map{{"outputs", Value::Map{}},
                                           {"inputs", Value::Map{}},
                                           {"completed", Value::List{"a"}},
                                           {"compensation_queue", Value::List{}},
                                           {"failures", Value::Map{}},
                                           {"last_attempt", Value::Map{{"a", 1}}},
                                           {"approvals", Value::Map{}},
                                           {"failed_step", ""},
                                           {"failure_code", ""},
                                           {"failure_message", ""},
                                           {"transitions", 2}})
                        .value();
  Result<InstanceState> d = InstanceState::Decode(old);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->completed, (std::vector<std::string>{"a"}));
  EXPECT_EQ(d->last_attempt, (std::map<std::string, int>{{"a", 1}}));
  EXPECT_EQ(d->transitions, 2);
  EXPECT_EQ(d->run, 1);
}

}  // namespace
}  // namespace steadfast
