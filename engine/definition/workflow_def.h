// WorkflowDef: a parsed, validated workflow definition (from YAML).
//
// Control flow: steps run in the order written. A step's `when` false skips
// it: control goes to the following step in order and its `next` is not
// taken. After a step completes, `next` jumps (to a step id or "end");
// without `next` control falls through to the following step, and after the
// last step the workflow completes. Wait steps jump on timeout and
// approvals on rejection. Targets are step ids or one of the words below.
//
// Approvals are the exception to "when false skips": for an approval step,
// `when` (written `approval.when` in YAML) decides whether the step holds
// for a decision; when false the step counts as approved at once and
// control continues exactly as after an approval (its `next`, or the
// following step).
//
// Every field below holds its effective value after parsing: defaults are
// filled in (on_timeout "fail"/"reject", on_reject "fail", the workflow's
// default retry and timeout), so the runtime never re-derives them.
#ifndef STEADFAST_DEFINITION_WORKFLOW_DEF_H_
#define STEADFAST_DEFINITION_WORKFLOW_DEF_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/priority.h"
#include "definition/expression.h"
#include "definition/value_template.h"
#include "steadfast/value.h"

namespace steadfast {

struct SourceLocation {
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// What happens when a step has failed for good (retries exhausted or a
// non-retryable error).
enum class ExhaustedAction : int {
  kFail = 0,        // end the workflow `failed` without compensating
  kPause = 1,       // park the instance `paused` for an operator (resume / cancel)
  kCompensate = 2,  // compensate completed steps in reverse order, end `compensated`
};

// What a cancel (or the workflow deadline) does to the steps that completed.
// Either way an attempt in flight is checkpointed first.
enum class CancelAction : int {
  kCompensate = 0,  // compensate completed steps in reverse order, then end
  kStop = 1,        // end at once; completed steps stay as they are
};

struct RetryPolicy {
  int max_attempts = 3;                    // >= 1; 1 = no retry
  int64_t initial_interval_ms = 1000;
  double backoff = 2.0;                    // >= 1.0
  int64_t max_interval_ms = 60000;
  double jitter = 0.0;                     // 0..1: delay * (1 +/- jitter*U)
  std::vector<std::string> non_retryable;  // error codes that stop retrying at once
  ExhaustedAction on_exhausted = ExhaustedAction::kCompensate;
};

// kSleep is written `sleep: 3d` or `until: "${...}"` in YAML: a durable
// timer, not a wait for someone (docs/workflows.md "Sleep and wait-until").
// kContinueAsNew ends the run and starts the workflow again from its first
// step under the same instance id, with a fresh history (docs/workflows.md
// "Workflows that never end"). kChild runs another workflow as the step and
// waits for its result (docs/workflows.md "Child workflows"); kParallel runs
// several of them at once and joins them (docs/workflows.md "Parallel branches").
enum class StepKind : int {
  kActivity = 0,
  kSignal = 1,
  kApproval = 2,
  kSleep = 3,
  kContinueAsNew = 4,
  kChild = 5,
  kParallel = 6,
  kForEach = 7,  // a child workflow per element of a list (docs/workflows.md "Fan-out: for_each")
};

// The most branches one parallel step may have.
inline constexpr size_t kMaxParallelBranches = 100;
// A for_each step: the most elements, and the most children at once.
inline constexpr size_t kMaxForEachElements = 10000;
inline constexpr int kMaxForEachConcurrency = 1000;

// The id of element `index` of for_each step `step`: "<step>.<index>". It
// names the element's child and its place in the instance's state; step ids
// have no '.', so it is never a step's.
std::string ElementId(std::string_view step, int64_t index);
// The for_each step and element of an element id; false for other ids.
bool ParseElementId(std::string_view id, std::string* step, int64_t* index);

// The longest sleep (100 years): a wake time past it is a mistake, and
// keeping below it keeps `now + sleep` far from overflow.
inline constexpr int64_t kMaxSleepMs = int64_t{36500} * 24 * 60 * 60 * 1000;

// Jump words allowed where a step id is: "end" completes the workflow,
// "fail" fails it (error code given by the context), "continue" goes on to
// the next step in order. Approvals also accept "approve"/"reject" in on_timeout.
// Search keys: how many a workflow may declare, how long a key name and a
// key's value may be (an index entry, not a document store).
inline constexpr size_t kMaxSearchKeys = 16;
inline constexpr size_t kMaxSearchKeyNameLength = 64;
inline constexpr size_t kMaxSearchValueLength = 256;

inline constexpr const char* kTargetEnd = "end";
inline constexpr const char* kTargetFail = "fail";
inline constexpr const char* kTargetContinue = "continue";

struct StepDef {
  std::string id;
  StepKind kind = StepKind::kActivity;
  SourceLocation loc;                 // of the step's mapping

  // kActivity
  std::string activity;               // registered activity name
  ValueTemplate with;                 // the activity's input
  RetryPolicy retry;                  // effective: workflow defaults overlaid by the step's own
  int64_t timeout_ms = 30000;         // start-to-close, per attempt
  int64_t schedule_to_close_ms = 0;   // whole step incl. retries; 0 = none
  std::string compensate;             // activity run if a later step fails for good; "" = none
  ValueTemplate compensate_with;      // its input; null = {input: <step input>, output: <step output>}

  // all kinds
  std::optional<Expression> when;     // skip the step when false (approval: hold only when true)
  std::string next;                   // "" = following step; else a step id or "end"

  // kSignal and kApproval
  std::string signal;                 // kSignal: the event name waited for
  int64_t wait_timeout_ms = 0;        // 0 = wait forever
  std::string on_timeout;             // signal: step id | end | fail | continue (default fail)
                                      // approval: approve | reject | fail | step id (default reject)
  std::string on_reject;              // approval: step id | end | fail (default fail)
  ValueTemplate context;              // shown to reviewers / stored with the wait (e.g. amount)
  int required_approvals = 1;         // approval: distinct reviewers needed

  // kSleep: exactly one of the three is set
  int64_t sleep_ms = 0;               // `sleep: 3d`
  ValueTemplate sleep_for;            // `sleep: "${...}"`: a duration ("3d") or milliseconds, taken on entry
  ValueTemplate until;                // `until: "${...}"`: an RFC 3339 instant or epoch milliseconds, taken on entry

  // kContinueAsNew
  ValueTemplate next_input;           // the next run's input; null = this run's input
  int next_version = -1;              // the next run's version: -1 = this run's definition, 0 = the
                                      //   latest one loaded (`version: latest`), N = version N

  // kChild
  std::string child_workflow;         // the child's workflow name
  SourceLocation child_workflow_at;   // where `workflow:` names it, for messages
  int child_version = 0;              // 0 = the latest loaded when the step starts, N = version N
  ValueTemplate child_input;          // the child's input; null = {}
  bool child_compensate = true;       // compensating this workflow compensates the child (once it completed)

  // kParallel: its branches, each a kChild step whose id is unique among
  // the workflow's steps and branches, and how many must complete.
  std::vector<StepDef> branches;
  int join = 0;                       // 0 = all of them; N = the first N (`any` = 1)

  // kForEach: also the kChild fields (child_input may read `item` and `index`)
  ValueTemplate for_each;             // the list, evaluated when the step starts
  int concurrency = 10;               // children running at once
};

// Whether compensating a workflow undoes `step` once it completed: an
// activity step with a compensation, or a child workflow step that
// compensates its child.
bool Compensable(const StepDef& step);

enum class InputType : int { kAny = 0, kString = 1, kInt = 2, kNumber = 3, kBool = 4, kMap = 5, kList = 6 };

struct InputField {
  std::string name;
  InputType type = InputType::kAny;
  bool required = true;               // "type?" in YAML makes it optional
};

// A schedule's answer to a tick while the instance it started last is
// still running (docs/schedules.md). Persisted nowhere; names are the YAML words.
enum class OverlapPolicy : int {
  kSkip = 0,            // record the tick as skipped
  kAllow = 1,           // start another instance anyway
  kCancelPrevious = 2,  // start the new instance and cancel the running one
};

// What a schedule does with the ticks that passed while no scheduler ran.
enum class CatchUpPolicy : int {
  kSkip = 0,    // start none of them (recorded as skipped)
  kLatest = 1,  // start the most recent one only
  kAll = 2,     // start each, up to catch_up_limit (the most recent ones)
};

// `schedules:` in a workflow file: start this workflow on a cron
// expression or a fixed interval (docs/schedules.md).
struct ScheduleDef {
  std::string name;                  // unique across the served workflows
  std::string cron;                  // 5 or 6 fields or a @macro; "" when every_ms is set
  int64_t every_ms = 0;              // a fixed interval from the UNIX epoch (whole seconds); 0 with cron
  std::string time_zone = "UTC";     // IANA name the cron fields are read in
  Value input;                       // the started instance's input (a fixed map)
  OverlapPolicy overlap = OverlapPolicy::kSkip;
  CatchUpPolicy catch_up = CatchUpPolicy::kLatest;
  int catch_up_limit = 10;           // catch_up: all starts at most this many missed ticks
  SourceLocation loc;                // of the schedule's mapping
};

inline constexpr int kMaxCatchUpLimit = 1000;

struct WorkflowDef {
  std::string name;
  int version = 1;
  std::string description;
  std::vector<InputField> input;      // declared input fields, in order
  std::vector<StepDef> steps;
  ValueTemplate output;               // null = map of step id -> step output
  // Search keys (`search:`): key name -> template over input/workflow,
  // evaluated and indexed when an instance starts (docs/workflows.md).
  std::map<std::string, ValueTemplate> search;
  int64_t deadline_ms = 0;            // whole workflow; 0 = none
  int64_t retention_ms = 0;           // finished instances are purged this long after; 0 = kept
  int priority = kDefaultPriority;    // its instances' unless the start call sets one (core/priority.h)
  CancelAction on_cancel = CancelAction::kCompensate;  // also applies when the deadline passes
  std::vector<ScheduleDef> schedules;  // when to start it on its own
  std::string source;                 // the YAML text it was parsed from
  std::string hash;                   // hex SHA-256 of source: the pinned version
  std::string path;                   // file it came from, for messages

  // Index of the step with this id, or -1.
  int StepIndex(std::string_view id) const;
  // The step with this id, or nullptr.
  const StepDef* FindStep(std::string_view id) const;
  // The parallel step with a branch of this id, or nullptr.
  const StepDef* ParallelOf(std::string_view branch_id) const;
  // The step or parallel branch with this id, or for an element id
  // (ElementId) its for_each step; nullptr when none.
  const StepDef* FindStepOrBranch(std::string_view id) const;
};

}  // namespace steadfast

#endif  // STEADFAST_DEFINITION_WORKFLOW_DEF_H_
