// One damaged row (garbage written into a blob column with raw SQLite) is
// reported where it is met and does not take the rest of a list with it:
// the instance list and a history page keep serving the good rows, mark
// the bad one and log a warning naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "steadfast/logger.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;
using testing_support::RawDb;
using ::testing::HasSubstr;

class CapturingLogger final : public Logger {
 public:
  void Log(LogLevel level, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (level >= LogLevel::kWarn) warnings_.emplace_back(message);
  }
  std::vector<std::string> warnings() {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> warnings_;  // GUARDED_BY(mu_)
};

class DamagedRowTest : public testing_support::StoreTest {
 protected:
  std::unique_ptr<Store> OpenLogged() {
    SqliteStoreOptions o = Options();
    o.logger = &logger_;
    return Open(o);
  }
  CapturingLogger logger_;
};

TEST_F(DamagedRowTest, ListKeepsServingTheOtherInstances) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    for (const char* id : {"a", "bad", "c"}) ASSERT_TRUE(store->StartInstance(MakeStart(id)).ok());
  }
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE instances SET output = x'05ffffffffffffffff01' WHERE id = 'bad'");
  }
  std::unique_ptr<Store> store = OpenLogged();
  ASSERT_NE(store, nullptr);
  Result<std::vector<InstanceRecord>> list = store->ListInstances(ListFilter{});
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  for (const InstanceRecord& r : *list) {
    if (r.id == "bad") {
      EXPECT_THAT(r.decode_error, HasSubstr("instance bad output"));
      EXPECT_TRUE(r.input.is_null());
    } else {
      EXPECT_EQ(r.decode_error, "");
      EXPECT_EQ(r.input.Get("order").IntOr(0), 1);
    }
  }
  ASSERT_EQ(logger_.warnings().size(), 1u);
  EXPECT_THAT(logger_.warnings()[0], HasSubstr("instance bad output"));
  // The good ones still read one by one; the damaged one says why it cannot.
  EXPECT_TRUE(store->GetInstance("a").ok());
  EXPECT_EQ(store->GetInstance("bad").status().code(), StatusCode::kCorruption);
}

TEST_F(DamagedRowTest, HistoryPageKeepsTheOtherEventsAndPlacesTheDamagedOne) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->StartInstance(MakeStart("i1")).ok());
    Commit c;
    c.instance_id = "i1";
    c.events = {MakeEvent("signal_buffered", "", Value::Map{{"n", 2}}),
                MakeEvent("signal_buffered", "", Value::Map{{"n", 3}})};
    ASSERT_TRUE(store->Apply(std::move(c)).ok());
  }
  {
    RawDb raw(DbPath());
    raw.Exec("UPDATE history SET data = x'09' WHERE instance_id = 'i1' AND seq = 2");
  }
  std::unique_ptr<Store> store = OpenLogged();
  ASSERT_NE(store, nullptr);
  Result<std::vector<HistoryEvent>> h = store->GetHistory("i1", 0, 0);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ((*h)[0].decode_error, "");
  EXPECT_EQ((*h)[1].type, "signal_buffered");
  EXPECT_THAT((*h)[1].decode_error, HasSubstr("history i1#2 data"));
  EXPECT_THAT((*h)[1].data.Get("decode_error").StringOr(""), HasSubstr("cannot decode value"));
  EXPECT_EQ((*h)[2].data.Get("n").IntOr(0), 3);
  ASSERT_EQ(logger_.warnings().size(), 1u);
  EXPECT_THAT(logger_.warnings()[0], HasSubstr("history i1#2 data"));
}

}  // namespace
}  // namespace steadfast
