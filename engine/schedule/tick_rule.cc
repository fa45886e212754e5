// TickRule: cron or interval.
#include "schedule/tick_rule.h"

#include <fmt/format.h>

#include "steadfast/time_text.h"

namespace steadfast {

Result<TickRule> TickRule::FromDef(const ScheduleDef& def) {
  TickRule rule;
  if (def.every_ms > 0) {
    if (def.every_ms % 1000 != 0) return Status::InvalidArgument("'every' must be a whole number of seconds");
    rule.every_ms_ = def.every_ms;
    return rule;
  }
  SF_ASSIGN_OR_RETURN(CronExpression cron, CronExpression::Parse(def.cron));
  SF_ASSIGN_OR_RETURN(rule.zone_, TimeZone::Find(def.time_zone));
  rule.cron_ = std::move(cron);
  return rule;
}

std::optional<TimeMs> TickRule::Next(TimeMs after) const {
  if (cron_) return cron_->Next(after, zone_);
  if (every_ms_ <= 0) return std::nullopt;
  const TimeMs periods = after >= 0 ? after / every_ms_ : -((-after + every_ms_ - 1) / every_ms_);
  return (periods + 1) * every_ms_;
}

std::string TickRule::Describe() const {
  if (cron_) return fmt::format("cron '{}' ({})", cron_->text(), zone_.name());
  return "every " + FormatDurationMs(every_ms_);
}

}  // namespace steadfast
