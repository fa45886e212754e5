// InstanceCache on a real SQLite file: a parked instance is taken back only
// while the store's version is still its own, once, and the cache keeps at
// most its capacity, the least recently parked going first.
#include "runtime/instance_cache.h"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

class InstanceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = OpenSqliteStore(SqliteStoreOptions{.path = dir_.File("cache.db")});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  // An instance as a worker holds it right after loading it.
  LoadedInstance Started(const std::string& id) {
    StartRequest req;
    req.instance.id = id;
    req.instance.workflow_name = "parent";
    req.instance.status = InstanceStatus::kWaitingChild;
    req.instance.input = Value::Map{{"items", Value::List{1, 2, 3}}};
    auto started = store_->StartInstance(req);
    EXPECT_TRUE(started.ok()) << started.status().ToString();
    LoadedInstance inst;
    inst.rec = started.ok() ? started->instance : InstanceRecord{};
    return inst;
  }

  // Another worker (or the API) commits a change to the instance.
  void ChangeInStore(const LoadedInstance& inst) {
    Commit c;
    c.instance_id = inst.rec.id;
    c.expect_version = inst.rec.version;
    c.instance = inst.rec;
    c.instance->current_step = "elsewhere";
    ASSERT_TRUE(store_->Apply(c).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(InstanceCacheTest, ACurrentInstanceIsTakenBackOnceAndWhole) {
  InstanceCache cache(4);
  LoadedInstance inst = Started("p1");
  inst.state.elements_total = 3;
  cache.Park(inst);

  std::optional<LoadedInstance> taken = cache.Take("p1", *store_);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->rec.input, inst.rec.input);
  EXPECT_EQ(taken->state.elements_total, 3);
  EXPECT_FALSE(cache.Take("p1", *store_).has_value()) << "taken, not copied";
  EXPECT_FALSE(cache.Take("unknown", *store_).has_value());
}

TEST_F(InstanceCacheTest, AnInstanceChangedSinceItWasParkedIsNotTaken) {
  InstanceCache cache(4);
  LoadedInstance inst = Started("p1");
  cache.Park(inst);
  ChangeInStore(inst);

  EXPECT_FALSE(cache.Take("p1", *store_).has_value());
  EXPECT_EQ(cache.size(), 0u) << "a stale instance is dropped";
}

TEST_F(InstanceCacheTest, AnOlderCopyDoesNotReplaceANewerOne) {
  InstanceCache cache(4);
  LoadedInstance old = Started("p1");
  ChangeInStore(old);
  LoadedInstance current = old;
  current.rec.version = old.rec.version + 1;
  current.rec.current_step = "elsewhere";
  cache.Park(current);
  cache.Park(old);

  std::optional<LoadedInstance> taken = cache.Take("p1", *store_);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->rec.current_step, "elsewhere");
}

TEST_F(InstanceCacheTest, TheLeastRecentlyParkedGoesFirst) {
  InstanceCache cache(2);
  for (const char* id : {"p1", "p2", "p3"}) cache.Park(Started(id));

  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.Take("p1", *store_).has_value());
  EXPECT_TRUE(cache.Take("p2", *store_).has_value());
  EXPECT_TRUE(cache.Take("p3", *store_).has_value());
}

}  // namespace
}  // namespace steadfast
