// `steadfast migrate` as an operator runs it: the real binary on a fresh
// database (engine and refund schemas applied, versions printed, text and
// JSON), on a database whose refund tables are newer than the binary
// (refused, exit 3, nothing written), and with the refund config's removed
// `database` setting (refused with what to do).
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "raw_db.h"
#include "steadfast/value.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::RunCommand;
using testing::RunResult;
using testing::TempDir;

const std::string kSource = STEADFAST_SOURCE_ROOT;

class MigrateCli : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("engine.db");
    config_ = dir_.File("steadfast.yaml");
    testing::WriteFile(config_, "database: " + db_ + "\nplugin_config:\n  refund:\n    policies: " + kSource +
                                    "/config/refund_policies.yaml\n");
  }
  RunResult Migrate(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {STEADFAST_BIN, "migrate", "--config", config_};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCommand(args);
  }
  void Sql(const std::string& sql) { testing_support::RawDb(db_).Exec(sql); }
  TempDir dir_;
  std::string db_, config_;
};

TEST_F(MigrateCli, AppliesEngineAndPluginMigrationsAndReportsTheVersions) {
  RunResult r = Migrate();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("is up to date"));
  EXPECT_THAT(r.output, HasSubstr("engine          schema version 14"));
  EXPECT_THAT(r.output, HasSubstr("plugin refund   schema version 7"));

  RunResult again = Migrate({"--json"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  Result<Value> v = Value::FromJson(again.output);
  ASSERT_TRUE(v.ok()) << again.output;
  EXPECT_EQ(v->Get("engine").Get("version"), Value(14));
  EXPECT_EQ(v->Get("shards"), Value(1));
  ASSERT_TRUE(v->Get("plugins").is_list());
  ASSERT_EQ(v->Get("plugins").AsList().size(), 1u);
  const Value& refund = v->Get("plugins").AsList()[0];
  EXPECT_EQ(refund.Get("plugin"), Value("refund"));
  EXPECT_EQ(refund.Get("version"), Value(7));
  EXPECT_EQ(refund.Get("known"), Value(7));
  EXPECT_EQ(refund.Get("loaded"), Value(true));
}

// A database of one file spread over three by `migrate --shards`: the
// files beside it, and the count reported; back to one the same way.
TEST_F(MigrateCli, SpreadsTheDatabaseOverTheShardsAsked) {
  ASSERT_EQ(Migrate().exit_code, 0);
  RunResult spread = Migrate({"--shards", "3"});
  ASSERT_EQ(spread.exit_code, 0) << spread.output;
  EXPECT_THAT(spread.output, HasSubstr("shards          3 files"));
  EXPECT_TRUE(std::filesystem::exists(db_ + ".shard-1"));
  EXPECT_TRUE(std::filesystem::exists(db_ + ".shard-2"));
  RunResult kept = Migrate({"--json"});
  ASSERT_EQ(kept.exit_code, 0) << kept.output;
  Result<Value> v = Value::FromJson(kept.output);
  ASSERT_TRUE(v.ok()) << kept.output;
  EXPECT_EQ(v->Get("shards"), Value(3));
  RunResult back = Migrate({"--shards", "1"});
  ASSERT_EQ(back.exit_code, 0) << back.output;
  EXPECT_FALSE(std::filesystem::exists(db_ + ".shard-1"));
  RunResult bad = Migrate({"--shards", "17"});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(MigrateCli, ADatabaseNewerThanTheBinaryIsRefused) {
  ASSERT_EQ(Migrate().exit_code, 0);
  Sql("INSERT INTO plugin_migrations VALUES ('refund', 8, 'from a later release', 1)");
  RunResult r = Migrate();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("version 8 of the 'refund' plugin's tables, newer than version 7"));
  EXPECT_THAT(r.output, HasSubstr("run a release whose 'refund' plugin knows version 8"));
}

TEST_F(MigrateCli, TheRefundConfigsOwnDatabaseIsRefused) {
  testing::WriteFile(config_, "database: " + db_ + "\nplugin_config:\n  refund:\n    policies: " + kSource +
                                  "/config/refund_policies.yaml\n    database: refunds.db\n");
  RunResult r = Migrate();
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("'database' is no longer a refund plugin setting"));
  EXPECT_THAT(r.output, HasSubstr("remove it"));
}

}  // namespace
}  // namespace steadfast
