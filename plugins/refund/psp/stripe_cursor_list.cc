// StripePspAdapter's lists read by change cursor: the page's checks shared
// by the disputes and the settlement events (stripe_psp_adapter.h).
#include <string>
#include <utility>
#include <vector>

#include "steadfast/http_transport.h"
#include "stripe_psp_adapter.h"
#include "stripe_request_checks.h"

namespace steadfast::refund {

RemoteResult<StripePspAdapter::CursorPage> StripePspAdapter::ListByCursor(std::string_view path, std::string_view what,
                                                                           int64_t since, int limit) {
  if (limit < 1 || limit > 100) {
    return ActivityError::NonRetryable("invalid_refund_request", "list limit must be in 1..100");
  }
  if (since < 0) return ActivityError::NonRetryable("invalid_refund_request", "since must be >= 0");
  auto bad = [](const std::string& message) {
    return ActivityError::Retryable("psp_bad_response", "unexpected answer from the PSP: " + message);
  };
  const std::vector<std::pair<std::string, std::string>> query{{"since", std::to_string(since)},
                                                               {"limit", std::to_string(limit)}};
  RemoteResult<HttpResponse> response =
      Exchange(NewRequest(HttpMethod::kGet, std::string(path) + "?" + FormUrlEncode(query)));
  if (!response.ok()) return response.error();
  Result<Value> json = Value::FromJson(response->body);
  if (!json.ok()) return bad(json.status().message());
  if (json->Get("object").StringOr("") != "list" || !json->Get("data").is_list()) return bad("not a list object");
  if (!json->Get("has_more").is_bool() || !json->Get("next_since").is_int()) {
    return bad(std::string(what) + " list without has_more or next_since");
  }
  CursorPage page;
  page.has_more = json->Get("has_more").AsBool();
  page.next_since = json->Get("next_since").AsInt();
  // A cursor that goes back would make the sync read the same changes forever.
  if (page.next_since < since) return bad("next_since went backwards");
  page.items = json->Get("data").AsList();
  return page;
}

}  // namespace steadfast::refund
