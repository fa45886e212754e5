// Clock: the engine's only source of time.
//
// Everything that waits or times out (retry backoff, attempt and step
// timeouts, approval deadlines, leases) asks a Clock, so tests substitute a
// ManualClock and check timing logic exactly and instantly.
#ifndef STEADFAST_CLOCK_H_
#define STEADFAST_CLOCK_H_

#include <atomic>
#include <cstdint>

namespace steadfast {

// Milliseconds since the UNIX epoch (UTC).
using TimeMs = int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in milliseconds since the epoch. Thread-safe.
  virtual TimeMs NowMs() const = 0;
};

// The real clock (std::chrono::system_clock).
class SystemClock final : public Clock {
 public:
  TimeMs NowMs() const override;
  // A process-wide instance.
  static SystemClock& Instance();
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start = 1'700'000'000'000) : now_(start) {}
  TimeMs NowMs() const override { return now_.load(); }
  void Set(TimeMs t) { now_.store(t); }
  void Advance(TimeMs delta) { now_.fetch_add(delta); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace steadfast

#endif  // STEADFAST_CLOCK_H_
