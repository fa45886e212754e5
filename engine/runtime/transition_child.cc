// Child workflows (docs/workflows.md "Child workflows"): a step that runs
// another workflow as an instance of its own and waits for its outcome.
//
// The parent's checkpoint that enters the step also writes the child
// (Commit::start_children), so a crash never leaves one without the other,
// and the child's id is derived from the parent's (ChildInstanceId): the
// step entered again (a retry, a resume) finds the same child instead of
// starting a second one. The child's last checkpoint writes the parent's
// kChildEnded task (TellParent), which reads the child and calls ChildEnded.
#include <algorithm>

#include "core/trace_context.h"
#include "definition/input_check.h"
#include "runtime/search_keys.h"
#include "runtime/transition.h"
#include "steadfast/history.h"

namespace steadfast {

Result<ChildStart> Transition::ChildFor(const StepDef& step, const std::string& child_step,
                                        const ExpressionScope& scope, int64_t index, std::string* code) {
  *code = "child_error";
  Value input = Value::Map{};
  if (!step.child_input.is_null()) {
    Result<Value> in = step.child_input.Evaluate(scope);
    if (!in.ok()) return Status::InvalidArgument("the child's input: " + in.status().message());
    input = std::move(in).value();
  }
  Result<DefPtr> found = env_.catalog != nullptr
                             ? env_.catalog->Find(step.child_workflow, step.child_version)
                             : Result<DefPtr>(Status::Unavailable("no workflow catalog at hand"));
  if (!found.ok()) return Status::InvalidArgument("the child workflow: " + found.status().message());
  const DefPtr def = std::move(found).value();
  Status valid = ValidateInput(*def, input);
  if (valid.ok()) valid = CheckValueDepth(input, "the child's input");
  if (!valid.ok()) {
    *code = "invalid_input";
    return Status::InvalidArgument("the child's input: " + valid.message());
  }

  LoadedInstance child;
  child.def = def;
  InstanceRecord& r = child.rec;
  const InstanceRecord& parent = inst_.rec;
  r.id = ChildInstanceId(parent.id, inst_.state.run, child_step);
  r.workflow_name = def->name;
  r.workflow_version = def->version;
  r.definition_hash = def->hash;
  r.status = InstanceStatus::kRunning;
  r.input = input;
  // The parent's principals: four-eyes keeps refusing them in the child.
  r.requested_by = parent.requested_by;
  r.started_by = parent.started_by;
  // The child's workflow span is a child of the parent's, in its trace.
  r.traceparent = tracing::WorkflowSpanTraceparent(parent.traceparent, parent.id);
  r.links = {InstanceLink{parent.id, r.traceparent}};
  r.parent_id = parent.id;
  r.parent_step = child_step;
  r.priority = parent.priority;
  r.created_at = env_.now;
  r.deadline_at = def->deadline_ms > 0 ? env_.now + def->deadline_ms : 0;
  Result<std::vector<SearchKey>> keys = EvaluateSearchKeys(*def, InstanceScope(child));
  if (!keys.ok()) return Status::InvalidArgument("the child's search keys: " + keys.status().message());
  r.search_keys = std::move(keys).value();

  Transition start(child, env_);
  SF_RETURN_IF_ERROR(start.Start());
  SF_ASSIGN_OR_RETURN(StartRequest request, start.BuildStart());
  ChildStart write;
  write.start = std::move(request);
  write.definition = DefinitionRecord{def->hash, def->name, def->version, def->source, env_.now};
  write.if_finished.kind = TaskKind::kChildEnded;
  write.if_finished.step_id = child_step;
  write.if_finished.attempt = 0;
  write.if_finished.due_at = env_.now;
  write.if_finished.step_started_at = env_.now;
  if (!env_.lease_owner.empty()) {
    write.if_finished.lease_owner = env_.lease_owner;
    write.if_finished.lease_until = env_.now + env_.lease_ms;
  }
  Value data = Value::Map{{"child", r.id}, {"workflow", def->name}, {"version", def->version}, {"input", input}};
  if (index >= 0) data["index"] = index;
  AddEvent(history::kChildStarted, child_step, 0, std::move(data));
  return write;
}

Status Transition::EnterChild(const StepDef& step) {
  if (starting_) {
    // The child names its parent, which must be stored first.
    EnterInATaskOfItsOwn(step);
    return Status::Ok();
  }
  std::string code;
  Result<ChildStart> child = ChildFor(step, step.id, Scope(), -1, &code);
  if (!child.ok()) {
    FailStep(step, code, child.status().message());
    return Status::Ok();
  }
  commit_.start_children.push_back(std::move(child).value());
  inst_.rec.status = InstanceStatus::kWaitingChild;
  inst_.rec.current_step = step.id;
  return Status::Ok();
}

Status Transition::EnterParallel(const StepDef& step) {
  if (starting_) {
    EnterInATaskOfItsOwn(step);
    return Status::Ok();
  }
  InstanceState& st = inst_.state;
  const size_t events_before = commit_.events.size();
  std::vector<ChildStart> children;
  const ExpressionScope scope = Scope();
  for (const StepDef& branch : step.branches) {
    std::string code;
    Result<ChildStart> child = ChildFor(branch, branch.id, scope, -1, &code);
    if (!child.ok()) {
      // No branch starts unless all can.
      commit_.events.resize(events_before);
      FailStep(step, code, "branch '" + branch.id + "': " + child.status().message());
      return Status::Ok();
    }
    children.push_back(std::move(child).value());
  }
  // Entered again (a resume, a retry): the children are found again and
  // their outcomes taken afresh.
  st.branches.clear();
  for (const StepDef& branch : step.branches) {
    st.outputs.erase(branch.id);
    st.completed.erase(std::remove(st.completed.begin(), st.completed.end(), branch.id), st.completed.end());
    st.branches[branch.id] = kBranchRunning;
  }
  st.outputs.erase(step.id);
  for (ChildStart& c : children) commit_.start_children.push_back(std::move(c));
  inst_.rec.status = InstanceStatus::kWaitingChild;
  inst_.rec.current_step = step.id;
  return Status::Ok();
}

void Transition::CancelRunningBranches(const std::string& why) {
  for (auto& [branch, status] : inst_.state.branches) {
    if (status != kBranchRunning) continue;
    status = kBranchCancelling;
    AddEvent(history::kChildCancelRequested, branch, 0,
             Value::Map{{"child", ChildInstanceId(inst_.rec.id, inst_.state.run, branch)}, {"why", why}});
    ScheduleTask(TaskKind::kStopChild, branch, 0, env_.now, env_.now);
  }
}

Status Transition::SettleParallel(const StepDef& step) {
  InstanceState& st = inst_.state;
  size_t running = 0, completed = 0;
  std::string ended;  // the branches that did not complete, for the failure's message
  for (const StepDef& branch : step.branches) {
    const std::string& status = st.branches[branch.id];
    if (BranchInFlight(status)) {
      ++running;
    } else if (status == "completed") {
      ++completed;
    } else {
      ended += (ended.empty() ? "" : ", ") + branch.id + " " + status;
    }
  }
  const size_t needed = step.join == 0 ? step.branches.size() : static_cast<size_t>(step.join);
  const bool joined = completed >= needed;
  if (StopPending()) {
    CancelRunningBranches("stop");
  } else if (joined) {
    CancelRunningBranches("joined");  // the join needs no more
  } else if (completed + running < needed) {
    CancelRunningBranches("branch_failed");  // the join cannot be reached any more
  }
  // The step ends once every branch has: a child still running may yet
  // move money, and compensation must know what it did.
  if (running > 0) return Status::Ok();
  st.branches.clear();
  if (StopPending()) {
    ActOnStop();
    return Status::Ok();
  }
  if (!joined) {
    FailStep(step, "branch_failed",
             std::to_string(completed) + " of " + std::to_string(step.branches.size()) + " branches completed, " +
                 std::to_string(needed) + " needed: " + ended);
    return Status::Ok();
  }
  Value::Map results;
  for (const StepDef& branch : step.branches) {
    auto out = st.outputs.find(branch.id);
    if (out != st.outputs.end() && std::find(st.completed.begin(), st.completed.end(), branch.id) != st.completed.end()) {
      results.emplace(branch.id, out->second);
    }
  }
  st.outputs[step.id] = Value(std::move(results));
  return AdvanceAfter(step);
}

void Transition::TellParent() {
  TaskForInstance told;
  told.instance_id = inst_.rec.parent_id;
  told.task.kind = TaskKind::kChildEnded;
  told.task.step_id = inst_.rec.parent_step;
  told.task.attempt = 0;
  told.task.due_at = env_.now;
  told.task.step_started_at = env_.now;
  if (!env_.lease_owner.empty()) {
    told.task.lease_owner = env_.lease_owner;
    told.task.lease_until = env_.now + env_.lease_ms;
  }
  commit_.tasks_for_others.push_back(std::move(told));
}

Status Transition::ChildEnded(const std::string& step_id, const std::optional<InstanceRecord>& child) {
  // step_id is the child's: a child workflow step's, a branch's, or a
  // for_each element's (then `step` is the for_each step).
  const StepDef* found = inst_.def->FindStepOrBranch(step_id);
  if (found == nullptr || (found->kind != StepKind::kChild && found->kind != StepKind::kForEach)) {
    return Status::Internal("step '" + step_id + "' has no child workflow");
  }
  const StepDef& step = *found;
  if (child.has_value() && !IsTerminal(child->status)) {
    unchanged_ = true;  // a stale task: the child's own end tells again
    return Status::Ok();
  }
  const std::string id = ChildInstanceId(inst_.rec.id, inst_.state.run, step_id);
  const std::string status = child.has_value() ? std::string(InstanceStatusName(child->status)) : "missing";
  const std::string why = child.has_value() ? child->error_code + ": " + child->error_message
                                            : "the child workflow instance is gone (purged?)";
  InstanceState& st = inst_.state;
  // child_failed's data: which child, how it ended and why.
  auto failed = [&] {
    Value data = Value::Map{{"child", id}, {"status", status}};
    if (child.has_value()) {
      data["code"] = child->error_code;
      data["message"] = child->error_message;
    }
    return data;
  };

  if (inst_.rec.status == InstanceStatus::kCompensating) {
    // Compensating this step is compensating the child: it ended
    // compensated, or stayed completed with nothing to undo. A for_each
    // element that never completed (failed, cancelled) undid what it did
    // itself; only a compensation that failed fails this one.
    const bool undone = child.has_value() && child->error_code != "compensation_failed" &&
                        (child->status == InstanceStatus::kCompensated || child->status == InstanceStatus::kCompleted ||
                         (step.kind == StepKind::kForEach && (child->status == InstanceStatus::kFailed ||
                                                              child->status == InstanceStatus::kCancelled)));
    if (!undone) {
      AddEvent(history::kCompensationFailed, step_id, 0,
               Value::Map{{"child", id}, {"status", status}, {"message", why}});
      FailWorkflow("compensation_failed",
                   "compensation of step '" + step_id + "' (child workflow " + id + ") ended " + status + ": " + why);
      return Status::Ok();
    }
    AddEvent(history::kCompensationSucceeded, step_id, 0,
             Value::Map{{"child", id}, {"status", status}, {"nothing_to_undo", child->status == InstanceStatus::kCompleted}});
    st.compensation_queue.erase(st.compensation_queue.begin());
    ContinueCompensation();
    return Status::Ok();
  }

  const StepDef* parallel = inst_.def->ParallelOf(step_id);
  const StepDef* joining = parallel != nullptr ? parallel : step.kind == StepKind::kForEach ? &step : nullptr;
  if (joining != nullptr) {
    // A branch or an element: recorded, and its step settles.
    auto entry = st.branches.find(step_id);
    if (inst_.rec.current_step != joining->id || entry == st.branches.end() ||
        !BranchInFlight(entry->second)) {
      unchanged_ = true;
      return Status::Ok();
    }
    if (child.has_value() && child->status == InstanceStatus::kCompleted) {
      AddEvent(history::kChildCompleted, step_id, 0, Value::Map{{"child", id}, {"output", child->output}});
      if (parallel != nullptr) {
        st.outputs[step_id] = child->output;
        st.completed.push_back(step_id);
        entry->second = "completed";
      } else {
        // An element's output stays with its child until the step collects them all.
        ++st.elements_completed;
        st.branches.erase(entry);
      }
    } else {
      AddEvent(history::kChildFailed, step_id, 0, failed());
      entry->second = status;
    }
    return parallel != nullptr ? SettleParallel(*parallel) : SettleForEach(step);
  }

  if (child.has_value() && child->status == InstanceStatus::kCompleted) {
    AddEvent(history::kChildCompleted, step_id, 0, Value::Map{{"child", id}, {"output", child->output}});
    st.outputs[step_id] = child->output;
    st.completed.push_back(step_id);
    if (StopPending()) {
      // Cancelled (or past the deadline) while the child ran, and it
      // completed anyway: the stop compensates it with the other steps.
      ActOnStop();
      return Status::Ok();
    }
    return AdvanceAfter(step);
  }
  AddEvent(history::kChildFailed, step_id, 0, failed());
  if (StopPending()) {
    ActOnStop();
    return Status::Ok();
  }
  FailStep(step, "child_" + status, "child workflow " + id + " ended " + status + ": " + why);
  return Status::Ok();
}

void Transition::ForgetElements(const StepDef& step) {
  InstanceState& st = inst_.state;
  const std::string prefix = step.id + ".";
  std::erase_if(st.outputs, [&](const auto& entry) { return entry.first.starts_with(prefix); });
  std::erase_if(st.completed, [&](const std::string& id) { return id == step.id || id.starts_with(prefix); });
  st.inputs.erase(step.id);
  st.branches.clear();
  st.elements_total = 0;
  st.elements_started = 0;
  st.elements_completed = 0;
}

void Transition::FinishElements(const StepDef& step) {
  InstanceState& st = inst_.state;
  if (st.elements_completed > 0) {
    if (std::find(st.completed.begin(), st.completed.end(), step.id) == st.completed.end()) {
      st.completed.push_back(step.id);
    }
    st.inputs[step.id] = st.elements_started;
  }
  st.branches.clear();
  st.elements_total = 0;
  st.elements_started = 0;
  st.elements_completed = 0;
}

Status Transition::CollectElements(const std::string& step_id, std::vector<Value> outputs) {
  const StepDef* step = FindStep(step_id);
  InstanceState& st = inst_.state;
  if (step == nullptr || step->kind != StepKind::kForEach || inst_.rec.status != InstanceStatus::kRunning ||
      inst_.rec.current_step != step_id || st.elements_total != static_cast<int64_t>(outputs.size()) ||
      st.elements_completed != st.elements_total) {
    return Status::FailedPrecondition("for_each step '" + step_id + "' is not collecting its elements");
  }
  FinishElements(*step);
  st.outputs[step_id] = Value(Value::List(std::make_move_iterator(outputs.begin()),
                                          std::make_move_iterator(outputs.end())));
  return AdvanceAfter(*step);
}

Result<const Value*> Transition::ForEachItems(const StepDef& step, const ExpressionScope& scope,
                                              Value* evaluated) {
  // A plain path (the usual `${input.items}`) is read where it is, not copied.
  const Value* items = step.for_each.Find(scope);
  if (items == nullptr) {
    SF_ASSIGN_OR_RETURN(*evaluated, step.for_each.Evaluate(scope));
    items = evaluated;
  }
  if (!items->is_list()) {
    return Status::InvalidArgument("'for_each' " + step.for_each.name() + " gave a " +
                                   std::string(Value::TypeName(items->type())) + ", not a list");
  }
  if (items->AsList().size() > kMaxForEachElements) {
    return Status::InvalidArgument("'for_each' gave " + std::to_string(items->AsList().size()) +
                                   " elements, more than " + std::to_string(kMaxForEachElements));
  }
  return items;
}

Status Transition::EnterForEach(const StepDef& step) {
  if (starting_) {
    EnterInATaskOfItsOwn(step);
    return Status::Ok();
  }
  const ExpressionScope scope = Scope();
  Value evaluated;
  Result<const Value*> items = ForEachItems(step, scope, &evaluated);
  if (!items.ok()) {
    FailStep(step, "invalid_items", items.status().message());
    return Status::Ok();
  }
  // Entered again (a resume, a retry): the children are found again, in order.
  ForgetElements(step);
  InstanceState& st = inst_.state;
  st.outputs.erase(step.id);
  st.elements_total = static_cast<int64_t>((*items)->AsList().size());
  if (st.elements_total == 0) {
    st.outputs[step.id] = Value(Value::List{});
    return AdvanceAfter(step);
  }
  inst_.rec.status = InstanceStatus::kWaitingChild;
  inst_.rec.current_step = step.id;
  return SettleForEach(step, *items);
}

Status Transition::SettleForEach(const StepDef& step, const Value* items) {
  InstanceState& st = inst_.state;
  int64_t running = 0;
  const int64_t completed = st.elements_completed;
  std::string ended;  // elements that did not complete (the first few), for the failure's message
  size_t listed = 0;
  for (const auto& [element, status] : st.branches) {
    if (BranchInFlight(status)) {
      ++running;
    } else if (listed++ < 5) {
      ended += (ended.empty() ? "" : ", ") + element + " " + status;
    }
  }
  const bool failed = listed > 0;
  if (failed || StopPending()) {
    CancelRunningBranches(StopPending() ? "stop" : "element_failed");
  } else if (st.elements_started < st.elements_total && running < step.concurrency) {
    // Start the next elements, in order, up to the concurrency limit.
    ExpressionScope scope = Scope();
    Value evaluated;
    if (items == nullptr) {
      Result<const Value*> again = ForEachItems(step, scope, &evaluated);
      if (!again.ok() || static_cast<int64_t>((*again)->AsList().size()) != st.elements_total) {
        FailWorkflow("invalid_items", "the list of for_each step '" + step.id + "' changed while it ran" +
                                          (again.ok() ? "" : ": " + again.status().message()));
        return Status::Ok();
      }
      items = *again;
    }
    while (st.elements_started < st.elements_total && running < step.concurrency) {
      const int64_t index = st.elements_started++;
      const std::string element_id = ElementId(step.id, index);
      scope.Bind("item", &items->AsList()[static_cast<size_t>(index)]);
      scope.Set("index", Value(index));
      std::string code;
      Result<ChildStart> child = ChildFor(step, element_id, scope, index, &code);
      if (!child.ok()) {
        // This element fails for good; the others are stopped below.
        AddEvent(history::kChildFailed, element_id, 0,
                 Value::Map{{"child", ChildInstanceId(inst_.rec.id, st.run, element_id)},
                            {"status", "not_started"}, {"code", code}, {"message", child.status().message()}});
        st.branches[element_id] = "not_started";
        return SettleForEach(step, items);
      }
      commit_.start_children.push_back(std::move(child).value());
      st.branches[element_id] = kBranchRunning;
      ++running;
    }
  }
  if (running > 0) return Status::Ok();

  // Every element started has ended.
  const int64_t total = st.elements_total;
  if (StopPending() || failed) {
    FinishElements(step);
    if (StopPending()) {
      ActOnStop();
    } else {
      FailStep(step, "element_failed",
               std::to_string(completed) + " of " + std::to_string(total) + " elements completed: " + ended);
    }
    return Status::Ok();
  }
  // All completed: their outputs are read from the children, in order, in
  // a task of its own (CollectElements), so the state never holds them all
  // while the elements run. A stop meanwhile compensates them.
  st.completed.push_back(step.id);
  st.inputs[step.id] = st.elements_started;
  inst_.rec.status = InstanceStatus::kRunning;
  inst_.rec.current_step = step.id;
  ScheduleTask(TaskKind::kRunStep, step.id, 0, env_.now, env_.now);
  return Status::Ok();
}

Status Transition::CompensateForParent(const std::string& reason) {
  if (inst_.rec.status != InstanceStatus::kCompleted || CompensableSteps().empty()) {
    unchanged_ = true;
    return Status::Ok();
  }
  InstanceState& st = inst_.state;
  st.failed_step.clear();
  st.failure_code = "parent_compensating";
  st.failure_message = reason;
  inst_.rec.error_code = st.failure_code;
  inst_.rec.error_message = reason;
  StartCompensation("", st.failure_code, reason);
  return Status::Ok();
}

}  // namespace steadfast
