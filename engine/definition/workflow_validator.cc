// Second parsing pass: cross-step checks over a built definition.
#include "definition/workflow_validator.h"

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "definition/suggest.h"

namespace steadfast {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string DottedPath(const std::vector<std::string>& segments) {
  std::string out;
  for (size_t i = 0; i < segments.size(); ++i) out += (i == 0 ? "" : ".") + segments[i];
  return out;
}

// One jump field and the words it accepts besides step ids.
struct JumpField {
  const char* name;
  std::vector<std::string> words;
};

class Validator {
 public:
  Validator(const WorkflowDef& def, const SourceMap& map, const SourceLocator& locator,
            const ActivityRegistry* registry, DiagnosticList& diags)
      : def_(def), map_(map), locator_(locator), registry_(registry), diags_(diags) {
    for (const StepDef& s : def_.steps) {
      if (!s.id.empty()) step_ids_.push_back(s.id);
      for (const StepDef& b : s.branches) {
        if (!b.id.empty()) step_ids_.push_back(b.id);
      }
    }
    for (const InputField& f : def_.input) input_names_.push_back(f.name);
  }

  void Run() {
    CheckStepIds();
    CheckActivities();
    CheckReferences();
    bool targets_ok = CheckJumpTargets();
    // Unknown targets would make reachability report steps that are only
    // unreachable because of the typo: one message is enough.
    if (targets_ok && !duplicate_ids_) CheckReachability();
  }

 private:
  void Error(SourceLocation where, std::string message) { diags_.Add(where, std::move(message)); }

  // "step 'id'", or "step 3" for a step whose id is missing.
  std::string StepName(size_t i) const {
    const std::string& id = def_.steps[i].id;
    return id.empty() ? "step " + std::to_string(i + 1) : "step " + Quote(id);
  }

  void CheckStepIds() {
    std::map<std::string, int> first_line;
    for (size_t i = 0; i < def_.steps.size(); ++i) {
      const StepDef& s = def_.steps[i];
      if (!map_.steps[i].has_id || s.id.empty()) continue;
      auto [it, inserted] = first_line.emplace(s.id, map_.steps[i].id.line);
      if (!inserted) {
        duplicate_ids_ = true;
        Error(map_.steps[i].id, "duplicate step id " + Quote(s.id) + " (first at line " + std::to_string(it->second) + ")");
      }
    }
    // A branch's id names its results (steps.<branch>) and its child: unique
    // among steps and branches alike.
    for (const StepDef& s : def_.steps) {
      for (const StepDef& b : s.branches) {
        if (b.id.empty()) continue;
        auto [it, inserted] = first_line.emplace(b.id, b.loc.line);
        if (!inserted) {
          duplicate_ids_ = true;
          Error(b.loc, "duplicate id " + Quote(b.id) + " (first at line " + std::to_string(it->second) +
                           "): branch ids are unique among steps and branches");
        }
      }
    }
  }

  void CheckActivities() {
    if (registry_ == nullptr) return;
    std::vector<std::string> known;
    for (const ActivityInfo& info : registry_->List()) known.push_back(info.name);
    auto check = [&](const std::string& name, SourceLocation where, const char* what) {
      if (name.empty() || registry_->Contains(name)) return;
      std::string hint = DidYouMean(name, known);
      // Not a typo of a known name, and nothing of its plugin is here: say
      // which plugin is missing and how to load it.
      const size_t dot = name.find('.');
      if (hint.empty() && dot != std::string::npos && dot > 0 && !registry_->HasPlugin(name.substr(0, dot))) {
        hint = ": no plugin " + Quote(name.substr(0, dot)) +
               " is loaded \u2014 add its .so under plugins: in the engine config (docs/plugins.md)";
      }
      Error(where, std::string(what) + Quote(name) + hint);
    };
    for (size_t i = 0; i < def_.steps.size(); ++i) {
      const StepDef& s = def_.steps[i];
      if (s.kind != StepKind::kActivity) continue;
      check(s.activity, map_.steps[i].activity, "unknown activity ");
      check(s.compensate, map_.steps[i].compensate, "unknown compensate activity ");
    }
  }

  void CheckReferences() {
    for (const ExpressionSite& site : map_.expressions) {
      for (const PathReference& ref : site.expression.PathReferences()) {
        SourceLocation where = locator_.AtOffset(site.scalar, site.base_offset + ref.offset);
        CheckReference(site, ref.segments, where);
      }
    }
  }

  void CheckReference(const ExpressionSite& site, const std::vector<std::string>& path, SourceLocation where) {
    const std::string& root = path[0];
    if (root == "input") {
      if (path.size() < 2 || !map_.input_declared) return;
      for (const InputField& f : def_.input) {
        if (f.name == path[1]) return;
      }
      Error(where, "unknown input field " + Quote(path[1]) + " in " + Quote(DottedPath(path)) +
                       DidYouMean(path[1], input_names_) + "; declare it under 'input:'");
      return;
    }
    if (root == "steps" && site.use == ExpressionUse::kSearch) {
      Error(where, "search keys are evaluated when the instance starts, before any step has run: they read "
                   "'input.<field>' or 'workflow.<field>', not " + Quote(DottedPath(path)));
      return;
    }
    if (root == "steps") {
      if (path.size() < 2) return;
      const std::string& id = path[1];
      int target = def_.StepIndex(id);
      if (const StepDef* parallel = target < 0 ? def_.ParallelOf(id) : nullptr) {
        target = def_.StepIndex(parallel->id);  // a branch's results come with its parallel step
      }
      if (target < 0) {
        Error(where, "unknown step " + Quote(id) + " in " + Quote(DottedPath(path)) + DidYouMean(id, step_ids_));
        return;
      }
      if (site.use == ExpressionUse::kOutput) return;
      const std::string here = StepName(static_cast<size_t>(site.step));
      if (target == site.step && site.use != ExpressionUse::kCompensateWith) {
        Error(where, here + " reads its own output (" + Quote(DottedPath(path)) +
                         "), which does not exist yet");
      } else if (target > site.step) {
        Error(where, here + " reads " + Quote(DottedPath(path)) + ", but step " + Quote(id) +
                         " comes later, so it cannot have run yet");
      }
      return;
    }
    if ((root == "item" || root == "index") && site.use == ExpressionUse::kElement) return;  // the element
    std::vector<std::string> roots(std::begin(kExpressionRoots), std::end(kExpressionRoots));
    for (const std::string& r : roots) {
      if (root == r) return;  // "workflow": fields are the runtime's to define
    }
    Error(where, "unknown name " + Quote(root) + " in expression" + DidYouMean(root, roots) +
                     "; expressions read 'input.<field>', 'steps.<id>.<field>' or 'workflow.<field>'");
  }

  // Checks one jump value; true when it names a word or an existing step.
  bool CheckTarget(const std::string& value, SourceLocation where, const JumpField& field) {
    if (value.empty() || where.line == 0) return true;  // absent in YAML: the default is always valid
    for (const std::string& w : field.words) {
      if (value == w) return true;
    }
    if (def_.StepIndex(value) >= 0) return true;
    static const std::vector<std::string> kAllWords = {kTargetEnd, kTargetFail, kTargetContinue, "approve", "reject"};
    std::string expected;
    for (const std::string& w : field.words) expected += w + ", ";
    expected += "or a step id";
    for (const std::string& w : kAllWords) {
      if (value == w) {
        Error(where, Quote(value) + " is not allowed in " + Quote(field.name) + " (expected " + expected + ")");
        return false;
      }
    }
    std::vector<std::string> candidates = step_ids_;
    candidates.insert(candidates.end(), field.words.begin(), field.words.end());
    Error(where, "unknown step " + Quote(value) + " in " + Quote(field.name) + DidYouMean(value, candidates) +
                     " (expected " + expected + ")");
    return false;
  }

  bool CheckJumpTargets() {
    static const JumpField kNext{"next", {kTargetEnd}};
    static const JumpField kSignalTimeout{"on_timeout", {kTargetEnd, kTargetFail, kTargetContinue}};
    static const JumpField kApprovalTimeout{"on_timeout", {"approve", "reject", kTargetFail}};
    static const JumpField kReject{"on_reject", {kTargetFail, kTargetEnd}};
    bool ok = true;
    for (size_t i = 0; i < def_.steps.size(); ++i) {
      const StepDef& s = def_.steps[i];
      const StepSource& src = map_.steps[i];
      ok &= CheckTarget(s.next, src.next, kNext);
      if (s.kind == StepKind::kSignal) ok &= CheckTarget(s.on_timeout, src.on_timeout, kSignalTimeout);
      if (s.kind == StepKind::kApproval) {
        ok &= CheckTarget(s.on_timeout, src.on_timeout, kApprovalTimeout);
        ok &= CheckTarget(s.on_reject, src.on_reject, kReject);
      }
    }
    return ok;
  }

  // Control-flow edges out of step i (see workflow_def.h); -1 stands for
  // "the workflow ends", which is not a step.
  std::vector<int> Successors(size_t i) const {
    const StepDef& s = def_.steps[i];
    const int following = static_cast<int>(i) + 1 < static_cast<int>(def_.steps.size()) ? static_cast<int>(i) + 1 : -1;
    auto jump = [&](const std::string& target) -> int {
      if (target == kTargetContinue) return following;
      if (target == kTargetEnd || target == kTargetFail) return -1;
      return def_.StepIndex(target);
    };
    std::vector<int> out;
    if (s.kind == StepKind::kContinueAsNew) {
      // The run ends there (the next one starts at step 0, reached anyway).
      if (s.when) out.push_back(following);
      return out;
    }
    int after = s.next.empty() ? following : jump(s.next);  // where a completed step goes
    out.push_back(after);
    switch (s.kind) {
      case StepKind::kActivity:
        if (s.when) out.push_back(following);  // skipped: falls through, `next` not taken
        break;
      case StepKind::kSignal:
        if (s.when) out.push_back(following);
        if (s.wait_timeout_ms > 0) out.push_back(jump(s.on_timeout));
        break;
      case StepKind::kSleep:
      case StepKind::kChild:
      case StepKind::kParallel:
      case StepKind::kForEach:
        if (s.when) out.push_back(following);
        break;
      case StepKind::kContinueAsNew:
        break;
      case StepKind::kApproval:
        // Approved (or not held) -> `after`; rejected -> on_reject.
        out.push_back(jump(s.on_reject));
        if (s.wait_timeout_ms > 0 && s.on_timeout != "approve" && s.on_timeout != "reject") {
          out.push_back(jump(s.on_timeout));
        }
        break;
    }
    return out;
  }

  void CheckReachability() {
    const size_t n = def_.steps.size();
    if (n == 0) return;
    std::vector<bool> reached(n, false);
    std::deque<size_t> queue = {0};
    reached[0] = true;
    while (!queue.empty()) {
      size_t i = queue.front();
      queue.pop_front();
      for (int next : Successors(i)) {
        if (next < 0 || reached[static_cast<size_t>(next)]) continue;
        reached[static_cast<size_t>(next)] = true;
        queue.push_back(static_cast<size_t>(next));
      }
    }
    for (size_t i = 0; i < n; ++i) {
      if (reached[i]) continue;
      Error(def_.steps[i].loc, StepName(i) + " is unreachable: no path from the first step leads to it (the step before it "
                                      "does not fall through, and no 'next', 'on_timeout' or 'on_reject' names it)");
    }
  }

  const WorkflowDef& def_;
  const SourceMap& map_;
  const SourceLocator& locator_;
  const ActivityRegistry* registry_;
  DiagnosticList& diags_;
  std::vector<std::string> step_ids_;
  std::vector<std::string> input_names_;
  bool duplicate_ids_ = false;
};

}  // namespace

void ValidateWorkflow(const WorkflowDef& def, const SourceMap& map, const SourceLocator& locator,
                      const ActivityRegistry* registry, DiagnosticList& diags) {
  Validator(def, map, locator, registry, diags).Run();
}

}  // namespace steadfast
