// The coalescing VFS shim (store/sqlite/coalescing_vfs.h): at FULL the
// writer's WAL frames reach the base VFS in a few large writes, every commit
// is readable by other connections and after a reopen, and at NORMAL the
// shim is not used.
#include "store/sqlite/coalescing_vfs.h"

#include <gtest/gtest.h>

#include <string>

#include "raw_db.h"
#include "store_test_util.h"

namespace steadfast {
namespace {

using testing_support::MakeEvent;
using testing_support::MakeStart;

class CoalescingVfsTest : public testing_support::StoreTest {
 protected:
  // Starts `n` instances, each with a second commit of two events.
  void Write(Store& store, int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
      const std::string id = prefix + std::to_string(i);
      ASSERT_TRUE(store.StartInstance(MakeStart(id)).ok());
      Commit c;
      c.instance_id = id;
      c.events = {MakeEvent("a", "", Value(std::string(3000, 'x'))), MakeEvent("b")};
      ASSERT_TRUE(store.Apply(std::move(c)).ok());
    }
  }
};

TEST_F(CoalescingVfsTest, FullSyncWritesEachCommitsFramesTogether) {
  std::unique_ptr<Store> store = Open();
  ASSERT_NE(store, nullptr);
  const CoalescingVfsCounts before = CoalescingVfsCountsSoFar();
  Write(*store, 50, "i");
  const CoalescingVfsCounts after = CoalescingVfsCountsSoFar();
  const int64_t asked = after.wal_writes - before.wal_writes;
  const int64_t done = after.base_writes - before.base_writes;
  // Every commit is several frames, two writes each; each reaches the base
  // VFS as one write (100 commits).
  EXPECT_GE(asked, 400);
  EXPECT_LE(done, 110) << asked << " writes asked for";

  // Another connection, on the plain VFS, reads every commit at once.
  testing_support::RawDb raw(DbPath());
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM history WHERE type = 'b'"), "50");
}

TEST_F(CoalescingVfsTest, EverythingCommittedIsThereAfterAReopen) {
  {
    std::unique_ptr<Store> store = Open();
    ASSERT_NE(store, nullptr);
    Write(*store, 20, "i");
  }
  std::unique_ptr<Store> reopened = Open();
  ASSERT_NE(reopened, nullptr);
  for (int i = 0; i < 20; ++i) {
    Result<std::vector<HistoryEvent>> h = reopened->GetHistory("i" + std::to_string(i), 0, 0);
    ASSERT_TRUE(h.ok()) << h.status().ToString();
    ASSERT_EQ(h->size(), 3u);
    EXPECT_EQ((*h)[1].data.AsString().size(), 3000u);
  }
}

TEST_F(CoalescingVfsTest, NormalSyncAndTheSwitchLeaveSqlitesWritesAlone) {
  for (bool normal : {true, false}) {
    SCOPED_TRACE(normal ? "normal" : "coalesce_wal_writes = false");
    SqliteStoreOptions o = Options();
    o.path = dir_ + (normal ? "/normal.db" : "/plain.db");
    if (normal) o.sync = SyncMode::kNormal;
    else o.coalesce_wal_writes = false;
    std::unique_ptr<Store> store = Open(o);
    ASSERT_NE(store, nullptr);
    const CoalescingVfsCounts before = CoalescingVfsCountsSoFar();
    Write(*store, 5, "n");
    EXPECT_EQ(CoalescingVfsCountsSoFar().wal_writes, before.wal_writes);
  }
}

TEST_F(CoalescingVfsTest, AnUnknownBaseVfsIsAnError) {
  EXPECT_EQ(CoalescingVfsName("no_such_vfs").status().code(), StatusCode::kInvalidArgument);
  Result<std::string> name = CoalescingVfsName("");
  ASSERT_TRUE(name.ok());
  EXPECT_EQ(*CoalescingVfsName(""), *name);  // registered once
}

}  // namespace
}  // namespace steadfast
