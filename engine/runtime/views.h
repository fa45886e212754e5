// JSON-ready views of instances and history events, shared by the CLI and
// the HTTP API so both show the same fields with the same names.
#ifndef STEADFAST_RUNTIME_VIEWS_H_
#define STEADFAST_RUNTIME_VIEWS_H_

#include <string>

#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast {

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T18:00:00.123Z".
std::string FormatTime(TimeMs t);

// {id, workflow, version, definition_hash, status, current_step, input,
//  output, error: {code, message}, requested_by, started_by, created_at,
//  updated_at, cancellation?: <StopUnderWay>, ...}
Value InstanceView(const InstanceRecord& rec);
// A cancel (or the workflow deadline) not yet carried out to the end:
// {kind: cancel|deadline, principal, reason, requested_at, state:
// waiting_for_attempt|compensating}; null when there is none.
Value StopUnderWay(const InstanceRecord& rec);
// What a cancel did, for people: "ID cancelled", or that it waits for the
// attempt in flight / runs compensations first. `view` is an InstanceView.
std::string CancelOutcomeLine(const Value& view);
// {seq, at, type, step, attempt, data}
Value HistoryEventView(const HistoryEvent& e);
// One readable line: "  3  18:00:00.123  attempt_failed  psp #2  psp_unavailable: 503 from PSP"
std::string HistoryEventLine(const HistoryEvent& e);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_VIEWS_H_
