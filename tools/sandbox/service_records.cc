// ServiceRecords: inventory and notification records and their persistence.
#include "service_records.h"

#include <algorithm>

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS service_records(
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  idempotency_key TEXT NOT NULL,
  subject TEXT NOT NULL,
  request TEXT NOT NULL,
  created_ms INTEGER NOT NULL);
)sql";

}  // namespace

std::string_view RecordKindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kInventoryRelease: return "inventory_release";
    case RecordKind::kInventoryHold: return "inventory_hold";
    case RecordKind::kNotification: return "notification";
  }
  return "unknown";
}

Status ServiceRecords::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT seq, kind, id, idempotency_key, subject, request, created_ms "
                                             "FROM service_records ORDER BY seq"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    ServiceRecord r;
    r.seq = stmt->ColumnInt(0);
    const int64_t kind = stmt->ColumnInt(1);
    if (kind < 0 || kind > 2) return Status::Corruption("unknown service record kind " + std::to_string(kind));
    r.kind = static_cast<RecordKind>(kind);
    r.id = stmt->ColumnText(2);
    r.idempotency_key = stmt->ColumnText(3);
    r.subject = stmt->ColumnText(4);
    r.request = nlohmann::json::parse(stmt->ColumnText(5), nullptr, /*allow_exceptions=*/false);
    r.created_ms = stmt->ColumnInt(6);
    next_seq_ = std::max(next_seq_, r.seq + 1);
    records_.push_back(std::move(r));
  }
}

Result<ServiceRecord> ServiceRecords::Add(ServiceRecord record) {
  record.seq = next_seq_;
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO service_records(seq, kind, id, idempotency_key, subject, "
                                             "request, created_ms) VALUES(?,?,?,?,?,?,?)"));
  const std::string request = record.request.dump();  // bound without a copy: must outlive Run()
  stmt->BindInt(1, record.seq);
  stmt->BindInt(2, static_cast<int64_t>(record.kind));
  stmt->BindText(3, record.id);
  stmt->BindText(4, record.idempotency_key);
  stmt->BindText(5, record.subject);
  stmt->BindText(6, request);
  stmt->BindInt(7, record.created_ms);
  SF_RETURN_IF_ERROR(stmt->Run());
  ++next_seq_;
  records_.push_back(record);
  return record;
}

nlohmann::ordered_json ServiceRecordToJson(const ServiceRecord& r) {
  nlohmann::ordered_json j;
  j["id"] = r.id;
  j["object"] = RecordKindName(r.kind);
  j["created_ms"] = r.created_ms;
  j["subject"] = r.subject;
  j["idempotency_key"] = r.idempotency_key;
  j["request"] = r.request;
  return j;
}

}  // namespace steadfast::sandbox
