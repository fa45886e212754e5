// Hostile and damaging input over loopback against a real `steadfast serve`:
// bodies nested far beyond kMaxValueDepth on every route that takes a JSON
// body (they used to overflow the stack and kill the process, or be stored
// and never read back), values right at the limit (stored, read back and
// listed), deep CLI input, a damaged row in a list, and a store failure
// provoked from outside (another connection holding the write lock), whose
// answer must say nothing about the store's internals but carry an id that
// finds the details in the server log.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

#include "steadfast/value.h"
#include "test_server.h"

namespace steadfast::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string NestedArrays(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

// The body of a 400 for a too-deep value names the limit.
void ExpectTooDeep(const Reply& r) {
  EXPECT_EQ(r.status, 400) << r.error << r.body;
  EXPECT_EQ(r.code(), "value_too_deep") << r.body;
  EXPECT_THAT(r.message(), HasSubstr("limit of " + std::to_string(kMaxValueDepth))) << r.body;
}

TEST(HostileInputTest, HundredThousandNestedArraysAre400OnEveryRouteAndTheServerStaysUp) {
  TestServer server;  // max_body 1 MiB: the 200 KB bodies reach the parser
  Reply held = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 700}})");
  ASSERT_EQ(held.status, 201) << held.body;
  const std::string held_id = held.json.Get("id").StringOr("");
  Reply wait = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
  ASSERT_EQ(wait.status, 201) << wait.body;
  const std::string wait_id = wait.json.Get("id").StringOr("");
  ASSERT_TRUE(server.WaitUntil(held_id, "waiting_approval"));
  ASSERT_TRUE(server.WaitUntil(wait_id, "waiting_signal"));

  const std::string deep = NestedArrays(100000);
  ExpectTooDeep(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "input": )" + deep + "}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + held_id + "/approvals/review", kRitaToken,
                            R"({"decision": "approve", "comment": )" + deep + "}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + wait_id + "/signals/item_received", kOpsToken, deep));
  // A few hundred levels used to be stored and then break every list.
  ExpectTooDeep(server.Post("/v1/workflows", kOpsToken,
                            R"({"workflow": "quick", "input": {"x": )" + NestedArrays(300) + "}}"));
  ExpectTooDeep(server.Post("/v1/workflows/" + wait_id + "/signals/item_received", kOpsToken, NestedArrays(300)));

  EXPECT_EQ(server.Get("/healthz", "").status, 200);
  Reply list = server.Get("/v1/workflows", kOpsToken);
  EXPECT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(server.Get("/v1/workflows/" + wait_id + "/history", kOpsToken).status, 200);
  EXPECT_EQ(server.Get("/v1/workflows/" + held_id, kOpsToken).json.Get("status").StringOr(""), "waiting_approval");
}

TEST(HostileInputTest, ValuesAtTheLimitAreStoredReadBackAndListed) {
  TestServer server;
  // A body at the limit: one map around the input, one around x.
  Reply started = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick", "input": {"x": )" +
                                                              NestedArrays(kMaxValueDepth - 2) + "}}");
  ASSERT_EQ(started.status, 201) << started.body;
  auto start_wait = [&] {
    Reply wait = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "wait"})");
    EXPECT_EQ(wait.status, 201) << wait.body;
    const std::string id = wait.json.Get("id").StringOr("");
    EXPECT_TRUE(server.WaitUntil(id, "waiting_signal"));
    return id;
  };
  // `wait` echoes the payload inside {got: ...}: one level below the limit
  // goes through every step and the output.
  const std::string id = start_wait();
  Reply signalled = server.Post("/v1/workflows/" + id + "/signals/item_received", kOpsToken,
                                NestedArrays(kMaxValueDepth - 1));
  ASSERT_EQ(signalled.status, 200) << signalled.body;
  Value done = server.WaitForStatus(id, "completed");
  EXPECT_EQ(done.Get("status").StringOr(""), "completed") << done.ToJson();
  EXPECT_EQ(ValueDepth(done.Get("output").Get("got")), kMaxValueDepth - 1);
  // A payload at the limit is accepted; wrapping it in {got: ...} is one
  // level too many, so the step fails for good instead of storing it.
  const std::string at_limit = start_wait();
  Reply deepest = server.Post("/v1/workflows/" + at_limit + "/signals/item_received", kOpsToken,
                              NestedArrays(kMaxValueDepth));
  ASSERT_EQ(deepest.status, 200) << deepest.body;
  Value failed = server.WaitForStatus(at_limit, "failed");
  EXPECT_EQ(failed.Get("error").Get("code").StringOr(""), "value_too_deep") << failed.ToJson();

  Reply list = server.Get("/v1/workflows", kOpsToken);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json.Get("items").AsList().size(), 3u);
  for (const std::string& i : {id, at_limit}) {
    EXPECT_EQ(server.Get("/v1/workflows/" + i + "/history", kOpsToken).status, 200);
  }
}

TEST(HostileInputTest, CliRefusesDeepInputBeforeSendingIt) {
  TestServer server;
  TempDir dir;
  WriteFile(dir.File("deep.json"), NestedArrays(100000));  // too long for one argv string
  for (const char* verb : {"start", "signal"}) {
    std::vector<std::string> argv = {STEADFAST_BIN, verb};
    if (std::string(verb) == "start") {
      argv.insert(argv.end(), {"quick", "--input", "@" + dir.File("deep.json")});
    } else {
      argv.insert(argv.end(), {"some-id", "go", "--payload", "@" + dir.File("deep.json")});
    }
    argv.insert(argv.end(), {"--server", server.url()});
    RunResult r = RunCommand(argv, {{"STEADFAST_TOKEN", kOpsToken}});
    EXPECT_EQ(r.exit_code, 2) << verb << ": " << r.output;
    EXPECT_THAT(r.output, HasSubstr("limit of " + std::to_string(kMaxValueDepth))) << verb;
  }
  EXPECT_EQ(server.Get("/healthz", "").status, 200);
}

// One row that cannot be decoded (garbage written with raw SQLite, as an
// older version could leave behind) used to turn every list into a 500.
TEST(HostileInputTest, DamagedRowIsListedNotA500) {
  TestServer server;
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    Reply r = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "held", "input": {"amount": 700}})");
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json.Get("id").StringOr(""));
  }
  // Parked first, so that the damage meets only the reads below, not an
  // engine still loading the instance to run its first step.
  for (const std::string& id : ids) ASSERT_TRUE(server.WaitUntil(id, "waiting_approval")) << id;
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(server.database().c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    const std::string sql = "UPDATE instances SET input = x'05ffffffffffffffff01' WHERE id = '" + ids[1] + "'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  Reply list = server.Get("/v1/workflows", kOpsToken);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.json.Get("items").AsList().size(), 3u) << list.body;
  for (const Value& item : list.json.Get("items").AsList()) {
    const bool damaged = item.Get("id").StringOr("") == ids[1];
    EXPECT_EQ(item.Find("decode_error") != nullptr, damaged) << item.ToJson();
  }
  EXPECT_THAT(server.Log(), HasSubstr("instance " + ids[1] + " input"));
  Reply one = server.Get("/v1/workflows/" + ids[1], kOpsToken);
  EXPECT_EQ(one.status, 500) << one.body;
  EXPECT_EQ(one.code(), "internal") << one.body;
  RunResult cli = RunCommand({STEADFAST_BIN, "list", "--server", server.url()}, {{"STEADFAST_TOKEN", kOpsToken}});
  EXPECT_EQ(cli.exit_code, 0) << cli.output;
  EXPECT_THAT(cli.output, HasSubstr("[damaged: instance " + ids[1] + " input"));
}

// Holds SQLite's write lock on the server's database from this process.
class WriteLock {
 public:
  explicit WriteLock(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);  // the server may be writing right now
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  ~WriteLock() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
  }
  WriteLock(const WriteLock&) = delete;
  WriteLock& operator=(const WriteLock&) = delete;

 private:
  sqlite3* db_ = nullptr;
};

TEST(HostileInputTest, StoreErrorsAnswerAStableCodeAndKeepTheDetailsInTheLog) {
  TestServer server;
  Reply busy;
  {
    WriteLock lock(server.database());
    busy = server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})");
  }
  EXPECT_EQ(busy.status, 503) << busy.body;
  EXPECT_EQ(busy.code(), "store_busy");
  EXPECT_EQ(busy.message(), "the store is busy, retry later");
  EXPECT_EQ(busy.headers["retry-after"], "1");
  for (const char* leak : {"engine.db", "/tmp", "sqlite", "SQLITE", "database", "INSERT", "SELECT", "BEGIN",
                           "transaction", "locked"}) {
    EXPECT_THAT(busy.body, Not(HasSubstr(leak)));
  }
  const std::string error_id = busy.json.Get("error").Get("error_id").StringOr("");
  ASSERT_EQ(error_id.size(), 16u) << busy.body;
  // The log has the cause, findable by the id the client was given.
  std::string log = server.Log();
  size_t at = log.find(error_id);
  ASSERT_NE(at, std::string::npos) << log;
  size_t line_start = log.rfind('\n', at) + 1;
  std::string line = log.substr(line_start, log.find('\n', at) - line_start);
  EXPECT_THAT(line, HasSubstr("database is locked"));
  EXPECT_THAT(line, HasSubstr(server.database()));
  // With the lock gone the same request works.
  EXPECT_EQ(server.Post("/v1/workflows", kOpsToken, R"({"workflow": "quick"})").status, 201);
}

}  // namespace
}  // namespace steadfast::testing
