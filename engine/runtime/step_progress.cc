// History replay into per-step states.
#include "runtime/step_progress.h"

#include "steadfast/history.h"
#include "steadfast/time_text.h"

namespace steadfast {

std::string_view StepStateName(StepState state) {
  switch (state) {
    case StepState::kRunning: return "running";
    case StepState::kWaiting: return "waiting";
    case StepState::kCompleted: return "completed";
    case StepState::kSkipped: return "skipped";
    case StepState::kFailed: return "failed";
    case StepState::kRejected: return "rejected";
    case StepState::kTimedOut: return "timed_out";
    case StepState::kCompensated: return "compensated";
    case StepState::kCancelled: return "cancelled";
  }
  return "?";
}

std::map<std::string, StepProgress> StepProgressFromHistory(const std::vector<HistoryEvent>& events) {
  namespace h = history;
  std::map<std::string, StepProgress> out;
  auto set = [&](const std::string& step, StepState state, std::string detail) {
    StepProgress& p = out[step];
    p.state = state;
    p.detail = std::move(detail);
  };
  for (const HistoryEvent& e : events) {
    const std::string& t = e.type;
    const Value& d = e.data;
    if (t == h::kWorkflowCancelled) {
      for (auto& [step, p] : out) {
        if (p.state == StepState::kRunning || p.state == StepState::kWaiting) {
          p.state = StepState::kCancelled;
          p.detail = "cancelled by " + d.Get("principal").StringOr("?");
        }
      }
      continue;
    }
    if (e.step_id.empty()) continue;
    const std::string& s = e.step_id;
    if (t == h::kStepScheduled) {
      set(s, StepState::kRunning, "");
    } else if (t == h::kAttemptSucceeded) {
      ++out[s].attempts;
      set(s, StepState::kCompleted, "");
    } else if (t == h::kAttemptFailed) {
      ++out[s].attempts;
      set(s, StepState::kRunning, "attempt " + std::to_string(e.attempt) + ": " + d.Get("code").StringOr("error"));
    } else if (t == h::kAttemptAbandoned) {
      ++out[s].attempts;
    } else if (t == h::kRetryScheduled) {
      std::string why = out[s].detail;
      set(s, StepState::kRunning, why.empty() ? "retrying" : why + ", retrying");
    } else if (t == h::kStepSkipped) {
      set(s, StepState::kSkipped, "condition false");
    } else if (t == h::kStepFailed) {
      set(s, StepState::kFailed, d.Get("code").StringOr("failed"));
    } else if (t == h::kWaitStarted) {
      set(s, StepState::kWaiting,
          d.Get("kind").StringOr("") == "approval" ? "waiting for a decision"
                                                   : "waiting for signal " + d.Get("signal").StringOr("?"));
    } else if (t == h::kSleepStarted) {
      set(s, StepState::kWaiting, "sleeping until " + FormatRfc3339Utc(d.Get("wake_at").IntOr(0)));
    } else if (t == h::kSleepEnded) {
      set(s, StepState::kCompleted, "woke");
    } else if (t == h::kWaitTimedOut) {
      set(s, StepState::kTimedOut, "no answer in time");
    } else if (t == h::kSignalReceived) {
      set(s, StepState::kCompleted, "signal received");
    } else if (t == h::kApprovalNotRequired) {
      set(s, StepState::kSkipped, "approval not required");
    } else if (t == h::kApprovalDecided) {
      std::string who = d.Get("principal").StringOr("?");
      if (d.Get("decision").StringOr("") == "reject") {
        set(s, StepState::kRejected, "rejected by " + who);
      } else {
        int64_t have = d.Get("approvals").IntOr(1), need = d.Get("required_approvals").IntOr(1);
        if (have < need) {
          set(s, StepState::kWaiting,
              std::to_string(have) + " of " + std::to_string(need) + " approvals (last: " + who + ")");
        } else {
          set(s, StepState::kCompleted, "approved by " + who);
        }
      }
    } else if (t == h::kCompensationSucceeded) {
      set(s, StepState::kCompensated, "undone by " + d.Get("activity").StringOr("its compensation"));
    } else if (t == h::kCompensationFailed) {
      set(s, StepState::kFailed, "compensation failed: " + d.Get("code").StringOr("error"));
    } else if (t == h::kWorkflowResumed) {
      set(s, StepState::kRunning, "resumed by " + d.Get("principal").StringOr("?"));
    } else if (t == h::kDeadlineExceeded) {
      if (out.count(s) && (out[s].state == StepState::kRunning || out[s].state == StepState::kWaiting)) {
        set(s, StepState::kFailed, "workflow deadline exceeded");
      }
    }
  }
  return out;
}

}  // namespace steadfast
