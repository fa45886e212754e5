// Named crash points for fault-injection tests.
//
// STEADFAST_CRASH_AT="<point>[:<step>][@<n>]" makes the process _exit(137)
// the n-th time (default: first) it passes <point> (for <step>, if given).
// Points used by the engine are listed in docs/testing.md; unset, a crash
// point costs one branch on a cached flag.
#ifndef STEADFAST_CORE_CRASH_POINT_H_
#define STEADFAST_CORE_CRASH_POINT_H_

#include <string_view>

namespace steadfast {

// Exits the process with status 137 if the environment selects this point.
void CrashPoint(std::string_view point, std::string_view step = {});

// Re-reads STEADFAST_CRASH_AT (tests set it in-process). Not thread-safe.
void ReloadCrashPointsForTest();

}  // namespace steadfast

#endif  // STEADFAST_CORE_CRASH_POINT_H_
