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

}  // namespace
}  // namespace steadfast
