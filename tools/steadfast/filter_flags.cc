// The instance filter's CLI flags (filter_flags.h).
#include "filter_flags.h"

#include "http_client.h"

namespace steadfast::cli {
namespace {

// Flag -> filter parameter name (except --key), the value's placeholder, help.
struct FilterOption {
  const char* flag;
  const char* param;
  const char* value_name;
  const char* help;
};
constexpr FilterOption kFilterOptions[] = {
    {"workflow", "workflow", "NAME", "only instances of this workflow"},
    {"version", "version", "N", "only this version of --workflow"},
    {"status", "status", "S[,S]", "only instances in one of these statuses (running, waiting_approval, paused, ...)"},
    {"step", "step", "ID", "only instances at this current step"},
    {"error-code", "error_code", "CODE", "only instances with this error code (psp_unavailable, ...)"},
    {"requested-by", "requested_by", "P", "only instances this principal requested"},
    {"parent", "parent", "ID", "only the child workflows of this instance"},
    {"created-after", "created_after", "T", "created at or after T (RFC 3339)"},
    {"created-before", "created_before", "T", "created before T (RFC 3339)"},
    {"updated-after", "updated_after", "T", "last changed at or after T (RFC 3339)"},
    {"updated-before", "updated_before", "T", "last changed before T (RFC 3339)"},
    {"cursor", "cursor", "ID", "the page after this instance (next_cursor of --json)"},
};

}  // namespace

void AddFilterOptions(CommandSpec& spec) {
  spec.Option("key", "NAME=VALUE[,NAME=VALUE]",
              "only instances with these search keys (the workflow's search:), e.g. reservation_id=R-4411");
  for (const FilterOption& o : kFilterOptions) spec.Option(o.flag, o.value_name, o.help);
}

Result<FilterParams> FilterParamsFromFlags(const Flags& flags) {
  FilterParams params;
  if (auto keys = flags.Get("key")) {
    size_t start = 0;
    while (start <= keys->size()) {
      size_t comma = keys->find(',', start);
      if (comma == std::string::npos) comma = keys->size();
      std::string pair = keys->substr(start, comma - start);
      size_t eq = pair.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
        return Status::InvalidArgument("--key takes NAME=VALUE (e.g. --key reservation_id=R-4411), got '" + pair + "'");
      }
      params.emplace_back("key." + pair.substr(0, eq), pair.substr(eq + 1));
      start = comma + 1;
    }
  }
  for (const FilterOption& o : kFilterOptions) {
    if (auto v = flags.Get(o.flag)) params.emplace_back(o.param, *v);
  }
  return params;
}

std::string FilterQuery(const FilterParams& params) {
  std::string query;
  for (const auto& [name, value] : params) {
    query += (query.empty() ? "" : "&") + UrlEscape(name) + "=" + UrlEscape(value);
  }
  return query;
}

}  // namespace steadfast::cli
