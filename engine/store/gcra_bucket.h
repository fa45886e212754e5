// GcraBucket: the token bucket of an activity's per_second limit, in the
// form of the generic cell rate algorithm (GCRA).
//
// Its whole state is one number, the theoretical arrival time (TAT) of the
// next start, in microseconds: starts are spaced by interval = 1/rate, and
// up to `burst` may start at once after an idle spell. One number is easy
// to keep in a store row shared by several processes and across restarts
// (activity_rates), and nothing needs refilling on a timer. Pure
// arithmetic on the times it is given: tests drive it with a manual clock.
#ifndef STEADFAST_STORE_GCRA_BUCKET_H_
#define STEADFAST_STORE_GCRA_BUCKET_H_

#include <cstdint>

#include "steadfast/clock.h"

namespace steadfast {

class GcraBucket {
 public:
  GcraBucket() = default;
  // per_second > 0; burst < 1 counts as 1; tat_us as stored (0 = never used).
  GcraBucket(double per_second, int64_t burst, int64_t tat_us);

  // How many starts may happen at `now` without exceeding the rate.
  int64_t Available(TimeMs now) const;
  // Records `count` starts at `now` (count <= Available(now)).
  void Take(TimeMs now, int64_t count);
  // The first millisecond at which Available() is at least 1 (`now` if it
  // already is).
  TimeMs NextSlotMs(TimeMs now) const;
  // Reserves the next start at or after `now`: returns its time (the first
  // millisecond the bucket allows it) and records it, as Take would then.
  TimeMs Reserve(TimeMs now);

  int64_t tat_us() const { return tat_us_; }
  int64_t interval_us() const { return interval_us_; }

 private:
  int64_t interval_us_ = 1;
  int64_t burst_ = 1;
  int64_t tat_us_ = 0;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_GCRA_BUCKET_H_
