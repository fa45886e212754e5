// Start priorities: an instance's priority, 1 (first) to 5 (last), 3 by
// default, set when it starts (the workflow's `priority:`, or the start
// call's). A due task of a priority-1 instance is claimed as if it had been
// due 2 priority steps earlier, a priority-5 one 2 steps later
// (ClaimRequest::priority_step_ms), so a priority orders a backlog without
// ever starving the rest (docs/workflows.md "Priorities").
#ifndef STEADFAST_CORE_PRIORITY_H_
#define STEADFAST_CORE_PRIORITY_H_

namespace steadfast {

inline constexpr int kHighestPriority = 1;
inline constexpr int kDefaultPriority = 3;
inline constexpr int kLowestPriority = 5;

inline constexpr bool IsValidPriority(long long p) { return p >= kHighestPriority && p <= kLowestPriority; }

}  // namespace steadfast

#endif  // STEADFAST_CORE_PRIORITY_H_
