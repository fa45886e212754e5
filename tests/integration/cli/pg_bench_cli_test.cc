// `steadfast bench --db postgres://...` as a user runs it, on the test
// cluster (STEADFAST_TEST_PG_URL; skipped without it, failed when CI is
// set): two engine processes share a small run in a schema the bench
// makes, every workflow completes, and the result adds both up. Usage
// errors are refused before anything is opened.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "pg_test_env.h"
#include "steadfast/value.h"
#include "subprocess.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;
using testing::RunCommand;

TEST(PgBenchCli, TwoProcessesShareARunAndTheResultAddsThemUp) {
  const std::string cluster = pgtest::ClusterUrl();
  if (cluster.empty()) {
    if (std::getenv("CI") != nullptr) GTEST_FAIL() << "CI is set, so this cannot be skipped";
    GTEST_SKIP() << "needs STEADFAST_TEST_PG_URL (tools/test.sh starts a cluster)";
  }
  const std::string schema = "bench_cli_" + std::to_string(getpid());
  testing::RunResult r =
      RunCommand({STEADFAST_BIN, "bench", "--db", cluster, "--schema", schema, "--processes", "2", "--workflows", "60",
                  "--concurrency", "4", "--warmup", "2", "--steps", "3", "--json"},
                 {}, 120000);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  Result<Value> result = Value::FromJson(r.output.substr(r.output.rfind('{', r.output.find("\"backend\""))));
  ASSERT_TRUE(result.ok()) << r.output;
  EXPECT_EQ(result->Get("backend").StringOr(""), "postgresql");
  EXPECT_EQ(result->Get("processes").IntOr(0), 2);
  EXPECT_EQ(result->Get("workflows").IntOr(0), 60);
  EXPECT_EQ(result->Get("failures").IntOr(-1), 0);
  EXPECT_GT(result->Get("workflows_per_s").AsDouble(), 0.0);
  ASSERT_TRUE(result->Get("per_process").is_list());
  ASSERT_EQ(result->Get("per_process").AsList().size(), 2u);
  for (const Value& p : result->Get("per_process").AsList()) EXPECT_EQ(p.Get("workflows").IntOr(0), 30);

  // The workflows are in the bench's schema, and every one completed.
  std::unique_ptr<PgConnection> conn = pgtest::MustConnect(cluster);
  ASSERT_NE(conn, nullptr);
  Result<PgResult> rows = conn->Exec("SELECT count(*), count(*) FILTER (WHERE status = 6) FROM " + schema +
                                     ".instances WHERE id LIKE 'bench-%'");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows->Int64(0, 0), 60 + 2 * 2) << "measured and warm-up workflows";
  EXPECT_EQ(*rows->Int64(0, 1), 60 + 2 * 2) << "all completed (InstanceStatus::kCompleted is stored as 6)";
  EXPECT_TRUE(conn->Exec("DROP SCHEMA " + schema + " CASCADE").ok());
}

TEST(PgBenchCli, UsageErrorsAreRefusedFirst) {
  testing::RunResult no_db = RunCommand({STEADFAST_BIN, "bench", "--processes", "2"});
  EXPECT_EQ(no_db.exit_code, 2) << no_db.output;
  EXPECT_THAT(no_db.output, HasSubstr("need --db postgres://"));
  testing::RunResult sqlite = RunCommand({STEADFAST_BIN, "bench", "--db", "/tmp/x.db"});
  EXPECT_EQ(sqlite.exit_code, 2) << sqlite.output;
  testing::RunResult schema =
      RunCommand({STEADFAST_BIN, "bench", "--db", "postgres://nobody@127.0.0.1:1/x", "--schema", "Bad; DROP"});
  EXPECT_EQ(schema.exit_code, 2) << schema.output;
  EXPECT_THAT(schema.output, HasSubstr("--schema takes"));
}

}  // namespace
}  // namespace steadfast
