// Schedule metrics: ticks counted as recorded, pause and next tick read at scrape.
#include "observability/schedule_metrics.h"

namespace steadfast {

std::string TickReasonCode(const ScheduleTick& tick) {
  if (tick.kind == TickKind::kManual) return "manual";
  if (tick.reason.empty()) return "on_time";
  // "overlap: ...", "catch_up", "catch_up; cancel_previous: ..."
  const size_t end = tick.reason.find_first_of(":;");
  return tick.reason.substr(0, end);
}

ScheduleMetrics::ScheduleMetrics(metrics::Registry& registry, Scheduler& scheduler)
    : ticks_(registry.AddCounterFamily("steadfast_schedule_ticks_total",
                                       "Schedule ticks handled by this process, by outcome (started, skipped) and reason",
                                       {"schedule", "outcome", "reason"})),
      paused_(registry.AddGaugeFamily("steadfast_schedule_paused", "1 while the schedule is paused", {"schedule"})),
      next_tick_(registry.AddGaugeFamily("steadfast_schedule_next_tick_timestamp_seconds",
                                         "When the schedule's next tick is due (0 while paused)", {"schedule"})) {
  registry.SetCollector("schedules", [this, &scheduler] {
    Result<std::vector<ScheduleInfo>> all = scheduler.List();
    if (!all.ok()) return;
    for (const ScheduleInfo& info : *all) {
      paused_.WithLabels({info.def.name}).Set(info.state.paused ? 1 : 0);
      next_tick_.WithLabels({info.def.name}).Set(info.next_tick_at ? static_cast<double>(*info.next_tick_at) / 1000.0 : 0);
    }
  });
}

void ScheduleMetrics::OnTick(const ScheduleTick& tick) {
  ticks_.WithLabels({tick.schedule, std::string(TickOutcomeName(tick.outcome)), TickReasonCode(tick)})
      .Inc(tick.ticks);
}

}  // namespace steadfast
