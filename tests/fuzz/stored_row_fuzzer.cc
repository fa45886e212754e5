// Stored rows as the engine reads them back: one column of a real database
// (api_world.h's template, instances in every waiting state) is overwritten
// with the fuzz input, as a torn write, a bad disk or a hand edit would
// leave it, then read through everything that reads it: the store's row
// decoding, the instance state, the views, and the HTTP routes that show
// or act on the instance.
//
// Input: the first line names the column and the row,
//   "<column> [instance id] [history seq]", e.g. "instances.state dual-1" or
//   "history.data wait-1 2"; the column is one of kColumns (an unknown name
//   picks one by its first byte), the id defaults to dual-1, no seq means
//   every event of the instance. The rest is the new value: bytes for blob
//   and text columns, a decimal number for integer ones.
// Properties: no crash, no exception, no unbounded allocation; a damaged
// row reads as Corruption or as a record with decode_error, never as a
// different valid record; every HTTP answer is well-formed JSON.
#include <sqlite3.h>

#include <charconv>
#include <string>

#include "api_world.h"
#include "core/random.h"
#include "fuzz_check.h"
#include "runtime/instance_state.h"
#include "runtime/views.h"

namespace steadfast {
namespace {

enum class Kind : int { kBlob = 0, kText = 1, kInteger = 2 };

struct Column {
  const char* name;  // as written in the input's first line
  const char* sql;   // ?1 = the value, ?2 = the instance id, ?3 = the seq or null
  Kind kind;
};

constexpr Column kColumns[] = {
    {"instances.input", "UPDATE instances SET input = ?1 WHERE id = ?2", Kind::kBlob},
    {"instances.output", "UPDATE instances SET output = ?1 WHERE id = ?2", Kind::kBlob},
    {"instances.state", "UPDATE instances SET state = ?1 WHERE id = ?2", Kind::kBlob},
    {"instances.links", "UPDATE instances SET links = ?1 WHERE id = ?2", Kind::kText},
    {"instances.status", "UPDATE instances SET status = ?1 WHERE id = ?2", Kind::kInteger},
    {"instances.version", "UPDATE instances SET version = ?1 WHERE id = ?2", Kind::kInteger},
    {"history.data", "UPDATE history SET data = ?1 WHERE instance_id = ?2 AND (?3 IS NULL OR seq = ?3)", Kind::kBlob},
    {"history.type", "UPDATE history SET type = ?1 WHERE instance_id = ?2 AND (?3 IS NULL OR seq = ?3)", Kind::kText},
    {"signals.payload", "UPDATE signals SET payload = ?1 WHERE instance_id = ?2", Kind::kBlob},
    {"tasks.kind", "UPDATE tasks SET kind = ?1 WHERE instance_id = ?2", Kind::kInteger},
};

void Corrupt(const std::string& db_path, std::string_view header, std::string_view value) {
  auto [name, rest] = fuzz::SplitOnce(header, " ");
  auto [id, seq_text] = fuzz::SplitOnce(rest, " ");
  const Column* column = nullptr;
  for (const Column& c : kColumns) {
    if (name == c.name) column = &c;
  }
  if (column == nullptr) {
    column = &kColumns[(name.empty() ? 0 : static_cast<unsigned char>(name[0])) % std::size(kColumns)];
  }
  sqlite3* db = nullptr;
  FUZZ_CHECK(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  FUZZ_CHECK(sqlite3_prepare_v2(db, column->sql, -1, &stmt, nullptr) == SQLITE_OK);
  switch (column->kind) {
    case Kind::kInteger: {
      int64_t n = 0;
      std::from_chars(value.data(), value.data() + value.size(), n);
      sqlite3_bind_int64(stmt, 1, n);
      break;
    }
    case Kind::kText: sqlite3_bind_text(stmt, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT); break;
    case Kind::kBlob: sqlite3_bind_blob(stmt, 1, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT); break;
  }
  const std::string instance = id.empty() ? "dual-1" : std::string(id);
  sqlite3_bind_text(stmt, 2, instance.data(), static_cast<int>(instance.size()), SQLITE_TRANSIENT);
  int64_t seq = 0;
  if (std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq).ec == std::errc()) {
    sqlite3_bind_int64(stmt, 3, seq);
  }
  const int rc = sqlite3_step(stmt);
  FUZZ_CHECK(rc == SQLITE_DONE || rc == SQLITE_CONSTRAINT);  // NOT NULL and CHECK constraints may refuse
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

bool ReadOk(const Status& status) { return status.ok() || status.code() == StatusCode::kCorruption; }

void ReadThroughStore(Store& store, const std::string& id) {
  Result<std::optional<InstanceRecord>> rec = store.GetInstance(id);
  FUZZ_CHECK(ReadOk(rec.status()));
  if (rec.ok() && rec->has_value()) {
    const InstanceRecord& r = **rec;
    FUZZ_CHECK(ReadOk(InstanceState::Decode(r.state).status()));
    (void)InstanceView(r).ToJson();
    (void)Waits(r);
  }
  Result<std::vector<InstanceRecord>> list = store.ListInstances(ListFilter{});
  FUZZ_CHECK(ReadOk(list.status()));
  Result<std::vector<HistoryEvent>> history = store.GetHistory(id, 0, 1000);
  FUZZ_CHECK(ReadOk(history.status()));
  if (history.ok()) {
    for (const HistoryEvent& e : *history) {
      (void)HistoryEventView(e).ToJson();
      (void)HistoryEventLine(e);
    }
    (void)StepProgressView(*history).ToJson();
  }
  FUZZ_CHECK(ReadOk(store.GetTasks(id).status()));
  FUZZ_CHECK(ReadOk(store.GetPendingSignals(id, "extra").status()));
}

void ReadThroughHttp(http::ApiHandler& handler, const std::string& id) {
  auto call = [&](const char* method, const std::string& path, const char* token, const char* body) {
    http::HttpRequest r;
    r.method = method;
    r.path = path;
    r.segments = http::SplitPath(path);
    r.has_authorization = true;
    r.bearer_token = token;
    if (*body != '\0') {
      r.has_content_type = true;
      r.media_type = "application/json";
      r.body = body;
    }
    http::HttpResponse response = handler.Handle(r);
    FUZZ_CHECK(response.status >= 200 && response.status < 600);
    FUZZ_CHECK(Value::FromJson(response.body, kMaxEnvelopedValueDepth).ok());
  };
  const std::string at = "/v1/workflows/" + id;
  call("GET", at, "t-rita", "");
  call("GET", at + "/history", "t-rita", "");
  call("GET", at + "/graph", "t-rita", "");
  call("GET", "/v1/workflows?limit=500", "t-rita", "");
  call("POST", at + "/approvals/review", "t-rob", R"({"decision": "approve"})");
  call("POST", at + "/signals/item_received", "t-ops", R"({"condition": "ok"})");
  call("POST", at + "/cancel", "t-ops", "");
}

}  // namespace
}  // namespace steadfast

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace steadfast;
  fuzz::ApiWorld& world = fuzz::ApiWorld::Get();
  auto [header, value] = fuzz::SplitOnce(fuzz::AsText(data, size), "\n");
  const std::string path = world.FreshCopy();
  Corrupt(path, header, value);
  const std::string_view named = fuzz::SplitOnce(fuzz::SplitOnce(header, " ").second, " ").first;
  const std::string id = named.empty() ? "dual-1" : std::string(named);

  std::unique_ptr<Store> store = world.Open(path);
  ReadThroughStore(*store, id);
  SequenceRandom random({0.5});
  WorkflowService service(*store, world.catalog(), world.clock(), random);
  ReadThroughHttp(*world.Handler(service), id);
  return 0;
}
