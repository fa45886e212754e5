// An input too large for the instance row (a for_each over thousands of
// items) lives in instance_inputs (migration_v12.cc), so that checkpoints,
// which rewrite the row, do not rewrite it: it reads back everywhere the
// row is read, idempotent start still compares it, and a purge takes it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <string>

#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::RawDb;

Value ManyItems(int n, const std::string& prefix = "SKU-") {
  Value::List items;
  for (int i = 0; i < n; ++i) items.emplace_back(Value::Map{{"sku", fmt::format("{}{:05d}", prefix, i)}});
  return Value::Map{{"items", Value(std::move(items))}};
}

class LargeInputTest : public testing_support::StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    store_ = Open();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    StoreTest::TearDown();
  }

  StartRequest StartOf(const std::string& id, Value input) {
    StartRequest req = MakeStart(id);
    req.instance.input = std::move(input);
    return req;
  }
  std::string Raw(const std::string& sql) { return RawDb(DbPath()).QueryText(sql); }

  std::unique_ptr<Store> store_;
};

TEST_F(LargeInputTest, LivesOutsideTheRowAndReadsBackEverywhere) {
  const Value big = ManyItems(500);
  ASSERT_TRUE(store_->StartInstance(StartOf("big", big)).ok());
  ASSERT_TRUE(store_->StartInstance(StartOf("small", ManyItems(3))).ok());

  EXPECT_EQ(Raw("SELECT length(input) FROM instances WHERE id = 'big'"), "0");
  EXPECT_NE(Raw("SELECT length(input) FROM instances WHERE id = 'small'"), "0");
  EXPECT_EQ(Raw("SELECT group_concat(instance_id) FROM instance_inputs"), "big");

  auto got = store_->GetInstance("big");
  ASSERT_TRUE(got.ok() && got->has_value()) << got.status().ToString();
  EXPECT_EQ((*got)->input, big);
  auto listed = store_->ListInstances(ListFilter{});
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  for (const InstanceRecord& r : *listed) {
    EXPECT_EQ(r.input, r.id == "big" ? big : ManyItems(3)) << r.id;
  }
}

TEST_F(LargeInputTest, ACheckpointLeavesItWhereItIs) {
  const Value big = ManyItems(500);
  auto started = store_->StartInstance(StartOf("big", big));
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Commit c;
  c.instance_id = "big";
  c.expect_version = 1;
  InstanceRecord row = started->instance;
  row.state = std::string(3000, 's');  // a row that changed size
  c.instance = row;
  c.events = {MakeEvent("attempt_completed", "a")};
  ASSERT_TRUE(store_->Apply(c).ok());

  EXPECT_EQ(Raw("SELECT length(input) FROM instances WHERE id = 'big'"), "0");
  auto got = store_->GetInstance("big");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->input, big);
  EXPECT_EQ((*got)->state, std::string(3000, 's'));
}

TEST_F(LargeInputTest, IdempotentStartComparesTheWholeInput) {
  ASSERT_TRUE(store_->StartInstance(StartOf("big", ManyItems(500))).ok());

  auto same = store_->StartInstance(StartOf("big", ManyItems(500)));
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->outcome, StartOutcome::kExisting);

  auto other = store_->StartInstance(StartOf("big", ManyItems(500, "XYZ-")));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kConflict);
}

TEST_F(LargeInputTest, APurgeTakesItWithTheInstance) {
  StartRequest req = StartOf("big", ManyItems(500));
  req.instance.status = InstanceStatus::kCompleted;
  req.tasks.clear();
  ASSERT_TRUE(store_->StartInstance(req).ok());
  ASSERT_EQ(Raw("SELECT count(*) FROM instance_inputs"), "1");

  auto purged = store_->PurgeInstances({"big"});
  ASSERT_TRUE(purged.ok()) << purged.status().ToString();
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Raw("SELECT count(*) FROM instance_inputs"), "0");
}

}  // namespace
}  // namespace steadfast
