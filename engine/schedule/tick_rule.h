// TickRule: a schedule's firing times, from its `cron` (in its time zone)
// or its `every` interval, behind one Next().
#ifndef STEADFAST_SCHEDULE_TICK_RULE_H_
#define STEADFAST_SCHEDULE_TICK_RULE_H_

#include <optional>
#include <string>

#include "definition/workflow_def.h"
#include "schedule/cron_expression.h"
#include "schedule/time_zone.h"
#include "steadfast/clock.h"
#include "steadfast/status.h"

namespace steadfast {

class TickRule {
 public:
  // InvalidArgument for a bad cron expression, NotFound for an unknown time
  // zone (the parser reports both with file:line:col first).
  static Result<TickRule> FromDef(const ScheduleDef& def);

  // The first tick strictly after `after`; nullopt when there is none within
  // eight years. `every` ticks fall on whole multiples of the interval since
  // the UNIX epoch, so they do not drift with restarts.
  std::optional<TimeMs> Next(TimeMs after) const;

  // "cron '0 2 * * *' (Europe/Paris)" or "every 1h", for lists and logs.
  std::string Describe() const;

 private:
  std::optional<CronExpression> cron_;
  TimeZone zone_;
  int64_t every_ms_ = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_SCHEDULE_TICK_RULE_H_
