// CallLog: one SQLite row per HTTP call the sandbox received.
//
// Every request is recorded once its outcome is known: method, path, query,
// idempotency key and traceparent, the status the sandbox produced (for a dropped connection,
// the status of the work it committed before dropping), the fault it played,
// whether the answer was an idempotent replay, and timing. Tests and
// reconciliation read it through GET /sandbox/calls and /sandbox/stats, or
// open the file directly (table `calls`).
//
// Not thread-safe: SandboxService serializes every call with its mutex.
#ifndef STEADFAST_TOOLS_SANDBOX_CALL_LOG_H_
#define STEADFAST_TOOLS_SANDBOX_CALL_LOG_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sandbox_database.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast::sandbox {

struct CallRecord {
  int64_t id = 0;               // assigned by Record
  TimeMs at_ms = 0;             // when the request arrived
  std::string method;
  std::string path;
  std::string query;
  std::string idempotency_key;
  int status = 0;               // the status produced (0 if none)
  std::string fault;            // "" or a FaultKindName / "latency"
  bool replayed = false;        // an idempotent replay of a saved response
  int64_t duration_ms = 0;      // arrival to answer (or drop)
  std::string object_id;        // the refund/record the call created or read, if any
  std::string traceparent;      // the caller's W3C traceparent header, "" if none
};

struct CallFilter {
  int64_t after_id = 0;         // only ids greater than this
  int64_t limit = 100;          // at most this many, oldest first
  std::string path_prefix;      // only paths starting with this
};

class CallLog {
 public:
  explicit CallLog(Connection& db) : db_(db) {}
  CallLog(const CallLog&) = delete;
  CallLog& operator=(const CallLog&) = delete;

  Status Load();  // creates the table if needed
  Status Record(CallRecord& call);  // fills call.id
  // Rows matching the filter plus whether more exist after them.
  Result<std::pair<std::vector<CallRecord>, bool>> List(const CallFilter& filter);
  // Totals: calls, replays, and counts per fault label.
  struct Totals {
    int64_t calls = 0;
    int64_t replays = 0;
    std::map<std::string, int64_t> faults;
  };
  Result<Totals> Summarize();

 private:
  Connection& db_;
};

nlohmann::ordered_json CallToJson(const CallRecord& call);

}  // namespace steadfast::sandbox

#endif  // STEADFAST_TOOLS_SANDBOX_CALL_LOG_H_
