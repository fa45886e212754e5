// RedactSecrets: what a log line must never carry, masked before it is
// written (the logger applies it to every message, whoever wrote it).
//
//   Bearer tokens          "Bearer abc.def"            -> "Bearer [REDACTED]"
//   PSP keys               "sk_live_51H..." / "rk_test_..." -> "sk_[REDACTED]"
//   secret-looking pairs   password=..., "token": "...", api_key: ...,
//                          secret=..., client_secret=..., authorization: ...
//                                                      -> key=[REDACTED] (quotes kept)
//   card numbers (PANs)    13-19 digits, optionally grouped by single spaces
//                          or dashes, starting with 2-6 (the card networks'
//                          ranges; so 13-digit epoch milliseconds are left
//                          alone) and passing the Luhn check
//                                                      -> "[PAN ****4242]"
// A best effort, not a licence: activities must still not log secrets.
#ifndef STEADFAST_OBSERVABILITY_LOG_REDACTION_H_
#define STEADFAST_OBSERVABILITY_LOG_REDACTION_H_

#include <string>
#include <string_view>

namespace steadfast {

std::string RedactSecrets(std::string_view text);

// The Luhn (mod 10) check over a string of digits.
bool PassesLuhn(std::string_view digits);

}  // namespace steadfast

#endif  // STEADFAST_OBSERVABILITY_LOG_REDACTION_H_
