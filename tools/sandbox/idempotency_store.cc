// IdempotencyStore: saved first responses per key, and keys in flight.
#include "idempotency_store.h"

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS idempotency(
  space TEXT NOT NULL,
  key TEXT NOT NULL,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  request_id TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY(space, key));
)sql";

}  // namespace

Status IdempotencyStore::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT space, key, method, path, fingerprint, status, body, "
                                             "request_id, created_ms FROM idempotency"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    IdempotencyRecord r;
    r.method = stmt->ColumnText(2);
    r.path = stmt->ColumnText(3);
    r.fingerprint = stmt->ColumnText(4);
    r.status = static_cast<int>(stmt->ColumnInt(5));
    r.body = stmt->ColumnText(6);
    r.request_id = stmt->ColumnText(7);
    r.created_ms = stmt->ColumnInt(8);
    records_[{stmt->ColumnText(0), stmt->ColumnText(1)}] = std::move(r);
  }
}

const IdempotencyRecord* IdempotencyStore::Find(std::string_view space, std::string_view key) const {
  auto it = records_.find({std::string(space), std::string(key)});
  return it == records_.end() ? nullptr : &it->second;
}

Status IdempotencyStore::Save(std::string_view space, std::string_view key, IdempotencyRecord record) {
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT OR REPLACE INTO idempotency(space, key, method, path, "
                                             "fingerprint, status, body, request_id, created_ms) "
                                             "VALUES(?,?,?,?,?,?,?,?,?)"));
  stmt->BindText(1, space);
  stmt->BindText(2, key);
  stmt->BindText(3, record.method);
  stmt->BindText(4, record.path);
  stmt->BindText(5, record.fingerprint);
  stmt->BindInt(6, record.status);
  stmt->BindText(7, record.body);
  stmt->BindText(8, record.request_id);
  stmt->BindInt(9, record.created_ms);
  SF_RETURN_IF_ERROR(stmt->Run());
  records_[{std::string(space), std::string(key)}] = std::move(record);
  return Status::Ok();
}

bool IdempotencyStore::TryHold(std::string_view space, std::string_view key) {
  return in_flight_.insert({std::string(space), std::string(key)}).second;
}

void IdempotencyStore::Release(std::string_view space, std::string_view key) {
  in_flight_.erase({std::string(space), std::string(key)});
}

bool IdempotencyStore::IsHeld(std::string_view space, std::string_view key) const {
  return in_flight_.count({std::string(space), std::string(key)}) != 0;
}

}  // namespace steadfast::sandbox
