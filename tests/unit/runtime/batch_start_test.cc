// Batch start: JSON Lines to instances, one idempotency key per line, the
// bad lines reported by number while the good ones start, and a second run
// of the same file starting nothing (a real SQLite file, a manual clock).
#include "runtime/batch_start.h"

#include <gtest/gtest.h>

#include "builtin/std_activities.h"
#include "core/random.h"
#include "store/sqlite/sqlite_store.h"
#include "subprocess.h"

namespace steadfast {
namespace {

constexpr char kWorkflow[] = R"(name: refund
input: { order: map, amount: int }
steps:
  - id: pay
    activity: std.noop
)";

TEST(BatchStart, ParseGivesEachLineItsKeyAndReportsBadLinesByNumber) {
  const std::string text =
      "{\"order\": {\"id\": \"R-1\"}, \"amount\": 10}\n"
      "\n"                                         // blank: skipped, still counted as a line number
      "{\"order\": {\"id\": \"R-2\"}, \"amount\": 20\n"  // line 3: bad JSON
      "[1, 2]\n"                                   // line 4: not an object
      "{\"order\": {}, \"amount\": 30}\r\n"        // line 5: no key
      "{\"order\": {\"id\": 77}, \"amount\": 40}";  // line 6: integer key, no final newline
  auto by_field = ParseBatch(text, "refund", "order.id");
  ASSERT_TRUE(by_field.ok()) << by_field.status().ToString();
  EXPECT_EQ(by_field->total, 5);
  ASSERT_EQ(by_field->lines.size(), 2u);
  EXPECT_EQ(by_field->lines[0].line, 1);
  EXPECT_EQ(by_field->lines[0].key, "batch:refund:R-1");
  EXPECT_EQ(by_field->lines[1].line, 6);
  EXPECT_EQ(by_field->lines[1].key, "batch:refund:77");
  ASSERT_EQ(by_field->rejected.size(), 3u);
  EXPECT_EQ(by_field->rejected[0].line, 3);
  EXPECT_NE(by_field->rejected[0].reason.find("bad JSON"), std::string::npos);
  EXPECT_EQ(by_field->rejected[1].line, 4);
  EXPECT_EQ(by_field->rejected[2].line, 5);
  EXPECT_NE(by_field->rejected[2].reason.find("no 'order.id'"), std::string::npos) << by_field->rejected[2].reason;

  // Without a key field the key is the line's content hash: stable across
  // runs and formatting, different for different lines.
  auto a = ParseBatch("{\"amount\": 1, \"order\": {}}\n{\"amount\": 2, \"order\": {}}\n", "refund", "");
  auto b = ParseBatch("{ \"order\": {},\"amount\":1 }\n", "refund", "");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->lines[0].key, b->lines[0].key);
  EXPECT_NE(a->lines[0].key, a->lines[1].key);
  EXPECT_EQ(a->lines[0].key.rfind("batch:refund:sha256:", 0), 0u) << a->lines[0].key;
}

TEST(BatchStart, StartsTheGoodLinesAndStartsNothingTwice) {
  testing::TempDir dir;
  SqliteStoreOptions so;
  so.path = dir.File("engine.db");
  auto store = OpenSqliteStore(so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ActivityRegistry registry;
  ASSERT_TRUE(RegisterStdActivities(registry).ok());
  WorkflowCatalog catalog(&registry);
  ASSERT_TRUE(catalog.AddSource(kWorkflow, "refund.yaml").ok());
  ManualClock clock(1'800'000'000'000);
  SystemRandom random;
  WorkflowService service(**store, catalog, clock, random);

  const std::string text =
      "{\"order\": {\"id\": \"R-1\"}, \"amount\": 10}\n"
      "{\"order\": {\"id\": \"R-2\"}, \"amount\": \"twenty\"}\n"  // input invalid
      "not json\n"
      "{\"order\": {\"id\": \"R-3\"}, \"amount\": 30}\n";
  auto parsed = ParseBatch(text, "refund", "order.id");
  ASSERT_TRUE(parsed.ok());
  StartOptions base;
  base.workflow = "refund";
  base.requested_by = "ops";
  std::vector<std::pair<int, int>> progress;
  auto first = RunBatch(service, base, *parsed, [&](int done, int total) { progress.emplace_back(done, total); });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->created(), 2);
  ASSERT_EQ(first->rejected.size(), 2u);
  EXPECT_EQ(first->rejected[0].line, 2);
  EXPECT_NE(first->rejected[0].reason.find("'amount' must be int"), std::string::npos) << first->rejected[0].reason;
  EXPECT_EQ(first->rejected[1].line, 3);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(4, 4));

  // The same file again: nothing new.
  auto second = RunBatch(service, base, *parsed, nullptr);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->created(), 0);
  EXPECT_EQ(second->existing(), 2);
  EXPECT_EQ(second->started[0].instance_id, first->started[0].instance_id);
  ListFilter all;
  all.limit = 0;
  auto listed = (*store)->ListInstances(all);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);

  // The same key with another input is that line's problem, not the batch's.
  auto changed = ParseBatch("{\"order\": {\"id\": \"R-1\"}, \"amount\": 11}\n", "refund", "order.id");
  auto third = RunBatch(service, base, *changed, nullptr);
  ASSERT_TRUE(third.ok());
  ASSERT_EQ(third->rejected.size(), 1u);
  EXPECT_EQ(third->rejected[0].line, 1);

  Value preview = PreviewBatch(*catalog.Find("refund", 0).value(), *parsed, nullptr);
  EXPECT_EQ(preview.Get("valid").IntOr(0), 2);
  EXPECT_EQ(preview.Get("rejected").AsList().size(), 2u);
  EXPECT_TRUE(preview.Get("preview").is_null());
}

}  // namespace
}  // namespace steadfast
