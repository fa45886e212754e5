// ServiceRecords: what the sandbox's inventory and notification services did.
//
// Besides the PSP, the refund activities call an inventory service (release a
// reservation's capacity or restock returned items; re-hold on compensation)
// and a notification service (send the customer a receipt). The sandbox
// plays both and keeps every accepted request as a record, so a test can
// assert "exactly one release for reservation r_1" or "one receipt sent".
// Written through to SQLite.
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_SERVICE_RECORDS_H_
#define STEADFAST_TOOLS_SANDBOX_SERVICE_RECORDS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox_database.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

enum class RecordKind : int { kInventoryRelease = 0, kInventoryHold = 1, kNotification = 2 };
// "inventory_release", "inventory_hold", "notification".
std::string_view RecordKindName(RecordKind kind);

struct ServiceRecord {
  int64_t seq = 0;
  RecordKind kind = RecordKind::kInventoryRelease;
  std::string id;               // "invrel_...", "invhold_...", "ntf_..."
  std::string idempotency_key;
  std::string subject;          // reservation id (inventory) or recipient (notification)
  nlohmann::json request;       // the request body as received
  TimeMs created_ms = 0;
};

class ServiceRecords {
 public:
  explicit ServiceRecords(Connection& db) : db_(db) {}
  ServiceRecords(const ServiceRecords&) = delete;
  ServiceRecords& operator=(const ServiceRecords&) = delete;

  Status Load();
  // Appends a record (seq assigned here).
  Result<ServiceRecord> Add(ServiceRecord record);
  const std::vector<ServiceRecord>& all() const { return records_; }

 private:
  Connection& db_;
  std::vector<ServiceRecord> records_;
  int64_t next_seq_ = 1;
};

// {"id", "object", "created", "subject", "idempotency_key", "request"}.
nlohmann::ordered_json ServiceRecordToJson(const ServiceRecord& record);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_SERVICE_RECORDS_H_
