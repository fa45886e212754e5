// ScheduleMetrics: the schedules' Prometheus metrics (docs/observability.md).
//
//   steadfast_schedule_ticks_total{schedule, outcome, reason}  counter: ticks this
//     process handled, started or skipped; reason is the short code of a
//     skip or catch-up ("on_time", "catch_up", "overlap", "catch_up_limit",
//     "cancel_previous", "start_failed", "manual"). A row summarising N missed
//     ticks counts N.
//   steadfast_schedule_paused{schedule}  gauge: 1 while paused (read at scrape)
//   steadfast_schedule_next_tick_timestamp_seconds{schedule}  gauge: the next
//     tick to handle (0 while paused); a value in the past means ticks are late.
// Labels are bounded: schedule names come from the definitions.
#ifndef STEADFAST_OBSERVABILITY_SCHEDULE_METRICS_H_
#define STEADFAST_OBSERVABILITY_SCHEDULE_METRICS_H_

#include "metrics/registry.h"
#include "runtime/scheduler.h"
#include "store/schedule_records.h"

namespace steadfast {

class ScheduleMetrics {
 public:
  // registry and scheduler must outlive this; the scheduler is read at
  // every scrape. Attach with scheduler.SetTickObserver(OnTick).
  ScheduleMetrics(metrics::Registry& registry, Scheduler& scheduler);

  void OnTick(const ScheduleTick& tick);

 private:
  metrics::Family<metrics::Counter>& ticks_;
  metrics::Family<metrics::Gauge>& paused_;
  metrics::Family<metrics::Gauge>& next_tick_;
};

// The short code of a tick's reason, for the metric's label.
std::string TickReasonCode(const ScheduleTick& tick);

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_SCHEDULE_METRICS_H_
