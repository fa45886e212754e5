// GCRA arithmetic; see gcra_bucket.h.
#include "store/gcra_bucket.h"

#include <algorithm>
#include <cmath>

namespace steadfast {

GcraBucket::GcraBucket(double per_second, int64_t burst, int64_t tat_us)
    : interval_us_(std::max<int64_t>(1, static_cast<int64_t>(std::llround(1e6 / per_second)))),
      burst_(std::max<int64_t>(1, burst)),
      tat_us_(tat_us) {}

int64_t GcraBucket::Available(TimeMs now) const {
  const int64_t now_us = now * 1000;
  const int64_t tat = std::max(tat_us_, now_us);
  // The bucket holds `burst` intervals of credit ahead of now.
  return std::max<int64_t>(0, (now_us + burst_ * interval_us_ - tat) / interval_us_);
}

void GcraBucket::Take(TimeMs now, int64_t count) {
  tat_us_ = std::max(tat_us_, now * 1000) + count * interval_us_;
}

TimeMs GcraBucket::NextSlotMs(TimeMs now) const {
  if (Available(now) > 0) return now;
  // Available() reaches 1 once now_us >= tat - (burst - 1) * interval.
  const int64_t slot_us = tat_us_ - (burst_ - 1) * interval_us_;
  return std::max(now, (slot_us + 999) / 1000);
}

TimeMs GcraBucket::Reserve(TimeMs now) {
  const TimeMs at = NextSlotMs(now);
  Take(at, 1);
  return at;
}

}  // namespace steadfast
