// The built-in `std.*` activities: small, general tools for demos,
// benchmarks and trying out retry/timeout policies.
//   std.noop   {}                               -> {}
//   std.echo   any                              -> the input
//   std.sleep  {ms}                             -> {slept_ms}; stops early when cancelled
//   std.fail   {times, code?, retryable?}       -> fails while attempt <= times, then {attempts}
#ifndef STEADFAST_BUILTIN_STD_ACTIVITIES_H_
#define STEADFAST_BUILTIN_STD_ACTIVITIES_H_

#include "steadfast/registry.h"

namespace steadfast {

Status RegisterStdActivities(ActivityRegistry& registry);

}  // namespace steadfast

#endif  // STEADFAST_BUILTIN_STD_ACTIVITIES_H_
