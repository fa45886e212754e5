// `steadfast purge` as an operator runs it: the real binary on a database
// holding finished instances (made by `steadfast run`): a dry run counts and
// deletes nothing, the purge deletes them with their history, and bad
// usage is refused before anything runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steadfast/value.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::RunCommand;
using testing::RunResult;
using testing::TempDir;

class PurgeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("engine.db");
    workflow_ = dir_.File("quick.yaml");
    testing::WriteFile(workflow_, "name: quick\nsteps:\n  - id: only\n    activity: std.echo\n    with: { n: 1 }\n");
  }
  RunResult Steadfast(std::vector<std::string> args) {
    args.insert(args.begin(), STEADFAST_BIN);
    return RunCommand(args);
  }
  Value Json(const RunResult& r) {
    Result<Value> v = Value::FromJson(r.output);
    EXPECT_TRUE(v.ok()) << r.output;
    return v.ok() ? *v : Value();
  }
  TempDir dir_;
  std::string db_, workflow_;
};

TEST_F(PurgeCli, ADryRunCountsThenThePurgeDeletesFinishedInstancesWithTheirHistory) {
  for (int i = 0; i < 3; ++i) {
    RunResult run = Steadfast({"run", workflow_, "--db", db_});
    ASSERT_EQ(run.exit_code, 0) << run.output;
  }
  RunResult listed = Steadfast({"list", "--db", db_, "--json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  Value items = Json(listed).Get("items");
  ASSERT_EQ(items.AsList().size(), 3u) << listed.output;
  const std::string one = items.AsList()[0].Get("id").StringOr("");

  // Finished a moment ago: not before an hour ago.
  RunResult old = Steadfast({"purge", "--before", "1h", "--db", db_, "--json"});
  ASSERT_EQ(old.exit_code, 0) << old.output;
  EXPECT_EQ(Json(old).Get("purged").IntOr(-1), 0);

  RunResult dry = Steadfast({"purge", "--before", "2099-01-01T00:00:00Z", "--dry-run", "--db", db_});
  ASSERT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_THAT(dry.output, HasSubstr("dry run: 3 finished instance(s) before 2099-01-01T00:00:00Z would be purged"));
  EXPECT_THAT(dry.output, HasSubstr(one));
  EXPECT_EQ(Steadfast({"history", one, "--db", db_}).exit_code, 0) << "a dry run deletes nothing";

  RunResult purged = Steadfast({"purge", "--before", "2099-01-01T00:00:00Z", "--db", db_, "--json"});
  ASSERT_EQ(purged.exit_code, 0) << purged.output;
  Value report = Json(purged);
  EXPECT_EQ(report.Get("matched").IntOr(-1), 3);
  EXPECT_EQ(report.Get("purged").IntOr(-1), 3);
  EXPECT_EQ(Json(Steadfast({"list", "--db", db_, "--json"})).Get("items").AsList().size(), 0u);
  RunResult gone = Steadfast({"history", one, "--db", db_});
  EXPECT_NE(gone.exit_code, 0) << gone.output;
}

TEST_F(PurgeCli, BadUsageIsRefusedBeforeAnythingRuns) {
  RunResult none = Steadfast({"purge", "--db", db_});
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_THAT(none.output, HasSubstr("--before WHEN"));
  RunResult vague = Steadfast({"purge", "--before", "last week", "--db", db_});
  EXPECT_EQ(vague.exit_code, 2) << vague.output;
  EXPECT_THAT(vague.output, HasSubstr("neither an RFC 3339 time"));
}

}  // namespace
}  // namespace steadfast
