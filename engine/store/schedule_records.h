// What the store keeps of schedules (docs/schedules.md): each schedule's
// cursor and pause flag, and one row per tick handled.
//
// Exactly once per tick: a tick row's key is (schedule, kind, tick time),
// and a scheduled tick's instance is started in the same transaction that
// records the row and moves the cursor on, with the cursor it read as a
// precondition. A second scheduler (after a crash, or in another process on
// the same database) that handles the same tick finds the cursor moved or
// the row present and writes nothing.
#ifndef STEADFAST_STORE_SCHEDULE_RECORDS_H_
#define STEADFAST_STORE_SCHEDULE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "steadfast/clock.h"

namespace steadfast {

// Persisted as the integer; values never change.
enum class TickKind : int {
  kScheduled = 1,  // a time the schedule's rule named
  kManual = 2,     // an operator's trigger
};

// Persisted as the integer; values never change.
enum class TickOutcome : int {
  kStarted = 1,  // an instance was started
  kSkipped = 2,  // none was: reason says why
};

std::string_view TickKindName(TickKind k);        // "scheduled", "manual"
std::string_view TickOutcomeName(TickOutcome o);  // "started", "skipped"

struct ScheduleState {
  std::string name;
  std::string workflow;
  TimeMs cursor_at = 0;          // every scheduled tick at or before this instant has been handled
  bool paused = false;
  std::string paused_by;         // who paused it ("" when not paused)
  std::string pause_reason;
  TimeMs paused_at = 0;
  std::string last_instance_id;  // the instance it started last ("" = none yet)
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
};

struct ScheduleTick {
  std::string schedule;
  TimeMs tick_at = 0;             // the tick's time; for a manual trigger, when it was asked for
  TickKind kind = TickKind::kScheduled;
  TickOutcome outcome = TickOutcome::kStarted;
  std::string reason;             // skipped: why; started: "" on time, "catch_up" for a missed tick
  std::string instance_id;        // started: the instance ("" when skipped)
  int64_t ticks = 1;              // ticks this row stands for: > 1 summarises a run of missed ticks ending at tick_at
  std::string principal;          // manual: who triggered it
  TimeMs recorded_at = 0;         // 0 = the store clock's now
};

// Ticks handled in one transaction: with a start (StartRequest::schedule_tick)
// or alone (Store::RecordScheduleTicks). Checked in order: the schedule
// exists (kNotFound), its cursor equals expect_cursor_at when given
// (kConflict), no tick row has the key of one in `ticks` (kAlreadyExists).
// Any failure writes nothing, the started instance included.
struct ScheduleTickWrite {
  std::string schedule;
  std::optional<TimeMs> expect_cursor_at;  // precondition; nullopt for a manual trigger
  std::optional<TimeMs> new_cursor_at;     // the cursor afterwards; nullopt = unchanged
  std::vector<ScheduleTick> ticks;
  // The instance a tick started, when the tick is recorded apart from the
  // start (a sharded store starts it in another file first); "" = none.
  std::string started_instance;
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_SCHEDULE_RECORDS_H_
