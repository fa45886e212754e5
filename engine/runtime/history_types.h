// The names of history events (the audit trail), history::k*: public, in
// steadfast/history.h, so plugins observing committed events use the same
// names. Listed with their data in docs/history.md.
#ifndef STEADFAST_RUNTIME_HISTORY_TYPES_H_
#define STEADFAST_RUNTIME_HISTORY_TYPES_H_

#include "steadfast/history.h"

namespace steadfast::history {

// An operator's pause and retry (docs/history.md). Kept here rather than in
// steadfast/history.h for now: that header is included nearly everywhere.
inline constexpr const char* kPauseRequested = "pause_requested";
inline constexpr const char* kWorkflowRetried = "workflow_retried";

}  // namespace steadfast::history

#endif  // STEADFAST_RUNTIME_HISTORY_TYPES_H_
