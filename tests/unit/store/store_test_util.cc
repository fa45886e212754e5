// Fixture and builders shared by the store tests.
#include "store_test_util.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

namespace steadfast::testing_support {

void StoreTest::SetUp() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "steadfast-store-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  dir_ = tmpl;
}

void StoreTest::TearDown() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

SqliteStoreOptions StoreTest::Options() const {
  SqliteStoreOptions o;
  o.path = DbPath();
  o.clock = &clock_;
  return o;
}

std::unique_ptr<Store> StoreTest::Open() { return Open(Options()); }

std::unique_ptr<Store> StoreTest::Open(const SqliteStoreOptions& options) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  if (!store.ok()) return nullptr;
  return std::move(store).value();
}

SqliteStoreStats StatsOf(Store& store) {
  auto* sqlite = dynamic_cast<SqliteStore*>(&store);
  EXPECT_NE(sqlite, nullptr);
  return sqlite != nullptr ? sqlite->Stats() : SqliteStoreStats{};
}

InstanceRecord MakeInstance(const std::string& id, Value input, const std::string& idempotency_key) {
  InstanceRecord r;
  r.id = id;
  r.workflow_name = "refund";
  r.workflow_version = 2;
  r.definition_hash = "abc123";
  r.status = InstanceStatus::kRunning;
  r.current_step = "eligibility";
  r.input = std::move(input);
  r.state = std::string("state\0blob", 10);
  r.idempotency_key = idempotency_key;
  r.requested_by = "alice";
  r.started_by = "ops-bot";
  r.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  return r;
}

HistoryEvent MakeEvent(const std::string& type, const std::string& step, Value data) {
  HistoryEvent e;
  e.type = type;
  e.step_id = step;
  e.data = std::move(data);
  return e;
}

NewTask MakeTask(const std::string& step, TimeMs due_at, const std::string& lease_owner, TimeMs lease_until) {
  NewTask t;
  t.step_id = step;
  t.due_at = due_at;
  t.step_started_at = due_at;
  t.lease_owner = lease_owner;
  t.lease_until = lease_until;
  return t;
}

StartRequest MakeStart(const std::string& id, std::vector<NewTask> tasks) {
  StartRequest req;
  req.instance = MakeInstance(id);
  req.events.push_back(MakeEvent("workflow_started", "", Value::Map{{"by", "alice"}}));
  req.tasks = std::move(tasks);
  return req;
}

}  // namespace steadfast::testing_support
