// Structured logs: redaction of tokens, PSP keys, secret pairs and card
// numbers; the JSON and text line formats; the per-attempt FieldLogger.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "observability/log_redaction.h"
#include "observability/structured_logger.h"
#include "steadfast/logger.h"

namespace steadfast {
namespace {

TEST(Redaction, BearerTokens) {
  EXPECT_EQ(RedactSecrets("Authorization: Bearer abc.DEF-123_x="), "Authorization: [REDACTED]");
  EXPECT_EQ(RedactSecrets("header Bearer abc.DEF-123_x="), "header Bearer [REDACTED]");
  EXPECT_EQ(RedactSecrets("sent bearer eyJhbGciOi.x.y to server"), "sent bearer [REDACTED] to server");
  EXPECT_EQ(RedactSecrets("Bearer"), "Bearer");  // nothing after it
}

TEST(Redaction, PspKeys) {
  EXPECT_EQ(RedactSecrets("key sk_live_51HxYzAbCdEf0123 used"), "key sk_[REDACTED] used");
  EXPECT_EQ(RedactSecrets("sk_test_integration_0123456789"), "sk_[REDACTED]");
  EXPECT_EQ(RedactSecrets("rk_live_abcdef123"), "rk_[REDACTED]");
  EXPECT_EQ(RedactSecrets("task_retry and desk_lamp"), "task_retry and desk_lamp");  // not at a word start / too short
  EXPECT_EQ(RedactSecrets("sk_x"), "sk_x");
}

TEST(Redaction, SecretLookingPairs) {
  EXPECT_EQ(RedactSecrets("password=hunter2 next"), "password=[REDACTED] next");
  EXPECT_EQ(RedactSecrets(R"({"token": "abc123", "ok": 1})"), R"({"token": "[REDACTED]", "ok": 1})");
  EXPECT_EQ(RedactSecrets("api_key: XYZ, user=bob"), "api_key: [REDACTED], user=bob");
  EXPECT_EQ(RedactSecrets("client_secret='q w'"), "client_secret='[REDACTED]'");
  EXPECT_EQ(RedactSecrets("Authorization: Basic dXNlcjpwYXNz"), "Authorization: [REDACTED]");
  // Other keys that merely start like a secret key are left alone.
  EXPECT_EQ(RedactSecrets("secret_key_env=STEADFAST_PSP_SECRET_KEY"), "secret_key_env=STEADFAST_PSP_SECRET_KEY");
  EXPECT_EQ(RedactSecrets("tokens: 3"), "tokens: 3");
}

TEST(Redaction, CardNumbersWithLuhn) {
  EXPECT_TRUE(PassesLuhn("4242424242424242"));
  EXPECT_FALSE(PassesLuhn("4242424242424241"));
  EXPECT_EQ(RedactSecrets("card 4242424242424242 declined"), "card [PAN ****4242] declined");
  EXPECT_EQ(RedactSecrets("card 4111 1111 1111 1111."), "card [PAN ****1111].");
  EXPECT_EQ(RedactSecrets("amex 3782-822463-10005"), "amex [PAN ****0005]");
  EXPECT_EQ(RedactSecrets("5555555555554444"), "[PAN ****4444]");
  // Not PANs: a Luhn failure, epoch milliseconds (start with 1), short runs, parts of ids.
  EXPECT_EQ(RedactSecrets("4242424242424241"), "4242424242424241");
  EXPECT_EQ(RedactSecrets("at 1732400000000 ms"), "at 1732400000000 ms");
  EXPECT_EQ(RedactSecrets("amount 27000 EUR"), "amount 27000 EUR");
  EXPECT_EQ(RedactSecrets("pm_card_visa_4242"), "pm_card_visa_4242");
  EXPECT_EQ(RedactSecrets("id x4242424242424242"), "id x4242424242424242");
}

TEST(Redaction, LeavesOrdinaryTextAlone) {
  const std::string text = "refund re_123 succeeded for wf-1/psp (attempt 2), 270.00 EUR";
  EXPECT_EQ(RedactSecrets(text), text);
}

TEST(StructuredLogger, JsonLineHasFieldsAndIsRedacted) {
  LogFields f{"wf-1", "psp", 2, "4bf92f3577b34da6a3ce929d0e0e4736"};
  std::string line = StructuredLogger::FormatLine(LogFormat::kJson, 1764000000123, LogLevel::kWarn, f,
                                                  "charge \"4242424242424242\" with sk_live_abcdef123\nsecond");
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2025-11-24T16:00:00.123Z");
  EXPECT_EQ(j["level"], "warn");
  EXPECT_EQ(j["workflow_id"], "wf-1");
  EXPECT_EQ(j["step"], "psp");
  EXPECT_EQ(j["attempt"], 2);
  EXPECT_EQ(j["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(j["message"], "charge \"[PAN ****4242]\" with sk_[REDACTED]\nsecond");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(StructuredLogger, JsonLineLeavesOutUnknownFields) {
  std::string line = StructuredLogger::FormatLine(LogFormat::kJson, 0, LogLevel::kInfo, LogFields{}, "started");
  EXPECT_EQ(line, R"({"time":"1970-01-01T00:00:00.000Z","level":"info","message":"started"})");
}

TEST(StructuredLogger, TextLineIsOneLine) {
  LogFields f{"wf-1", "psp", 3, ""};
  EXPECT_EQ(StructuredLogger::FormatLine(LogFormat::kText, 0, LogLevel::kError, f, "a\nb password=x"),
            "1970-01-01T00:00:00.000Z ERROR [wf-1 psp #3] a b password=[REDACTED]");
  EXPECT_EQ(StructuredLogger::FormatLine(LogFormat::kText, 0, LogLevel::kInfo, LogFields{}, "hi"),
            "1970-01-01T00:00:00.000Z INFO  hi");
}

TEST(StructuredLogger, WritesToFileThroughFieldLoggerAboveLevel) {
  char path[] = "/tmp/steadfast-log-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    auto logger = StructuredLogger::Open(LogFormat::kAuto, path, LogLevel::kInfo);
    ASSERT_TRUE(logger.ok()) << logger.status().ToString();
    EXPECT_EQ((*logger)->format(), LogFormat::kJson);  // a file is no terminal
    FieldLogger attempt(**logger, LogFields{"wf-9", "notify", 1, ""});
    attempt.Debug("hidden");
    attempt.Info("receipt sent with token=abc");
  }
  std::FILE* f = std::fopen(path, "r");
  ASSERT_NE(f, nullptr);
  char buf[1024] = {0};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  std::remove(path);
  std::string text(buf, n);
  ASSERT_EQ(std::count(text.begin(), text.end(), '\n'), 1) << text;
  auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["workflow_id"], "wf-9");
  EXPECT_EQ(j["step"], "notify");
  EXPECT_EQ(j["attempt"], 1);
  EXPECT_EQ(j["message"], "receipt sent with token=[REDACTED]");
}

TEST(StructuredLogger, BadFormatAndUnopenableFileAreClearErrors) {
  EXPECT_FALSE(ParseLogFormat("yaml").ok());
  EXPECT_TRUE(ParseLogFormat("text").ok());
  auto bad = StructuredLogger::Open(LogFormat::kJson, "/nonexistent-dir/x.log", LogLevel::kInfo);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("/nonexistent-dir/x.log"), std::string::npos);
}

TEST(TraceIdOf, TakesTheTraceIdOfAValidTraceparent) {
  EXPECT_EQ(TraceIdOf("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(TraceIdOf(""), "");
  EXPECT_EQ(TraceIdOf("garbage"), "");
}

}  // namespace
}  // namespace steadfast
