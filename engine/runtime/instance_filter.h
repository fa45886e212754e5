// InstanceFilter parsing: the one place where the instance filter (which
// instances `list`, GET /v1/workflows and bulk operations select) is read
// from name=value pairs. HTTP query parameters are such pairs as they are;
// the CLI turns its flags into the same pairs (--error-code -> error_code,
// --key NAME=VALUE -> key.NAME), so both accept the same values and report
// the same errors (docs/cli.md "Finding instances", docs/http.md).
//
//   key.NAME=VALUE             search key (repeatable: all must match)
//   workflow=NAME              workflow name
//   version=N                  workflow version (needs workflow)
//   status=S[,S...]            any of these statuses (repeatable)
//   step=ID                    current step
//   error_code=CODE            error code (failed, compensated, cancelled, paused)
//   requested_by=PRINCIPAL     the declared requester
//   created_after=T            created at or after T (RFC 3339)
//   created_before=T           created before T
//   updated_after=T / updated_before=T   likewise for the last change
//   cursor=ID                  the last id of the previous page
// Limit and page size stay with the caller (their bounds differ).
#ifndef STEADFAST_RUNTIME_INSTANCE_FILTER_H_
#define STEADFAST_RUNTIME_INSTANCE_FILTER_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "steadfast/status.h"
#include "steadfast/value.h"
#include "store/store.h"

namespace steadfast {

using FilterParams = std::vector<std::pair<std::string, std::string>>;

// True for a name ParseInstanceFilter reads ("key.*" included).
bool IsInstanceFilterParam(std::string_view name);

// The filter the pairs describe. InvalidArgument naming the parameter and
// what it accepts for an unknown name, a repeated single-valued one, an
// empty value or a value of the wrong form. limit is left at its default.
Result<ListFilter> ParseInstanceFilter(const FilterParams& params);

// The pairs that parse back to `filter`'s criteria (cursor and limit
// excluded): a bulk operation stores its filter in this form.
FilterParams InstanceFilterParams(const ListFilter& filter);

// The criteria as a JSON object of the parameter names ({"status":
// ["paused"], "key": {"reservation_id": "R-4411"}, ...}), for views.
Value InstanceFilterView(const ListFilter& filter);

// True when the filter sets no criterion at all (it matches everything).
bool MatchesEverything(const ListFilter& filter);

}  // namespace steadfast

#endif  // STEADFAST_RUNTIME_INSTANCE_FILTER_H_
