// refund.add_claim_message: add an evidence message to a claim, once.
//
// Input:  {claim_id, author, text}
// Output: {claim_id, seq, author, text, at, replayed}
//
// Keyed by the activity key in a plugin transaction of its own: a retry or
// a restart returns the first message (same seq) instead of a second.
// Messages may be added in any claim status (evidence arrives late too).
// Errors (non-retryable): invalid_input, claim_not_found;
// refund_store_error (retryable when the database is busy).
#include <fmt/format.h>

#include "refund/activities.h"
#include "refund/activity_support.h"
#include "refund/claim_store.h"

namespace steadfast::refund {

ActivityFn MakeAddClaimMessageActivity(Services) {
  return [](ActivityContext& ctx) -> ActivityResult {
    const Value& in = ctx.input();
    const std::string claim_id = IdString(in.Get("claim_id"));
    const std::string author = in.Get("author").StringOr("");
    const std::string text = in.Get("text").StringOr("");
    if (claim_id.empty() || author.empty() || text.empty()) {
      return InvalidInput("claim_id, author and text are required");
    }
    if (ctx.storage() == nullptr) return StoreError(Status::Unavailable("no plugin storage for this attempt"));
    ClaimStore claims(*ctx.storage());
    Result<ClaimStore::Added> added = claims.AddMessage(claim_id, ctx.idempotency_key(), author, text,
                                                        ctx.clock().NowMs());
    if (!added.ok()) {
      if (added.status().code() == StatusCode::kNotFound) {
        return ActivityError::NonRetryable("claim_not_found", added.status().message());
      }
      return StoreError(added.status());
    }
    Value out;
    out["claim_id"] = claim_id;
    out["seq"] = added->message.seq;
    out["author"] = added->message.author;
    out["text"] = added->message.text;
    out["at"] = FormatRfc3339Utc(added->message.at_ms);
    out["replayed"] = added->replayed;
    return out;
  };
}

}  // namespace steadfast::refund
