// JSON-ready views of instances and history events, shared by the CLI and
// the HTTP API so both show the same fields with the same names. The
// runtime's own state (the InstanceState blob) is read here and nowhere
// outside the runtime: callers hand in records and get Values back.
#ifndef STEADFAST_RUNTIME_VIEWS_H_
#define STEADFAST_RUNTIME_VIEWS_H_

#include <string>
#include <vector>

#include "definition/workflow_def.h"
#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast {

// RFC 3339 UTC with milliseconds, e.g. "2026-11-23T18:00:00.123Z".
std::string FormatTime(TimeMs t);

// {id, workflow, version, definition_hash, status, current_step, input,
//  output, error: {code, message}, requested_by, started_by, created_at,
//  updated_at, cancellation?: <StopUnderWay>, pausing?: <PauseUnderWay>, ...}
Value InstanceView(const InstanceRecord& rec);
// A cancel (or the workflow deadline) not yet carried out to the end:
// {kind: cancel|deadline, principal, reason, requested_at, state:
// waiting_for_attempt|compensating}; null when there is none.
Value StopUnderWay(const InstanceRecord& rec);
// An operator's pause waiting for the attempt in flight (the instance is
// still running): {principal, reason, requested_at}; null when there is none.
Value PauseUnderWay(const InstanceRecord& rec);
// What a cancel did, for people: "ID cancelled", or that it waits for the
// attempt in flight / runs compensations first. `view` is an InstanceView.
std::string CancelOutcomeLine(const Value& view);
// True when the instance is parked on an approval, a signal or a sleep step.
bool Waits(const InstanceRecord& rec);
// What a waiting instance waits for: {kind: approval|signal|sleep, step,
// required_approvals (approval) | signal (signal) | wake_at (sleep),
// context?, approvals (approval), timeout_at?}; null when it does not
// wait. `def` is the
// instance's definition (null when it could not be loaded: the fields it
// gives are left out), `tasks` its tasks (for the wait's timeout).
Value WaitingForView(const InstanceRecord& rec, const WorkflowDef* def, const std::vector<TaskRecord>& tasks);
// The decision that closed an approval step: {decision, principal,
// comment, at?, approvals?}; null when the step's output holds none.
Value DecisionView(const InstanceRecord& rec, const std::string& step);
// Each step the history mentions: {step id: {state, detail, attempts}}
// (runtime/step_progress.h).
Value StepProgressView(const std::vector<HistoryEvent>& events);
// {seq, at, type, step, attempt, data}
Value HistoryEventView(const HistoryEvent& e);
// One readable line: "  3  18:00:00.123  attempt_failed  psp #2  psp_unavailable: 503 from PSP"
std::string HistoryEventLine(const HistoryEvent& e);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_VIEWS_H_
