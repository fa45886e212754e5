// Transition as data: every file in tests/data/transition/ is one scenario
// (a workflow, an instance's state, one event, and what the event must
// commit). Adding a scenario is adding a file; docs/testing.md describes
// the format. The Transition is pure (it never reads the store), so each
// scenario builds the Commit in memory and compares it with `expect`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "definition/parser.h"
#include "runtime/transition.h"
#include "../refund/yaml_value.h"

namespace steadfast {
namespace {

using refund::testing::SourcePath;
using refund::testing::YamlToValue;

constexpr TimeMs kDefaultNow = 1'800'000'000'000;

// A scenario's problem, said with its file: a malformed file fails its test.
class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string Str(const YAML::Node& n, const std::string& fallback = "") {
  return n && n.IsScalar() ? n.Scalar() : fallback;
}

int64_t Int(const YAML::Node& n, int64_t fallback = 0) { return n ? n.as<int64_t>() : fallback; }

// A missing key is null.
Value ValueOf(const YAML::Node& n) { return n ? YamlToValue(n) : Value(); }

std::vector<std::string> Files() {
  std::vector<std::string> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("tests/data/transition"), ec)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TaskKind ParseTaskKind(const std::string& s) {
  if (s == "run_step") return TaskKind::kRunStep;
  if (s == "wait_timeout") return TaskKind::kWaitTimeout;
  if (s == "compensate") return TaskKind::kCompensate;
  if (s == "deadline") return TaskKind::kDeadline;
  if (s == "child_ended") return TaskKind::kChildEnded;
  if (s == "stop_child") return TaskKind::kStopChild;
  throw ScenarioError("unknown task kind '" + s +
                      "' (run_step, wait_timeout, compensate, deadline, child_ended, stop_child)");
}

std::string TaskKindName(TaskKind k) {
  switch (k) {
    case TaskKind::kRunStep: return "run_step";
    case TaskKind::kWaitTimeout: return "wait_timeout";
    case TaskKind::kCompensate: return "compensate";
    case TaskKind::kDeadline: return "deadline";
    case TaskKind::kChildEnded: return "child_ended";
    case TaskKind::kStopChild: return "stop_child";
  }
  return "?";
}

DefPtr LoadDefinition(const YAML::Node& root) {
  std::string source;
  std::string file = "scenario workflow";
  if (root["workflow"]) {
    source = root["workflow"].Scalar();
  } else if (root["workflow_file"]) {
    file = SourcePath(root["workflow_file"].Scalar());
    ParseResult parsed = ParseWorkflowFile(file, nullptr);
    if (!parsed.ok()) throw ScenarioError(file + ": " + parsed.diagnostics.front().message);
    return std::make_shared<const WorkflowDef>(std::move(*parsed.def));
  } else {
    throw ScenarioError("a scenario needs `workflow` (YAML text) or `workflow_file`");
  }
  ParseResult parsed = ParseWorkflow(source, file, nullptr);
  if (!parsed.ok()) throw ScenarioError("workflow: " + parsed.diagnostics.front().message);
  return std::make_shared<const WorkflowDef>(std::move(*parsed.def));
}

TaskRecord ReadTask(const YAML::Node& n, TimeMs now) {
  TaskRecord t;
  t.id = Int(n["id"], 0);
  t.instance_id = "wf-scenario";
  t.kind = ParseTaskKind(Str(n["kind"], "run_step"));
  t.step_id = Str(n["step"]);
  t.attempt = static_cast<int>(Int(n["attempt"], 1));
  t.due_at = now + Int(n["due_in_ms"], 0);
  t.lease_token = Int(n["lease_token"], 0);
  t.step_started_at = now - Int(n["step_started_ms_ago"], 0);
  return t;
}

LoadedInstance ReadInstance(const YAML::Node& root, DefPtr def, TimeMs now) {
  LoadedInstance inst;
  inst.def = def;
  const YAML::Node in = root["instance"];
  InstanceRecord& r = inst.rec;
  r.id = "wf-scenario";
  r.workflow_name = def->name;
  r.workflow_version = def->version;
  r.definition_hash = def->hash;
  r.version = 3;
  r.created_at = now - 60000;
  r.input = in && in["input"] ? YamlToValue(in["input"]) : Value(Value::Map{});
  r.requested_by = in ? Str(in["requested_by"], "alice") : "alice";
  r.started_by = in ? Str(in["started_by"], r.requested_by) : r.requested_by;
  if (!in) return inst;
  if (in["status"]) {
    std::optional<InstanceStatus> s = ParseInstanceStatus(in["status"].Scalar());
    if (!s) throw ScenarioError("unknown instance status '" + in["status"].Scalar() + "'");
    r.status = *s;
  }
  r.current_step = Str(in["current_step"]);
  if (in["deadline_in_ms"]) r.deadline_at = now + Int(in["deadline_in_ms"]);
  InstanceState& st = inst.state;
  if (const YAML::Node s = in["state"]) {
    if (s["outputs"]) st.outputs = YamlToValue(s["outputs"]).AsMap();
    if (s["inputs"]) st.inputs = YamlToValue(s["inputs"]).AsMap();
    if (s["approvals"]) st.approvals = YamlToValue(s["approvals"]).AsMap();
    for (const YAML::Node& c : s["completed"]) st.completed.push_back(c.Scalar());
    for (const YAML::Node& c : s["compensation_queue"]) st.compensation_queue.push_back(c.Scalar());
    for (auto it = s["failures"].begin(); it != s["failures"].end(); ++it) {
      st.failures[it->first.Scalar()] = it->second.as<int>();
    }
    for (auto it = s["last_attempt"].begin(); it != s["last_attempt"].end(); ++it) {
      st.last_attempt[it->first.Scalar()] = it->second.as<int>();
    }
    st.failed_step = Str(s["failed_step"]);
    st.failure_code = Str(s["failure_code"]);
    st.failure_message = Str(s["failure_message"]);
    if (s["stop"]) st.stop = YamlToValue(s["stop"]);
    st.stop_pending = s["stop_pending"] && s["stop_pending"].as<bool>();
    if (s["pause_request"]) st.pause_request = YamlToValue(s["pause_request"]);
    if (s["run"]) st.run = Int(s["run"]);
  }
  if (in["tasks"]) {
    std::vector<TaskRecord> tasks;
    for (const YAML::Node& t : in["tasks"]) tasks.push_back(ReadTask(t, now));
    inst.tasks = std::move(tasks);
  }
  for (const YAML::Node& s : in["pending_signals"]) {
    SignalRecord sig;
    sig.id = Int(s["id"], 1);
    sig.instance_id = r.id;
    sig.name = Str(s["name"]);
    sig.payload = ValueOf(s["payload"]);
    sig.principal = Str(s["principal"], "ops");
    inst.pending_signals[sig.name].push_back(std::move(sig));
  }
  return inst;
}

ActivityResult ReadResult(const YAML::Node& e, bool failed) {
  if (!failed) return ValueOf(e["output"]);
  const YAML::Node err = e["error"];
  if (!err) throw ScenarioError("an attempt_failed event needs `error: {code, message, retryable}`");
  ActivityError error = err["retryable"] && !err["retryable"].as<bool>()
                            ? ActivityError::NonRetryable(Str(err["code"]), Str(err["message"]))
                            : ActivityError::Retryable(Str(err["code"]), Str(err["message"]));
  if (err["retry_after_ms"]) error.retry_after_ms = Int(err["retry_after_ms"]);
  return error;
}

// Applies the scenario's event; the result of a signal is its outcome name.
Result<std::string> ApplyEvent(const YAML::Node& e, LoadedInstance& inst, Transition& t, TimeMs now) {
  const std::string kind = Str(e["kind"]);
  const std::string step = Str(e["step"]);
  if (kind == "start") {
    // As WorkflowService::Start fills in the new instance's row.
    if (inst.def->deadline_ms > 0 && inst.rec.deadline_at == 0) inst.rec.deadline_at = now + inst.def->deadline_ms;
    SF_RETURN_IF_ERROR(t.Start());
    return std::string();
  }
  if (kind == "attempt_succeeded" || kind == "attempt_failed" || kind == "compensation_succeeded" ||
      kind == "compensation_failed") {
    bool compensation = kind.rfind("compensation", 0) == 0;
    AttemptEnd end;
    end.attempt = static_cast<int>(Int(e["attempt"], 1));
    end.task.id = 1;
    end.task.instance_id = inst.rec.id;
    end.task.kind = compensation ? TaskKind::kCompensate : TaskKind::kRunStep;
    end.task.step_id = step;
    end.task.attempt = static_cast<int>(Int(e["task_attempt"], end.attempt));
    end.task.step_started_at = now - Int(e["step_started_ms_ago"], 0);
    end.duration_ms = Int(e["duration_ms"], 10);
    end.started_at = now - end.duration_ms;
    end.input = ValueOf(e["input"]);
    end.result = ReadResult(e, kind.find("failed") != std::string::npos);
    SF_RETURN_IF_ERROR(t.AttemptEnded(end));
    return std::string();
  }
  if (kind == "approval_decided") {
    DecisionRequest d;
    d.instance_id = inst.rec.id;
    d.step = step;
    const std::string decision = Str(e["decision"], "approve");
    if (decision != "approve" && decision != "reject") throw ScenarioError("decision must be approve or reject");
    d.decision = decision == "approve" ? Decision::kApprove : Decision::kReject;
    d.principal = Str(e["principal"], "rita");
    d.comment = Str(e["comment"]);
    SF_RETURN_IF_ERROR(t.Decide(d));
    return std::string();
  }
  if (kind == "wait_timed_out") {
    SF_RETURN_IF_ERROR(t.WaitTimedOut(step));
    return std::string();
  }
  if (kind == "signal_received") {
    SignalRecord s;
    s.name = Str(e["signal"]);
    s.payload = ValueOf(e["payload"]);
    s.principal = Str(e["principal"], "ops");
    s.idempotency_key = Str(e["idempotency_key"]);
    std::optional<SignalRecord> same_key;
    if (const YAML::Node seen = e["same_key"]) {
      same_key = SignalRecord{};
      same_key->name = Str(seen["signal"]);
      same_key->payload = ValueOf(seen["payload"]);
      same_key->idempotency_key = s.idempotency_key;
    }
    SF_ASSIGN_OR_RETURN(SignalOutcome outcome, t.ReceiveSignal(std::move(s), same_key));
    switch (outcome) {
      case SignalOutcome::kDelivered: return std::string("delivered");
      case SignalOutcome::kBuffered: return std::string("buffered");
      case SignalOutcome::kDuplicate: return std::string("duplicate");
    }
    return std::string();
  }
  if (kind == "cancel_requested") {
    SF_RETURN_IF_ERROR(t.Cancel(Str(e["principal"], "olga"), Str(e["reason"])));
    return std::string();
  }
  if (kind == "deadline") {
    SF_RETURN_IF_ERROR(t.RequestStop(StopRequest{StopRequest::Kind::kDeadline, "system:deadline", ""}));
    return std::string();
  }
  if (kind == "pending_stop") {
    SF_RETURN_IF_ERROR(t.CarryOutPendingStop());
    return std::string();
  }
  if (kind == "resume") {
    SF_RETURN_IF_ERROR(t.Resume(Str(e["principal"], "olga"), Str(e["reason"])));
    return std::string();
  }
  if (kind == "pause") {
    SF_RETURN_IF_ERROR(t.Pause(Str(e["principal"], "olga"), Str(e["reason"])));
    return std::string();
  }
  if (kind == "retry") {
    SF_RETURN_IF_ERROR(t.Retry(RetryRequest{Str(e["from_step"]), Str(e["principal"], "olga"), Str(e["reason"])}));
    return std::string();
  }
  if (kind == "enter_step") {
    SF_RETURN_IF_ERROR(t.EnterStep(step));
    return std::string();
  }
  throw ScenarioError("unknown event kind '" + kind +
                      "' (start, attempt_succeeded, attempt_failed, compensation_succeeded, compensation_failed, "
                      "approval_decided, wait_timed_out, signal_received, cancel_requested, deadline, "
                      "pending_stop, resume, pause, retry, enter_step)");
}

// What one scenario committed, in the terms `expect` uses.
struct Outcome {
  std::vector<HistoryEvent> events;
  std::vector<NewTask> tasks;
  InstanceRecord rec;
  const InstanceState* state = nullptr;
  Commit commit;  // empty for a start
  bool unchanged = false;
  std::string signal_outcome;
};

// Every key of `want` is in `got` with an equal value (maps compare
// recursively the same way; other values compare whole).
bool Contains(const Value& got, const Value& want, std::string* where) {
  if (!want.is_map()) {
    if (got == want) return true;
    *where = "got " + got.ToJson() + ", want " + want.ToJson();
    return false;
  }
  if (!got.is_map()) {
    *where = "got " + got.ToJson() + ", want a map";
    return false;
  }
  for (const auto& [key, value] : want.AsMap()) {
    const Value* g = got.Find(key);
    if (g == nullptr) {
      *where = "no '" + key + "' in " + got.ToJson();
      return false;
    }
    std::string inner;
    if (!Contains(*g, value, &inner)) {
      *where = key + ": " + inner;
      return false;
    }
  }
  return true;
}

// `want` lists the events' types (or {type, step, attempt, data} maps).
void CheckEvents(const std::string& file, const YAML::Node& want, const std::vector<HistoryEvent>& events) {
  std::vector<std::string> got_types;
  for (const HistoryEvent& e : events) got_types.push_back(e.type);
  std::vector<std::string> want_types;
  for (const YAML::Node& w : want) want_types.push_back(w.IsMap() ? Str(w["type"]) : w.Scalar());
  EXPECT_EQ(got_types, want_types) << file << ": history events";
  for (size_t i = 0; i < want.size() && i < events.size(); ++i) {
    const YAML::Node w = want[i];
    if (!w.IsMap()) continue;
    const HistoryEvent& g = events[i];
    if (w["step"]) {
      EXPECT_EQ(g.step_id, Str(w["step"])) << file << ": event " << i << " (" << g.type << ") step";
    }
    if (w["attempt"]) {
      EXPECT_EQ(g.attempt, Int(w["attempt"])) << file << ": event " << i << " (" << g.type << ") attempt";
    }
    if (w["data"]) {
      std::string where;
      EXPECT_TRUE(Contains(g.data, YamlToValue(w["data"]), &where))
          << file << ": event " << i << " (" << g.type << ") data: " << where;
    }
  }
}

void CheckOutcome(const std::string& file, const YAML::Node& expect, const Outcome& out, TimeMs now) {
  SCOPED_TRACE(file);
  if (const YAML::Node want = expect["events"]) CheckEvents(file, want, out.events);
  if (const YAML::Node want = expect["continues_as_new"]) {
    ASSERT_TRUE(out.commit.continue_as_new.has_value()) << file << ": the run was not filed";
    const RunArchive& a = *out.commit.continue_as_new;
    EXPECT_EQ(a.run.id, Str(want["run_id"])) << file << ": filed run id";
    EXPECT_EQ(a.run.status, InstanceStatus::kContinued) << file << ": filed run status";
    EXPECT_TRUE(a.run.idempotency_key.empty()) << file << ": the filed run took the idempotency key";
    if (want["events"]) CheckEvents(file + " (filed run)", want["events"], a.events);
    if (want["input"]) {
      std::string where;
      EXPECT_TRUE(Contains(a.run.input, YamlToValue(want["input"]), &where)) << file << ": filed run input: " << where;
    }
    if (want["next_input"]) {
      EXPECT_EQ(a.next_input, YamlToValue(want["next_input"])) << file << ": next input";
      EXPECT_EQ(out.rec.input, a.next_input) << file << ": the instance's input";
    }
  } else {
    EXPECT_FALSE(out.commit.continue_as_new.has_value()) << file << ": a run was filed";
  }
  if (expect["run"]) EXPECT_EQ(out.state->run, Int(expect["run"])) << file << ": run";
  if (const YAML::Node want = expect["tasks"]) {
    std::vector<std::string> got;
    for (const NewTask& t : out.tasks) {
      got.push_back(TaskKindName(t.kind) + " " + t.step_id + " #" + std::to_string(t.attempt) + " due_in_ms " +
                    std::to_string(t.due_at - now));
    }
    std::vector<std::string> wanted;
    for (const YAML::Node& w : want) {
      TaskRecord t = ReadTask(w, now);
      wanted.push_back(TaskKindName(t.kind) + " " + t.step_id + " #" + std::to_string(t.attempt) + " due_in_ms " +
                       std::to_string(t.due_at - now));
    }
    EXPECT_EQ(got, wanted) << file << ": next tasks";
  }
  if (expect["status"]) {
    EXPECT_EQ(std::string(InstanceStatusName(out.rec.status)), Str(expect["status"])) << file << ": instance status";
  }
  if (expect["current_step"]) {
    EXPECT_EQ(out.rec.current_step, Str(expect["current_step"])) << file << ": current step";
  }
  if (expect["error_code"]) {
    EXPECT_EQ(out.rec.error_code, Str(expect["error_code"])) << file << ": error code";
  }
  if (expect["output"]) {
    std::string where;
    EXPECT_TRUE(Contains(out.rec.output, YamlToValue(expect["output"]), &where)) << file << ": output: " << where;
  }
  if (expect["stop_pending"]) {
    EXPECT_EQ(out.state->stop_pending, expect["stop_pending"].as<bool>()) << file << ": stop_pending";
  }
  if (expect["pause_pending"]) {
    EXPECT_EQ(!out.state->pause_request.is_null(), expect["pause_pending"].as<bool>()) << file << ": pause_pending";
  }
  if (expect["completed"]) {
    std::vector<std::string> want;
    for (const YAML::Node& s : expect["completed"]) want.push_back(s.Scalar());
    EXPECT_EQ(out.state->completed, want) << file << ": completed steps";
  }
  if (expect["outputs_of"]) {
    std::vector<std::string> want;
    for (const YAML::Node& s : expect["outputs_of"]) want.push_back(s.Scalar());
    std::vector<std::string> got;
    for (const auto& [step, output] : out.state->outputs) got.push_back(step);
    EXPECT_EQ(got, want) << file << ": steps with an output";
  }
  if (expect["compensation_queue"]) {
    std::vector<std::string> want;
    for (const YAML::Node& s : expect["compensation_queue"]) want.push_back(s.Scalar());
    EXPECT_EQ(out.state->compensation_queue, want) << file << ": compensation queue";
  }
  if (expect["deletes_other_tasks"]) {
    EXPECT_EQ(out.commit.delete_other_tasks, expect["deletes_other_tasks"].as<bool>()) << file << ": delete_other_tasks";
  }
  if (expect["deletes_step_tasks"]) {
    EXPECT_EQ(out.commit.delete_step_tasks, expect["deletes_step_tasks"].as<bool>()) << file << ": delete_step_tasks";
  }
  if (expect["requires_no_claimed_attempt"]) {
    EXPECT_EQ(out.commit.require_no_claimed_attempt, expect["requires_no_claimed_attempt"].as<bool>())
        << file << ": require_no_claimed_attempt";
  }
  if (expect["consumes_signal"]) {
    EXPECT_EQ(out.commit.consume_signal_id, Int(expect["consumes_signal"])) << file << ": consumed signal";
  }
  if (const YAML::Node add = expect["adds_signal"]) {
    ASSERT_TRUE(out.commit.add_signal.has_value()) << file << ": no signal row added";
    EXPECT_EQ(out.commit.add_signal->consumed, add["consumed"].as<bool>()) << file << ": added signal consumed";
  }
  if (expect["signal_outcome"]) {
    EXPECT_EQ(out.signal_outcome, Str(expect["signal_outcome"])) << file << ": signal outcome";
  }
  if (expect["unchanged"]) {
    EXPECT_EQ(out.unchanged, expect["unchanged"].as<bool>()) << file << ": unchanged";
  }
}

void RunScenario(const std::string& file) {
  const YAML::Node root = YAML::LoadFile(SourcePath("tests/data/transition/" + file));
  if (!root["event"] || !root["expect"]) throw ScenarioError("a scenario needs `event` and `expect`");
  DefPtr def = LoadDefinition(root);
  const TimeMs now = Int(root["now"], kDefaultNow);
  LoadedInstance inst = ReadInstance(root, def, now);
  std::vector<double> units;
  for (const YAML::Node& u : root["random"]) units.push_back(u.as<double>());
  SequenceRandom random(units.empty() ? std::vector<double>{0.5} : units);
  TransitionEnv env{now, &random, "", 60000};
  Transition t(inst, env);

  const YAML::Node expect = root["expect"];
  Result<std::string> applied = ApplyEvent(root["event"], inst, t, now);
  if (const YAML::Node refused = expect["refused"]) {
    ASSERT_FALSE(applied.ok()) << file << ": the event was expected to be refused";
    EXPECT_EQ(std::string(StatusCodeName(applied.status().code())), Str(refused["code"])) << file << ": "
                                                                                           << applied.status().ToString();
    if (refused["message_has"]) {
      EXPECT_NE(applied.status().message().find(Str(refused["message_has"])), std::string::npos)
          << file << ": " << applied.status().message();
    }
    return;
  }
  ASSERT_TRUE(applied.ok()) << file << ": " << applied.status().ToString();

  Outcome out;
  out.signal_outcome = *applied;
  out.unchanged = t.Unchanged();
  if (Str(root["event"]["kind"]) == "start") {
    Result<StartRequest> req = t.BuildStart();
    ASSERT_TRUE(req.ok()) << file << ": " << req.status().ToString();
    out.events = req->events;
    out.tasks = req->tasks;
    out.rec = req->instance;
  } else {
    Result<Commit> c = t.Build(0, 0);
    ASSERT_TRUE(c.ok()) << file << ": " << c.status().ToString();
    out.commit = std::move(c).value();
    out.events = out.commit.events;
    out.tasks = out.commit.new_tasks;
    out.rec = *out.commit.instance;
  }
  out.state = &inst.state;
  CheckOutcome(file, expect, out, now);
}

class TransitionScenario : public ::testing::TestWithParam<std::string> {};

TEST_P(TransitionScenario, CommitsWhatTheScenarioExpects) {
  const std::string& file = GetParam();
  try {
    RunScenario(file);
  } catch (const ScenarioError& e) {
    FAIL() << file << ": " << e.what();
  } catch (const YAML::Exception& e) {
    FAIL() << file << ": " << e.what();
  }
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.rfind('.'));
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, TransitionScenario, ::testing::ValuesIn(Files()), TestName);

// The folder is read at start-up: an empty or missing folder must not pass
// as "no scenario failed".
TEST(TransitionScenarios, TheFolderHoldsScenarios) { EXPECT_GE(Files().size(), 15u); }

}  // namespace
}  // namespace steadfast
