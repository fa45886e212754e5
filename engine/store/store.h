// Store: everything the engine persists, behind one interface.
//
// The runtime never touches SQL. It reads instances, history and tasks, and
// changes them only through atomic Commit()s: a Commit either applies every
// part (instance row, history events, task deletions and inserts, signal
// rows) or none, and returns only once the change is durable. Preconditions
// in a Commit (expected instance version, task lease token) make concurrent
// writers safe without locks in the engine: a lost race returns
// kConflict / kLeaseLost and writes nothing.
//
// Implementations: sqlite/ (embedded default, group commit). A future
// PostgreSQL store implements the same contract for several processes.
#ifndef STEADFAST_STORE_STORE_H_
#define STEADFAST_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/priority.h"
#include "steadfast/clock.h"
#include "steadfast/history.h"
#include "steadfast/status.h"
#include "steadfast/storage.h"
#include "steadfast/value.h"
#include "store/node_lock.h"
#include "store/schedule_records.h"

namespace steadfast {

// Instance lifecycle. Persisted as the integer; values never change.
enum class InstanceStatus : int {
  kRunning = 1,          // a task is ready, leased or waiting on a retry timer
  kWaitingSignal = 2,    // parked on a signal step
  kWaitingApproval = 3,  // parked on an approval step
  kPaused = 4,           // a step failed for good with on_exhausted: pause
  kCompensating = 5,     // running compensations after a failure
  kCompleted = 6,        // terminal
  kFailed = 7,           // terminal
  kCompensated = 8,      // terminal
  kCancelled = 9,        // terminal
  kSleeping = 10,        // on a sleep step's timer (`sleep:` / `until:`)
  kContinued = 11,       // terminal: a finished run of an instance that continued as new (ArchivedRunId)
  kWaitingChild = 12,    // on a child workflow step, until the child finishes
};
// The stored values run from kRunning to this one, without gaps.
inline constexpr InstanceStatus kLastInstanceStatus = InstanceStatus::kWaitingChild;

// The id under which run `run` of instance `id` is kept once the instance
// continued as new: "<id>~<run>". '~' is never allowed in the id of a
// started instance, so these ids cannot collide with one.
std::string ArchivedRunId(const std::string& id, int64_t run);
inline constexpr char kRunSeparator = '~';

// The id of the child workflow that step `step` of run `run` of instance
// `parent` starts: "<parent>~<step>" ("<parent>~<run>~<step>" from the
// second run on). Step ids start with a letter, so it never collides with
// an archived run's id, nor (with '~' refused in started ids) with any
// other instance. Longer than kMaxChildIdLength, the tail becomes a hash.
std::string ChildInstanceId(const std::string& parent, int64_t run, const std::string& step);
inline constexpr size_t kMaxChildIdLength = 128;

std::string_view InstanceStatusName(InstanceStatus s);  // "running", "waiting_signal", ...
std::optional<InstanceStatus> ParseInstanceStatus(std::string_view name);
bool IsTerminal(InstanceStatus s);

struct DefinitionRecord {
  std::string hash;      // hex SHA-256 of source; primary key
  std::string name;
  int version = 0;
  std::string source;    // YAML text
  TimeMs created_at = 0;
};

// Another instance this one is related to (e.g. the return whose refund it
// processes), with the trace context of that instance's workflow span.
struct InstanceLink {
  std::string instance_id;
  std::string traceparent;
  bool operator==(const InstanceLink&) const = default;
};

// Stored form of InstanceRecord::links: one "<instance id> <traceparent>"
// per line. Lines that do not have that shape are skipped when decoding.
std::string EncodeInstanceLinks(const std::vector<InstanceLink>& links);
std::vector<InstanceLink> DecodeInstanceLinks(std::string_view text);

// One search key of an instance (the workflow's `search:`), fixed at start.
struct SearchKey {
  std::string name;
  std::string value;
  bool operator==(const SearchKey&) const = default;
};

// Stored form of InstanceRecord::search_keys: a JSON object of name -> value
// text; "" for none. Text that is not such an object decodes to no keys.
std::string EncodeSearchKeys(const std::vector<SearchKey>& keys);
std::vector<SearchKey> DecodeSearchKeys(std::string_view text);

struct InstanceRecord {
  std::string id;
  std::string workflow_name;
  int workflow_version = 0;
  std::string definition_hash;
  InstanceStatus status = InstanceStatus::kRunning;
  std::string current_step;     // step being run or waited on; "" when terminal
  Value input;
  Value output;                 // set when completed
  std::string error_code;       // set when failed/compensated/cancelled
  std::string error_message;
  std::string state;            // opaque runtime blob (step outputs, progress)
  std::string idempotency_key;  // "" if none
  std::string requested_by;     // the declared requester: the starting principal, or whom an admin named
  std::string started_by;       // the principal that made the start call ("" before schema v3)
  std::string traceparent;      // W3C trace context: the caller's at start, else a new trace ("" before schema v2)
  std::vector<InstanceLink> links;  // related instances, fixed at start
  std::vector<SearchKey> search_keys;  // indexed for ListFilter::keys, fixed at start (none before schema v6)
  int priority = kDefaultPriority;  // kHighestPriority..kLowestPriority, fixed at start (ClaimRequest)
  std::string parent_id;        // a child workflow: the instance whose step started it ("" = none; schema v11)
  std::string parent_step;      //   and that step; both fixed at start
  int64_t version = 0;          // 1 at start; +1 by every Commit that writes the row or appends events
  TimeMs created_at = 0;
  TimeMs updated_at = 0;        // written with each version bump (0 = the store clock's now)
  TimeMs deadline_at = 0;       // 0 = none
  std::string decode_error;     // lists only: why input/output could not be decoded (then both are null)
};

// Task kinds. Persisted as the integer; values never change.
enum class TaskKind : int {
  kRunStep = 1,       // run (an attempt of) step_id; also evaluates when/approval conditions
  kWaitTimeout = 2,   // fires when a signal/approval wait times out
  kCompensate = 3,    // run the compensation of step_id
  kDeadline = 4,      // the workflow deadline
  kChildEnded = 5,    // the child of step_id finished (or finished compensating): take its outcome
  kStopChild = 6,     // cancel the child of step_id: this instance is being stopped
};

struct TaskRecord {
  int64_t id = 0;
  std::string instance_id;
  TaskKind kind = TaskKind::kRunStep;
  std::string step_id;
  int attempt = 1;           // the attempt this task will run (1-based)
  TimeMs due_at = 0;         // not claimable before
  std::string lease_owner;   // "" = not leased
  TimeMs lease_until = 0;    // lease expiry; claimable again after it
  int64_t lease_token = 0;   // bumped on each claim; fences stale workers (LeaseClaims below)
  TimeMs step_started_at = 0;  // first schedule of this step (for schedule-to-close)
  std::string activity;      // the activity its attempt calls (run/compensate tasks); "" for timers
                             //   and tasks stored before schema v5: activity holds and limits use it
  TimeMs start_at = 0;       // not stored: a claim of a rate-limited activity reserved this start time
  int priority = kDefaultPriority;  // its instance's, copied when the task is written (schema v10);
                                    //   read back by claims and GetTasks, not by commits
};

// A lease token fences: (task id, token) pairs never repeat, so a stale
// holder's Apply, RenewLease or ReturnUnstartedTask gets kLeaseLost. Its low
// kLeaseClaimBits bits count the claims of the task (0: never claimed, so no
// attempt of it can have started; a pre-claimed task starts at 1); the bits
// above count the earlier tasks the row held. A store may write the first
// new task of a commit into the row of the task that commit finishes (the
// SQLite store does, to touch fewer pages): that task's tokens then start at
// the next multiple of 2^kLeaseClaimBits, above every token the row handed
// out before, and a ReturnUnstartedTask never takes a token below it.
// Callers that ask "how often was this task claimed" use LeaseClaims.
inline constexpr int kLeaseClaimBits = 32;
inline constexpr int64_t LeaseClaims(int64_t lease_token) {
  return lease_token & ((int64_t{1} << kLeaseClaimBits) - 1);
}

// HistoryEvent (one stored history event) is public: steadfast/history.h.


struct NewTask {
  TaskKind kind = TaskKind::kRunStep;
  std::string step_id;
  int attempt = 1;
  TimeMs due_at = 0;
  TimeMs step_started_at = 0;
  std::string activity;  // the activity an attempt of this task calls ("" for timers)
  // Pre-claim for the committing worker (it runs the task next): the task is
  // inserted already leased, and the lease token is returned in CommitResult.
  std::string lease_owner;
  TimeMs lease_until = 0;
};

struct SignalRecord {
  int64_t id = 0;
  std::string instance_id;
  std::string name;
  Value payload;
  std::string idempotency_key;  // unique per instance when non-empty
  std::string principal;
  TimeMs received_at = 0;
  bool consumed = false;
};

// A run ending in continue_as_new: the instance goes on under its id with
// a new run, and the run that ended is filed as an instance of its own.
struct RunArchive {
  // The finished run's row (id ArchivedRunId(...), status kContinued, its
  // input, output and state); every column is written as given, the
  // version is 1. Its id must not exist yet.
  InstanceRecord run;
  std::vector<HistoryEvent> events;  // appended to the run after the history it takes over
  Value next_input;                  // the instance's input from now on
  // When the next run has another definition (`version:`): stored if new;
  // the instance's workflow_version and definition_hash are taken from the
  // commit's instance row.
  std::optional<DefinitionRecord> next_definition;
};

struct StartRequest {
  InstanceRecord instance;        // id (required), definition, input, state, status...; version is
                                  // set by the store (1); created_at/updated_at 0 = now
  std::vector<HistoryEvent> events;
  std::vector<NewTask> tasks;
  // A schedule's tick handled in the same transaction (schedules only): its
  // preconditions are checked first, and the started instance becomes the
  // schedule's last_instance_id. When the instance exists already (kExisting)
  // nothing of it is written.
  std::optional<ScheduleTickWrite> schedule_tick;
};

// A child workflow started by a checkpoint of its parent (Commit::start_children).
struct ChildStart {
  // The child as a StartRequest (instance.parent_id/parent_step set, no
  // idempotency key). Written unless an instance with its id exists: that
  // is the same child, entered again (a retry, a resume), and it is kept.
  StartRequest start;
  std::optional<DefinitionRecord> definition;  // the child's pinned version, stored if new
  // The parent's kChildEnded task, written when the child has finished
  // already (kept and finished, or finished at its start).
  NewTask if_finished;
};

// A task for another instance than the commit's (a finished child tells its parent).
struct TaskForInstance {
  std::string instance_id;
  NewTask task;
};

// One atomic change to one instance. Checked and applied in this order:
// instance exists (else kNotFound), expect_version (else kConflict naming
// the current version), task_id/lease_token (else kLeaseLost; the task is
// deleted), require_no_claimed_attempt (else kConflict), add_signal (a
// duplicate idempotency key: kAlreadyExists), consume_signal_id (not
// pending: kConflict), plugin_writes (one returning an error: kAborted),
// delete_other_tasks / delete_step_tasks, new_tasks, events, instance row.
// Any failure writes nothing at all.
//
// Version: when `instance` is given or `events` is non-empty, the version
// goes up by one and updated_at is written (instance->updated_at, or the
// store clock's now when that is 0 or no row is given); a Commit that only
// moves tasks or signals leaves both unchanged.
struct Commit {
  std::string instance_id;
  // Preconditions; any failing one aborts the whole Commit.
  std::optional<int64_t> expect_version;  // instance.version must equal this
  int64_t task_id = 0;                    // if set: this task must exist with lease_token
  int64_t lease_token = 0;                //   (and is deleted by the commit, or its row
                                          //   holds the first of new_tasks: LeaseClaims)
  // If set: no other task of the instance that runs an attempt (run step,
  // compensate) may have been claimed (LeaseClaims(lease_token) > 0: its attempt may
  // have started, in this process or in one that died). A commit that stops
  // an instance at once sets it, so it can never drop an attempt whose
  // effect may have happened: that attempt's result is checkpointed first.
  bool require_no_claimed_attempt = false;

  // Writes.
  // The row's mutable columns to write: status, current_step, output,
  // error_code, error_message, state, deadline_at. The others (id,
  // workflow, definition, input, keys, principals, created_at) are fixed at start and
  // ignored here; version is set by the store.
  std::optional<InstanceRecord> instance;
  std::vector<HistoryEvent> events;        // seq and instance_id set by the store; at 0 = now
  bool delete_other_tasks = false;         // drop every remaining task of the instance
  bool delete_step_tasks = false;          // drop the remaining step tasks (run, compensate, wait
                                           // timeouts) but keep the instance's own timers (deadline)
  std::vector<NewTask> new_tasks;
  std::optional<SignalRecord> add_signal;  // a signal row: buffered (consumed false) or delivered to the
                                           // step waiting for it (true); id/instance_id ignored
  int64_t consume_signal_id = 0;           // mark this buffered signal consumed
  // Plugin writes (steadfast/storage.h) that commit together with this
  // checkpoint or not at all: ActivityContext::AtCheckpoint. Run in order
  // on the store's write path after the preconditions passed; they must not
  // block on anything but their statements.
  std::vector<PluginWrite> plugin_writes;
  // continue_as_new (applied after the signal writes, before the task
  // writes): inserts continue_as_new->run, moves the instance's history
  // and consumed signals (consume_signal_id's included) to it, appends
  // its events there, and sets the instance's input, workflow_version and
  // definition_hash (the last two from `instance`, which must be given).
  // The commit's own `events` then start the new run's history, numbered
  // on from the filed run's last event.
  std::optional<RunArchive> continue_as_new;
  // Child workflows to start (after the instance's own task writes); their
  // tasks follow the instance's own in CommitResult::created_tasks.
  std::vector<ChildStart> start_children;
  // Tasks for other instances; kNotFound-free: a task for an instance that
  // is gone is not written. Returned last in created_tasks.
  std::vector<TaskForInstance> tasks_for_others;
};

struct CommitResult {
  int64_t instance_version = 0;           // the instance's version after the commit
  std::vector<TaskRecord> created_tasks;  // in new_tasks order, with ids and lease tokens (the
                                          // first may have task_id's id: LeaseClaims)
  int64_t signal_id = 0;                  // id of the add_signal row, 0 if none
  std::vector<std::string> started_children;  // the start_children written (not those found existing)
};


enum class StartOutcome : int {
  kCreated = 0,   // new instance
  kExisting = 1,  // the same id or idempotency key with the same input: returns that instance
};

struct StartResult {
  StartOutcome outcome = StartOutcome::kCreated;
  InstanceRecord instance;        // the created or the existing instance
  std::vector<TaskRecord> created_tasks;
};

// An operator's kill switch on one activity ("*": every activity): while
// it is held, no attempt of it starts; tasks wait, nothing fails.
struct ActivityHold {
  std::string activity;  // an activity name, or kAllActivities
  std::string reason;
  std::string held_by;   // the principal who placed it
  TimeMs held_at = 0;    // 0 = the store clock's now
};
inline constexpr const char* kAllActivities = "*";

// One entry of the hold audit log: a hold placed or released.
struct ActivityHoldEvent {
  int64_t id = 0;
  std::string activity;
  std::string action;     // "hold" | "release"
  std::string principal;
  std::string reason;
  TimeMs at = 0;
};

// A declared limit on an activity's attempts, across every engine sharing
// the store (docs/workflows.md "Activity limits").
struct ActivityLimit {
  std::string activity;
  int64_t max_in_flight = 0;  // attempts running at once; 0 = no limit
  double per_second = 0;      // attempts started per second; 0 = no limit
  int64_t burst = 1;          // starts allowed at once after an idle spell (per_second only)
  // A search key name: claims take this activity's due tasks in turns
  // across the key's values (the key served longest ago first), so one
  // value's flood cannot starve the others. "" = oldest due first.
  std::string fair_by;
  bool operator==(const ActivityLimit&) const = default;
};

// A claim that honours activity holds and limits.
struct ClaimRequest {
  std::string owner;
  TimeMs now = 0;
  TimeMs lease_until = 0;
  int limit = 0;
  std::vector<ActivityLimit> limits;  // activities whose tasks are claimed only within their limit
  // A rate-limited activity's tasks may be claimed this far ahead of their
  // start: each gets the start time its bucket reserved (TaskRecord::
  // start_at), so the starts keep to the rate however late the next claim
  // comes. 0: only starts due now.
  int64_t rate_lookahead_ms = 0;
  // How much earlier each priority level above the default counts a due
  // task (and later each level below): the longest a task of a lower
  // priority waits behind a flood of higher ones is this times the levels
  // between them.
  int64_t priority_step_ms = 60000;
  // Set by a store spread over several files (sqlite/sharded_store.h) for
  // its claim in one of them: what the other files hold, so the limits
  // hold across all of them. Other callers leave it unset.
  struct ShardContext {
    std::map<std::string, int64_t> leased_elsewhere;  // activity -> attempts leased in the other files
    std::map<std::string, int64_t> rate_tat_us;       // activity -> its rate bucket's latest state there
  };
  std::optional<ShardContext> shard_context;
};

// InvalidArgument for a claim no store can make: no owner, or a lease that
// would already be expired (lease_until <= now). Every store checks it.
Status CheckClaimRequest(const ClaimRequest& request);

class Store;
// The claim without holds or limits (Store::ClaimDueTasks(owner, ...)) as
// a store that implements the ClaimRequest one makes it.
Result<std::vector<TaskRecord>> ClaimTasks(Store& store, const std::string& owner, TimeMs now, TimeMs lease_until,
                                           int limit);

struct ClaimResult {
  std::vector<TaskRecord> tasks;  // ordered by (due_at, id)
  // Earliest time a claim may reserve another start of a rate-limited
  // activity that used up its slots (0 = none did): the scheduler sleeps
  // until then rather than a whole poll interval.
  TimeMs next_rate_slot_at = 0;
  // The rate buckets this claim moved: activity -> state (GCRA's
  // theoretical arrival time, microseconds), for ClaimRequest::ShardContext.
  std::map<std::string, int64_t> rate_tat_us;
};

// Which instances to list, count or act on in bulk. Every set criterion
// must hold (AND); an empty one matches everything. Parsed from HTTP query
// parameters and CLI flags in one place: runtime/instance_filter.h.
struct ListFilter {
  std::vector<SearchKey> keys{};            // each must be one of the instance's search keys
  std::string workflow_name{};              // "" = any
  int workflow_version = 0;               // 0 = any
  std::vector<InstanceStatus> statuses{};   // any of these; empty = any status
  std::string current_step{};               // "" = any
  std::string error_code{};                 // "" = any
  std::string requested_by{};               // "" = any
  std::string parent_id{};                  // "" = any; else only the child workflows of this instance
  TimeMs created_from = 0;                // created_at >= this; 0 = unbounded
  TimeMs created_before = 0;              // created_at < this; 0 = unbounded
  TimeMs updated_from = 0;                // updated_at >= this; 0 = unbounded
  TimeMs updated_before = 0;              // updated_at < this; 0 = unbounded
  std::string after_id{};           // cursor: instances with (created_at, id) after this one's
                                  // (the id of the last instance of the previous page)
  // With after_id: that instance's created_at, so the cursor is taken as
  // given instead of looked up (a sharded store lists every shard after an
  // instance that lives in one of them). nullopt: looked up.
  std::optional<TimeMs> after_created_at{};
  int limit = 100;                // <= 0: no limit
};

// One instance a bulk operation could not act on, and why.
struct BulkFailure {
  std::string instance_id;
  std::string reason;
  bool operator==(const BulkFailure&) const = default;
};

// A bulk operation (runtime/bulk_operations.h): its request, where it got
// to and what it did; also the audit record of the whole operation.
struct BulkOperationRecord {
  std::string id;
  std::string action;           // "resume", "cancel", ...
  std::string filter;           // the filter's parameters, as runtime/bulk_operations.h encodes them
  std::string reason;
  std::string principal;        // who asked
  std::string state;            // "running" until every matching instance was handled, then "completed"
  int64_t total = 0;            // instances matching when the operation was created
  int64_t done = 0;             // acted on
  int64_t skipped = 0;          // nothing to do (e.g. resume of an instance no longer paused)
  int64_t failed = 0;           // the action was refused or failed: see failures
  std::vector<BulkFailure> failures;  // the first kMaxBulkFailuresKept
  std::string cursor;           // the last instance handled ("" = none yet): a restart goes on after it
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  TimeMs finished_at = 0;       // 0 while running
};

inline constexpr size_t kMaxBulkFailuresKept = 1000;

class Store {
 public:
  virtual ~Store() = default;

  // Every method is thread-safe. Writes (PutDefinition, StartInstance,
  // Apply, ClaimDueTasks, RenewLease) block until durable; reads never wait
  // for writes in progress and see the last committed state.

  // Stores a definition if its hash is new; no-op otherwise. created_at 0 = now.
  virtual Status PutDefinition(const DefinitionRecord& def) = 0;
  virtual Result<std::optional<DefinitionRecord>> GetDefinition(const std::string& hash) = 0;

  // Creates an instance with its first events and tasks atomically.
  // If an instance with the same id, or the same non-empty idempotency key,
  // exists: kExisting with that instance when its input (and workflow name)
  // are equal, else kConflict. Blocks until durable.
  virtual Result<StartResult> StartInstance(StartRequest req) = 0;

  // Applies an atomic change; see Commit. Blocks until durable. Thread-safe;
  // concurrent callers are batched into one transaction where possible.
  // Errors: kNotFound (no instance), kConflict (version), kLeaseLost (task
  // gone or token differs), kAborted (a plugin write refused: nothing was
  // written; the message names the write and its error), kResourceExhausted
  // (disk full), kBusy (locked).
  virtual Result<CommitResult> Apply(Commit commit) = 0;

  // Leases up to `limit` tasks with due_at <= now whose lease is free or
  // expired (lease_until <= now), oldest due first: sets lease_owner,
  // lease_until, and bumps lease_token. Returns the leased tasks ordered by
  // (due_at, id). kInvalidArgument if lease_until <= now; limit <= 0
  // returns nothing.
  virtual Result<std::vector<TaskRecord>> ClaimDueTasks(const std::string& owner, TimeMs now,
                                                        TimeMs lease_until, int limit) = 0;
  // ClaimDueTasks that leaves alone the tasks of held activities (those
  // of activity_holds, every activity task under a "*" hold) and claims
  // tasks of a limited activity only as far as its limits allow right
  // now: max_in_flight counts that activity's tasks leased and unexpired
  // (engines never pre-lease them), per_second is a token bucket whose
  // state (the theoretical arrival time of the next start, GCRA) is a row
  // of the store, so several processes share it and it survives restarts.
  // The default ignores holds and limits (stores that keep none).
  virtual Result<ClaimResult> ClaimDueTasks(const ClaimRequest& request) {
    ClaimResult out;
    SF_ASSIGN_OR_RETURN(out.tasks, ClaimDueTasks(request.owner, request.now, request.lease_until, request.limit));
    return out;
  }
  // Activity holds (the kill switch). HoldActivity places or updates a
  // hold and appends to the hold log; ReleaseActivity removes it (false
  // when there was none: nothing is logged then). Both block until durable.
  virtual Status HoldActivity(const ActivityHold& hold) {
    (void)hold;
    return Status::FailedPrecondition("this store cannot hold activities");
  }
  virtual Result<bool> ReleaseActivity(const std::string& activity, const std::string& principal,
                                       const std::string& reason) {
    (void)activity;
    (void)principal;
    (void)reason;
    return Status::FailedPrecondition("this store cannot hold activities");
  }
  virtual Result<std::vector<ActivityHold>> ListActivityHolds() { return std::vector<ActivityHold>(); }
  // The newest `limit` entries of the hold log, newest first.
  virtual Result<std::vector<ActivityHoldEvent>> ListActivityHoldLog(int limit) {
    (void)limit;
    return std::vector<ActivityHoldEvent>();
  }
  // Frees the leases of tasks whose lease_owner starts with owner_prefix
  // and is not except_owner: the tasks of this node's previous incarnation,
  // released at start-up instead of waiting for their leases to expire.
  // Returns how many were released.
  virtual Result<int64_t> ReleaseLeases(const std::string& owner_prefix, const std::string& except_owner) {
    (void)owner_prefix;
    (void)except_owner;
    return Status::FailedPrecondition("this store cannot release leases; they expire instead");
  }
  // Hands back a task this owner claimed but never started (an engine
  // stopping with follow-up tasks in hand, an attempt of a held
  // activity): frees the lease and undoes that claim's token bump, so the
  // next claim sees the task as the earlier claims left it; a non-empty
  // task.activity is written to the row (a row stored before schema v5
  // learns its activity, so claims can then tell it is held or limited). A cancel can then stop the instance without running an
  // attempt no one started. `task` as claimed (id, lease_owner,
  // lease_token); kLeaseLost if it is gone or was claimed again since.
  virtual Status ReturnUnstartedTask(const TaskRecord& task) {
    (void)task;
    return Status::FailedPrecondition("this store cannot return tasks; their leases expire instead");
  }
  // Holds the node identity `node_name` for this process until the handle
  // is destroyed or the process ends, however it ends (store/node_lock.h).
  // kAlreadyExists, naming the node and the database, while another live
  // holder has it (another process, or another handle in this one). Other
  // errors mean the identity could not be checked; the engine then leaves
  // its predecessor's leases to expire. Does not block.
  virtual Result<std::unique_ptr<NodeLock>> LockNode(const std::string& node_name) {
    (void)node_name;
    return Status::FailedPrecondition("this store cannot hold node identities");
  }
  // Extends the lease of a task still held with this token; kLeaseLost if
  // the task is gone or was claimed again since.
  virtual Status RenewLease(int64_t task_id, int64_t lease_token, TimeMs lease_until) = 0;
  // Earliest due_at among tasks that are not leased (or whose lease has
  // expired by `now`); nullopt when there are none.
  virtual Result<std::optional<TimeMs>> NextDueAt(TimeMs now) = 0;

  // kCorruption when the instance's stored input or output cannot be
  // decoded: callers act on them, so never on a placeholder.
  virtual Result<std::optional<InstanceRecord>> GetInstance(const std::string& id) = 0;
  // The instance's version alone (nullopt when there is none): every
  // change to an instance bumps it, so a copy read at this version is
  // still current (runtime/instance_cache.h).
  virtual Result<std::optional<int64_t>> GetInstanceVersion(const std::string& id) = 0;
  // Instances in (created_at, id) order, filtered; pages stay stable while
  // instances are added. kInvalidArgument for an unknown after_id. A row
  // that cannot be decoded is listed with decode_error set (input and
  // output null) rather than failing the list.
  virtual Result<std::vector<InstanceRecord>> ListInstances(const ListFilter& filter) = 0;
  // How many instances match the filter (its cursor and limit ignored).
  virtual Result<int64_t> CountInstances(const ListFilter& filter) {
    (void)filter;
    return Status::FailedPrecondition("this store cannot count filtered instances");
  }
  // Counts instances per status (for list summaries and metrics).
  virtual Result<std::vector<std::pair<InstanceStatus, int64_t>>> CountByStatus() = 0;
  // Events with seq > after_seq, at most limit (<= 0: all), in seq order;
  // an event whose data cannot be decoded has decode_error set and data
  // {"decode_error": ...}.
  virtual Result<std::vector<HistoryEvent>> GetHistory(const std::string& instance_id, int64_t after_seq,
                                                       int limit) = 0;
  virtual Result<std::vector<TaskRecord>> GetTasks(const std::string& instance_id) = 0;
  // Unconsumed buffered signals of an instance with this name, oldest first.
  virtual Result<std::vector<SignalRecord>> GetPendingSignals(const std::string& instance_id,
                                                              const std::string& name) = 0;
  // A signal already received with this idempotency key (consumed or not);
  // nullopt for an empty key.
  virtual Result<std::optional<SignalRecord>> FindSignalByKey(const std::string& instance_id,
                                                              const std::string& idempotency_key) = 0;

  // Deletes the finished instances among `ids` (completed, failed,
  // compensated, cancelled) with everything the engine keeps for them:
  // history, signals, tasks, search keys; others are left alone. Plugin
  // tables are not touched (a plugin keeps its records as long as it needs
  // them). Returns how many were deleted; all in one transaction.
  virtual Result<int64_t> PurgeInstances(const std::vector<std::string>& ids) {
    (void)ids;
    return Status::FailedPrecondition("this store cannot purge instances");
  }

  // Bulk operations: PutBulkOperation inserts or replaces the record by id
  // (durably); ListBulkOperations gives the newest first, only those in
  // `state` unless it is "", at most limit (<= 0: all), created before the
  // one with id before_id when that is set.
  virtual Status PutBulkOperation(const BulkOperationRecord& op) {
    (void)op;
    return Status::FailedPrecondition("this store keeps no bulk operations");
  }
  virtual Result<std::optional<BulkOperationRecord>> GetBulkOperation(const std::string& id) {
    (void)id;
    return Status::FailedPrecondition("this store keeps no bulk operations");
  }
  virtual Result<std::vector<BulkOperationRecord>> ListBulkOperations(const std::string& state,
                                                                      const std::string& before_id, int limit) {
    (void)state;
    (void)before_id;
    (void)limit;
    return Status::FailedPrecondition("this store keeps no bulk operations");
  }

  // Calls on_write (on a thread of the store's) when another process has
  // committed work this one could claim now (PostgreSQL: NOTIFY), so an
  // idle engine claims it at once rather than at its next poll; null stops
  // the calls (none is in progress once this returns). The default never
  // calls: stores whose writers are all in this process, or that have no
  // way to tell, leave it to polling.
  virtual void SetExternalWriteCallback(std::function<void()> on_write) { (void)on_write; }

  // True when something outside this Store object (another process) may have
  // written since the last call: cheap (PRAGMA data_version for SQLite). The
  // first call returns true; this Store's own writes never make it true.
  virtual bool ChangedExternally() = 0;

  // Schedules (store/schedule_records.h). The default implementations
  // refuse: a store without them cannot serve schedules.
  //
  // Creates the rows of schedules not yet known (name, workflow, cursor_at
  // as given) and updates the workflow of known ones; cursors and pause
  // flags of known schedules are kept.
  virtual Status EnsureSchedules(const std::vector<ScheduleState>& schedules) {
    (void)schedules;
    return Status::FailedPrecondition("this store keeps no schedules");
  }
  // Every schedule's state, by name.
  virtual Result<std::vector<ScheduleState>> ListSchedules() {
    return Status::FailedPrecondition("this store keeps no schedules");
  }
  // Records ticks that start nothing (skips); see ScheduleTickWrite for the
  // preconditions. Blocks until durable.
  virtual Status RecordScheduleTicks(ScheduleTickWrite write) {
    (void)write;
    return Status::FailedPrecondition("this store keeps no schedules");
  }
  // Pauses or resumes; kNotFound for an unknown schedule. A resume keeps
  // the cursor: what passed while paused is then handled by the catch-up
  // policy.
  virtual Status SetSchedulePaused(const std::string& name, bool paused, const std::string& principal,
                                   const std::string& reason, TimeMs at) {
    (void)name, (void)paused, (void)principal, (void)reason, (void)at;
    return Status::FailedPrecondition("this store keeps no schedules");
  }
  // A schedule's tick rows, newest (recorded_at, then tick_at) first, at most limit (<= 0: all).
  virtual Result<std::vector<ScheduleTick>> ListScheduleTicks(const std::string& name, int limit) {
    (void)name, (void)limit;
    return Status::FailedPrecondition("this store keeps no schedules");
  }

  // The plugins' tables in this store (steadfast/storage.h), for reads and
  // plugin-only transactions; lives as long as the store. Null when the
  // store keeps no plugin state (then plugin_writes are refused).
  virtual PluginStorage* plugin_storage() { return nullptr; }
};

}  // namespace steadfast

#endif  // STEADFAST_STORE_STORE_H_
