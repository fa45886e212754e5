// `steadfast migrate` on PostgreSQL as an operator runs it: the real binary
// with `--db postgres://...` and with a config whose `database:` is such a
// URL, on a fresh schema of the test cluster (STEADFAST_TEST_PG_URL,
// tests/unit/store_postgres/pg_test_env.h: skipped without it, failed when
// CI is set): the first run creates the schema at the current version, the
// second says there was nothing to do, the engine's and the refund plugin's
// tables are there. A wrong password, a port with no server and a URL libpq
// cannot parse fail with exit 3 and never print the password; so does every
// other command that opens the store, plugin verbs included, when no
// server is there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "pg_test_env.h"
#include "steadfast/value.h"
#include "store/postgres/pg_schema.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using testing::RunCommand;
using testing::RunResult;
using testing::TempDir;

const std::string kSource = STEADFAST_SOURCE_ROOT;
const std::string kRefundConfig =
    "plugin_config:\n  refund:\n    policies: " + kSource + "/config/refund_policies.yaml\n";
constexpr const char* kCannotConnect = "cannot connect to PostgreSQL";

// A config holding the refund plugin's settings and, when given, `database:`.
std::string WriteConfig(const TempDir& dir, const std::string& database,
                        const std::string& name = "steadfast.yaml") {
  std::string path = dir.File(name);
  testing::WriteFile(path, (database.empty() ? "" : "database: \"" + database + "\"\n") + kRefundConfig);
  return path;
}

RunResult Steadfast(std::vector<std::string> args) {
  args.insert(args.begin(), STEADFAST_BIN);
  return RunCommand(args, {}, 30000);
}

class PgMigrateCli : public pgtest::PgTest {
 protected:
  int64_t Count(const std::string& sql) {
    auto conn = Connect();
    if (conn == nullptr) return -1;
    auto r = conn->Exec(sql);
    if (!r.ok()) {
      ADD_FAILURE() << sql << ": " << r.status().message();
      return -1;
    }
    auto v = r->Int64(0, 0);
    return v.ok() ? *v : -1;
  }
  TempDir dir_;
};

TEST_F(PgMigrateCli, DbFlagCreatesTheSchemaThenHasNothingToDo) {
  const std::string config = WriteConfig(dir_, "");
  RunResult first = Steadfast({"migrate", "--config", config, "--db", url()});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_THAT(first.output, HasSubstr("(PostgreSQL) is up to date"));
  EXPECT_THAT(first.output, HasSubstr(fmt::format("engine          schema version {} (created)", kPgSchemaVersion)));
  EXPECT_THAT(first.output, HasSubstr("plugin refund   schema version "));

  EXPECT_EQ(Count("SELECT version FROM schema_version"), kPgSchemaVersion);
  EXPECT_EQ(Count(fmt::format("SELECT count(*) FROM pg_tables WHERE schemaname = '{}' AND tablename IN "
                              "('schema_version', 'instances', 'history', 'tasks', 'signals')",
                              schema())),
            5);
  // The plugin's tables are kept beside the engine's.
  EXPECT_GT(Count(fmt::format("SELECT count(*) FROM pg_tables WHERE schemaname = '{}' AND tablename LIKE 'refund%'",
                              schema())),
            0);

  RunResult second = Steadfast({"migrate", "--config", config, "--db", url()});
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_THAT(second.output, HasSubstr(fmt::format("engine          schema version {} (already at this version: "
                                                   "nothing to do)",
                                                   kPgSchemaVersion)));

  RunResult json = Steadfast({"migrate", "--config", config, "--db", url(), "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.output;
  Result<Value> v = Value::FromJson(json.output);
  ASSERT_TRUE(v.ok()) << json.output;
  EXPECT_EQ(v->Get("backend"), Value("postgresql"));
  EXPECT_EQ(v->Get("engine").Get("version"), Value(kPgSchemaVersion));
  EXPECT_EQ(v->Get("engine").Get("from"), Value(kPgSchemaVersion));
  EXPECT_EQ(v->Get("engine").Get("known"), Value(kPgSchemaVersion));
  ASSERT_TRUE(v->Get("plugins").is_list());
  ASSERT_EQ(v->Get("plugins").AsList().size(), 1u);
  EXPECT_EQ(v->Get("plugins").AsList()[0].Get("plugin"), Value("refund"));
  const Value& refund = v->Get("plugins").AsList()[0];
  EXPECT_EQ(refund.Get("version"), refund.Get("known"));
  EXPECT_EQ(refund.Get("from"), refund.Get("version"));
  EXPECT_EQ(refund.Get("loaded"), Value(true));
}

TEST_F(PgMigrateCli, ConfigDatabaseUrlIsUsedAsWrittenNotAsAPath) {
  RunResult r = Steadfast({"migrate", "--config", WriteConfig(dir_, url())});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr(fmt::format("engine          schema version {} (created)", kPgSchemaVersion)));
  EXPECT_EQ(Count("SELECT version FROM schema_version"), kPgSchemaVersion);
  // Nothing became a SQLite file next to the config.
  EXPECT_EQ(access(dir_.File("postgres:").c_str(), F_OK), -1);
}

TEST_F(PgMigrateCli, AWrongPasswordFailsWithoutPrintingIt) {
  auto has_group = admin().Exec("SELECT 1 FROM pg_roles WHERE rolname = 'steadfast_password_login'");
  ASSERT_TRUE(has_group.ok()) << has_group.status().message();
  if (has_group->rows() == 0) GTEST_SKIP() << "the cluster has no steadfast_password_login role (tools/pg_cluster.sh)";
  const std::string role = fmt::format("sf_mig_{}", getpid());
  const std::string wrong = "Wrong-Migrate-Secret-4c3b";
  ASSERT_TRUE(admin().Exec(fmt::format("DROP ROLE IF EXISTS {}", role)).ok());
  ASSERT_TRUE(admin()
                  .Exec(fmt::format("CREATE ROLE {} LOGIN PASSWORD 'Right-Migrate-Pw' IN ROLE steadfast_password_login",
                                    role))
                  .ok());
  RunResult r = Steadfast({"migrate", "--config", WriteConfig(dir_, ""), "--db", pgtest::WithUser(url(), role, wrong)});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("steadfast: cannot migrate:"));
  EXPECT_THAT(r.output, HasSubstr("password authentication failed"));
  EXPECT_THAT(r.output, HasSubstr(role + ":***@127.0.0.1"));
  EXPECT_THAT(r.output, Not(HasSubstr(wrong)));
  EXPECT_EQ(Count("SELECT count(*) FROM pg_tables WHERE schemaname = '" + schema() + "'"), 0);
  ASSERT_TRUE(admin().Exec(fmt::format("DROP ROLE {}", role)).ok());
}

// These need no server.

TEST(PgMigrateCliNoServer, APortWithNoServerFailsWithoutPrintingThePassword) {
  TempDir dir;
  RunResult r = Steadfast(
      {"migrate", "--config", WriteConfig(dir, ""), "--db", "postgres://alice:Hunter2-No-Server@127.0.0.1:1/steadfast"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("steadfast: cannot migrate:"));
  EXPECT_THAT(r.output, HasSubstr("postgres://alice:***@127.0.0.1:1/steadfast"));
  EXPECT_THAT(r.output, HasSubstr("Connection refused"));
  EXPECT_THAT(r.output, Not(HasSubstr("Hunter2")));
}

TEST(PgMigrateCliNoServer, AUrlLibpqCannotParseFailsWithoutPrintingThePassword) {
  TempDir dir;
  RunResult r =
      Steadfast({"migrate", "--config", WriteConfig(dir, ""), "--db", "postgresql://alice:pa%zzHunter2@127.0.0.1/db"});
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_THAT(r.output, HasSubstr("bad PostgreSQL connection string"));
  EXPECT_THAT(r.output, Not(HasSubstr("Hunter2")));
}

TEST(PgMigrateCliNoServer, SyncIsRefusedForPostgres) {
  TempDir dir;
  RunResult r = Steadfast({"migrate", "--config", WriteConfig(dir, ""), "--db", "postgres://alice@127.0.0.1:1/db",
                           "--sync", "full"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("--sync is SQLite's synchronous mode"));
}

// Every command that opens the store opens a PostgreSQL one; with no server
// there it fails at once naming the database, its password redacted.
TEST(PgMigrateCliNoServer, EveryCommandNamesAnUnreachableDatabaseRedacted) {
  TempDir dir;
  const std::string url = "postgres://alice:Hunter2-Refused@127.0.0.1:1/steadfast";
  const std::string with_db = WriteConfig(dir, url);
  const std::vector<std::vector<std::string>> commands = {
      {"serve", "--config", with_db},
      {"serve", "--config", WriteConfig(dir, "", "no_database.yaml"), "--db", url},
      {"run", kSource + "/workflows/reservation_refund.yaml", "--input", "{}", "--config", with_db},
      {"status", "some-id", "--config", with_db},
      {"list", "--config", with_db},
      // Plugin verbs ask the host for the engine's store (plugin_commands.cc).
      {"refund", "ledger", "--config", with_db},
      {"refund", "records", "--db", url},
  };
  for (const auto& args : commands) {
    auto start = std::chrono::steady_clock::now();
    RunResult r = Steadfast(args);
    auto took = std::chrono::steady_clock::now() - start;
    std::string what = args[0] + " " + args[args.size() - 2] + " " + args.back();
    EXPECT_EQ(r.exit_code, 3) << what << "\n" << r.output;
    EXPECT_THAT(r.output, HasSubstr(kCannotConnect)) << what;
    EXPECT_THAT(r.output, HasSubstr("postgres://alice:***@127.0.0.1:1/steadfast")) << what;
    EXPECT_THAT(r.output, Not(HasSubstr("Hunter2"))) << what;
    EXPECT_LT(took, std::chrono::seconds(10)) << what;
  }
  // Nothing was created next to the config as a SQLite file.
  EXPECT_EQ(access(dir.File("postgres:").c_str(), F_OK), -1);
}

}  // namespace
}  // namespace steadfast
