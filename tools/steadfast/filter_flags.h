// The instance filter's CLI flags (list, bulk): turned into the filter's
// name=value pairs, which runtime/instance_filter.h parses for the CLI and
// the HTTP API alike. --key NAME=VALUE[,NAME=VALUE] -> key.NAME=VALUE;
// --error-code -> error_code, and so on (dashes for underscores).
#ifndef STEADFAST_TOOLS_FILTER_FLAGS_H_
#define STEADFAST_TOOLS_FILTER_FLAGS_H_

#include <string>

#include "cli_flags.h"
#include "runtime/instance_filter.h"

namespace steadfast::cli {

// Declares the filter's options (key, workflow, version, status, step,
// error-code, requested-by, created-after, created-before, updated-after,
// updated-before, cursor), each with its line of help.
void AddFilterOptions(CommandSpec& spec);

// The pairs the given filter flags stand for; InvalidArgument for a --key
// that is not NAME=VALUE.
Result<FilterParams> FilterParamsFromFlags(const Flags& flags);

// The pairs as a URL query ("key.reservation_id=R-4411&status=paused"),
// escaped; "" when empty.
std::string FilterQuery(const FilterParams& params);

}  // namespace steadfast::cli

#endif  // STEADFAST_TOOLS_FILTER_FLAGS_H_
