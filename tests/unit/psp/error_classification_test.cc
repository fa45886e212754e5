// The classification table: transport failures and HTTP statuses to ActivityError.
#include "refund/psp/error_classification.h"

#include <gtest/gtest.h>

namespace steadfast::refund {
namespace {

constexpr TimeMs kNow = 1'700'000'000'000;

HttpResponse Response(int status, std::string body = "", std::map<std::string, std::string> headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

std::string StripeError(const std::string& type, const std::string& code, const std::string& param = "") {
  std::string body = R"({"error":{"type":")" + type + R"(","message":"m")";
  if (!code.empty()) body += R"(,"code":")" + code + R"(")";
  if (!param.empty()) body += R"(,"param":")" + param + R"(")";
  return body + "}}";
}

TEST(ErrorClassificationTest, TransportFailures) {
  struct Case {
    TransportErrorKind kind;
    ErrorKind expected_kind;
    const char* code;
  };
  for (const Case& c : {Case{TransportErrorKind::kTimeout, ErrorKind::kRetryable, "psp_timeout"},
                        Case{TransportErrorKind::kConnectFailed, ErrorKind::kRetryable, "psp_unreachable"},
                        Case{TransportErrorKind::kConnectionLost, ErrorKind::kRetryable, "psp_connection_lost"},
                        Case{TransportErrorKind::kTlsVerification, ErrorKind::kNonRetryable, "psp_tls_error"},
                        Case{TransportErrorKind::kOther, ErrorKind::kRetryable, "psp_transport_error"}}) {
    const ActivityError e = ClassifyTransportError("psp", TransportError{c.kind, "boom"});
    EXPECT_EQ(e.kind, c.expected_kind) << c.code;
    EXPECT_EQ(e.code, c.code);
  }
}

TEST(ErrorClassificationTest, ServerErrorsAreRetryable) {
  for (int status : {500, 502, 503, 504}) {
    const ActivityError e = ClassifyHttpError("inventory", Response(status, "oops"), kNow);
    EXPECT_EQ(e.kind, ErrorKind::kRetryable);
    EXPECT_EQ(e.code, "inventory_unavailable");
    EXPECT_EQ(e.details.Get("http_status").IntOr(0), status);
  }
}

TEST(ErrorClassificationTest, RateLimitHonoursRetryAfterSeconds) {
  const ActivityError e =
      ClassifyHttpError("psp", Response(429, StripeError("invalid_request_error", "rate_limit"), {{"retry-after", "7"}}),
                        kNow);
  EXPECT_EQ(e.kind, ErrorKind::kRetryable);
  EXPECT_EQ(e.code, "psp_rate_limited");
  ASSERT_TRUE(e.retry_after_ms.has_value());
  EXPECT_EQ(*e.retry_after_ms, 7'000);
}

TEST(ErrorClassificationTest, RetryAfterAsHttpDate) {
  // 1700000000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(ParseRetryAfterMs("Tue, 14 Nov 2023 22:13:30 GMT", kNow), 10'000);
  EXPECT_EQ(ParseRetryAfterMs("Tue, 14 Nov 2023 22:13:00 GMT", kNow), 0);  // in the past: now
  EXPECT_EQ(ParseRetryAfterMs("soon", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs("-3", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfterMs(" 2 ", kNow), 2'000);
}

TEST(ErrorClassificationTest, RetryAfterIsCappedInBothForms) {
  const int64_t cap = kMaxRetryAfterSeconds * 1000;
  EXPECT_EQ(ParseRetryAfterMs("999999999", kNow), cap);
  // Ten years ahead as an HTTP-date gets the same one-day cap.
  EXPECT_EQ(ParseRetryAfterMs("Sun, 14 Nov 2033 22:13:20 GMT", kNow), cap);
}

TEST(ErrorClassificationTest, ClientErrorsCarryThePspCode) {
  const ActivityError e = ClassifyHttpError(
      "psp", Response(400, StripeError("invalid_request_error", "amount_too_large", "amount"), {{"request-id", "req_1"}}),
      kNow);
  EXPECT_EQ(e.kind, ErrorKind::kNonRetryable);
  EXPECT_EQ(e.code, "amount_too_large");
  EXPECT_EQ(e.details.Get("type").StringOr(""), "invalid_request_error");
  EXPECT_EQ(e.details.Get("param").StringOr(""), "amount");
  EXPECT_EQ(e.details.Get("request_id").StringOr(""), "req_1");
  EXPECT_FALSE(e.retry_after_ms.has_value());
}

TEST(ErrorClassificationTest, ClientErrorWithoutCodeUsesTypeThenStatus) {
  EXPECT_EQ(ClassifyHttpError("psp", Response(400, StripeError("idempotency_error", "")), kNow).code,
            "idempotency_error");
  EXPECT_EQ(ClassifyHttpError("psp", Response(404, "<html>not found</html>"), kNow).code, "http_404");
}

TEST(ErrorClassificationTest, AuthFailuresAreNonRetryable) {
  EXPECT_EQ(ClassifyHttpError("psp", Response(401, StripeError("invalid_request_error", "")), kNow).code,
            "psp_auth_failed");
  EXPECT_EQ(ClassifyHttpError("psp", Response(403, ""), kNow).kind, ErrorKind::kNonRetryable);
}

TEST(ErrorClassificationTest, KeyInUseConflictIsRetryableOtherConflictsAreNot) {
  const ActivityError busy =
      ClassifyHttpError("psp", Response(409, StripeError("invalid_request_error", "idempotency_key_in_use")), kNow);
  EXPECT_EQ(busy.kind, ErrorKind::kRetryable);
  EXPECT_EQ(busy.code, "idempotency_key_in_use");
  const ActivityError other =
      ClassifyHttpError("psp", Response(409, StripeError("invalid_request_error", "resource_already_exists")), kNow);
  EXPECT_EQ(other.kind, ErrorKind::kNonRetryable);
}

TEST(ErrorClassificationTest, StripeShouldRetryHeaderOverrides) {
  EXPECT_EQ(ClassifyHttpError("psp", Response(400, "", {{"stripe-should-retry", "true"}}), kNow).kind,
            ErrorKind::kRetryable);
  EXPECT_EQ(ClassifyHttpError("psp", Response(503, "", {{"stripe-should-retry", "false"}}), kNow).kind,
            ErrorKind::kNonRetryable);
}

TEST(ErrorClassificationTest, ParsesTheErrorEnvelope) {
  const RemoteErrorBody body = ParseErrorBody(StripeError("card_error", "expired_card", "exp_month"));
  EXPECT_EQ(body.type, "card_error");
  EXPECT_EQ(body.code, "expired_card");
  EXPECT_EQ(body.param, "exp_month");
  EXPECT_EQ(body.message, "m");
  EXPECT_TRUE(ParseErrorBody("not json").type.empty());
}

}  // namespace
}  // namespace steadfast::refund
