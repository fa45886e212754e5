// SettlementFeed: settlement events and their persistence.
#include "settlement_feed.h"

namespace steadfast::sandbox {

namespace {

constexpr std::string_view kSchema = R"sql(
CREATE TABLE IF NOT EXISTS settlement_events(
  seq INTEGER PRIMARY KEY,
  object TEXT NOT NULL,
  object_id TEXT NOT NULL,
  status TEXT NOT NULL,
  amount INTEGER NOT NULL,
  currency TEXT NOT NULL,
  failure_code TEXT NOT NULL,
  settled_s INTEGER NOT NULL,
  metadata TEXT NOT NULL);
)sql";

}  // namespace

Status SettlementFeed::Load() {
  SF_RETURN_IF_ERROR(db_.Exec(kSchema));
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("SELECT seq, object, object_id, status, amount, currency, "
                                             "failure_code, settled_s, metadata FROM settlement_events ORDER BY seq"));
  while (true) {
    SF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) return Status::Ok();
    SettlementEvent e;
    e.seq = stmt->ColumnInt(0);
    e.object = stmt->ColumnText(1);
    e.object_id = stmt->ColumnText(2);
    e.status = stmt->ColumnText(3);
    e.amount = stmt->ColumnInt(4);
    e.currency = stmt->ColumnText(5);
    e.failure_code = stmt->ColumnText(6);
    e.settled_s = stmt->ColumnInt(7);
    e.metadata = MetadataFromText(stmt->ColumnText(8));
    last_seq_ = e.seq;
    events_.push_back(std::move(e));
  }
}

Result<SettlementEvent> SettlementFeed::Save(SettlementEvent e) {
  e.seq = last_seq_ + 1;
  SF_ASSIGN_OR_RETURN(auto stmt, db_.Prepare("INSERT INTO settlement_events(seq, object, object_id, status, amount, "
                                             "currency, failure_code, settled_s, metadata) VALUES(?,?,?,?,?,?,?,?,?)"));
  const std::string metadata = MetadataToText(e.metadata);  // bound without a copy: must outlive Run()
  stmt->BindInt(1, e.seq);
  stmt->BindText(2, e.object);
  stmt->BindText(3, e.object_id);
  stmt->BindText(4, e.status);
  stmt->BindInt(5, e.amount);
  stmt->BindText(6, e.currency);
  stmt->BindText(7, e.failure_code);
  stmt->BindInt(8, e.settled_s);
  stmt->BindText(9, metadata);
  SF_RETURN_IF_ERROR(stmt->Run());
  last_seq_ = e.seq;
  return e;
}

void SettlementFeed::Committed(SettlementEvent event) { events_.push_back(std::move(event)); }

std::vector<const SettlementEvent*> SettlementFeed::Since(int64_t since, size_t limit, bool& has_more) const {
  std::vector<const SettlementEvent*> out;
  has_more = false;
  for (const SettlementEvent& e : events_) {
    if (e.seq <= since) continue;
    if (out.size() == limit) {
      has_more = true;
      break;
    }
    out.push_back(&e);
  }
  return out;
}

nlohmann::ordered_json SettlementEventToJson(const SettlementEvent& e) {
  nlohmann::ordered_json j;
  j["id"] = "se_" + std::to_string(e.seq);
  j["object"] = "settlement_event";
  j["seq"] = e.seq;
  j["type"] = e.object + "." + e.status;
  j["object_type"] = e.object;
  j["object_id"] = e.object_id;
  j["status"] = e.status;
  j["amount"] = e.amount;
  j["currency"] = e.currency;
  if (e.failure_code.empty()) {
    j["failure_code"] = nullptr;
  } else {
    j["failure_code"] = e.failure_code;
  }
  j["settled"] = e.settled_s;
  j["metadata"] = MetadataJson(e.metadata);
  return j;
}

}  // namespace steadfast::sandbox
