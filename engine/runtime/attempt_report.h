// AttemptReport: what one attempt of an activity did, as the executor saw
// it, for observers that are not the history (traces). Reported once per
// attempt that ran in this process: when the activity returned, or when the
// watchdog gave up on it. Attempts lost with a crashed process appear in
// the history as attempt_abandoned events instead.
#ifndef STEADFAST_RUNTIME_ATTEMPT_REPORT_H_
#define STEADFAST_RUNTIME_ATTEMPT_REPORT_H_

#include <functional>
#include <string>

#include "steadfast/activity.h"
#include "steadfast/clock.h"
#include "store/store.h"

namespace steadfast {

struct AttemptReport {
  const InstanceRecord& instance;  // as loaded before the attempt
  const std::string& step_id;
  const std::string& activity;
  int attempt = 0;
  bool compensation = false;
  const std::string& idempotency_key;
  const std::string& traceparent;     // the attempt's own context, as its activity saw it
  TimeMs started_at = 0;
  TimeMs ended_at = 0;
  const ActivityResult& result;       // a timeout is reported as its start_to_close_timeout error
  const Value::Map& attributes;       // ActivityContext::SetTraceAttribute; empty for a timeout
};

// Called on the worker (or watchdog) thread right after the attempt; must
// be thread-safe and must not block.
using AttemptObserver = std::function<void(const AttemptReport&)>;

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_ATTEMPT_REPORT_H_
