// Tracing set-up: the `tracing:` config section and the OTEL_* variables.
#include "tracing/tracing_setup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "subprocess.h"

namespace steadfast::tracing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(TracingConfigTest, TheSectionIsReadWithItsDefaults) {
  testing::TempDir dir;
  testing::WriteFile(dir.File("c.yaml"),
                     "database: x.db\ntracing:\n  otlp_endpoint: http://collector:4318\n  service_name: refunds\n"
                     "  queue_size: 100\n  batch_size: 10\n  flush_interval: 250ms\n  export_timeout: 2s\n");
  auto cfg = LoadEngineConfig(dir.File("c.yaml"));
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  EXPECT_EQ(cfg->tracing.otlp_endpoint, "http://collector:4318");
  EXPECT_EQ(cfg->tracing.service_name, "refunds");
  EXPECT_EQ(cfg->tracing.queue_size, 100);
  EXPECT_EQ(cfg->tracing.batch_size, 10);
  EXPECT_EQ(cfg->tracing.flush_interval_ms, 250);
  EXPECT_EQ(cfg->tracing.export_timeout_ms, 2000);

  testing::WriteFile(dir.File("none.yaml"), "database: x.db\n");
  auto plain = LoadEngineConfig(dir.File("none.yaml"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->tracing.otlp_endpoint, "");  // off
  EXPECT_EQ(plain->tracing.queue_size, 2048);
}

TEST(TracingConfigTest, MistakesNameFileLineAndColumn) {
  testing::TempDir dir;
  auto load = [&](const std::string& section) {
    testing::WriteFile(dir.File("c.yaml"), "database: x.db\ntracing:\n" + section);
    return LoadEngineConfig(dir.File("c.yaml"));
  };
  auto unknown = load("  endpoint: http://x\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("c.yaml:3:3: unknown tracing key 'endpoint'"));
  auto scheme = load("  otlp_endpoint: collector:4318\n");
  ASSERT_FALSE(scheme.ok());
  EXPECT_THAT(scheme.status().message(), HasSubstr("c.yaml:3:18: otlp_endpoint must be an http:// or https:// URL"));
  EXPECT_FALSE(load("  queue_size: 0\n").ok());
  EXPECT_FALSE(load("  flush_interval: soon\n").ok());
  EXPECT_FALSE(load("  service_name: \"\"\n").ok());
}

TEST(OtelEnvironmentTest, VariablesOverrideTheFile) {
  TracingConfig file;
  file.otlp_endpoint = "http://from-file:4318";
  EXPECT_EQ(ApplyOtelEnvironment(file, Env({})).otlp_endpoint, "http://from-file:4318");
  EXPECT_EQ(ApplyOtelEnvironment(file, Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"}})).otlp_endpoint,
            "http://base:4318");
  EXPECT_EQ(ApplyOtelEnvironment(file, Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
                                            {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318"}}))
                .otlp_endpoint,
            "http://traces:4318");
  EXPECT_EQ(ApplyOtelEnvironment(file, Env({{"OTEL_SERVICE_NAME", "payments"}})).service_name, "payments");
  EXPECT_EQ(ApplyOtelEnvironment(file, Env({{"OTEL_SDK_DISABLED", "true"}})).otlp_endpoint, "");
}

TEST(OtelEnvironmentTest, HeadersAreParsedAndNeverEchoed) {
  auto h = ParseOtlpHeaders("api-key=s3cr%3Dt, x-team = refunds ,", "OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0], (std::pair<std::string, std::string>{"api-key", "s3cr=t"}));
  EXPECT_EQ((*h)[1], (std::pair<std::string, std::string>{"x-team", "refunds"}));
  auto bad = ParseOtlpHeaders("api-key=top-secret-value,nonsense", "OTEL_EXPORTER_OTLP_HEADERS");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("OTEL_EXPORTER_OTLP_HEADERS"));
  EXPECT_THAT(bad.status().message(), HasSubstr("entry 2"));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("top-secret-value")));
  EXPECT_FALSE(ParseOtlpHeaders("k=%zz", "V").ok());
}

TEST(MakeSpanExporterTest, NoEndpointMeansNoExporter) {
  auto none = MakeSpanExporter(TracingConfig{}, "node", nullptr, nullptr, Env({}));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, nullptr);
  TracingConfig on;
  on.otlp_endpoint = "http://127.0.0.1:1";
  auto made = MakeSpanExporter(on, "node", nullptr, nullptr, Env({{"OTEL_EXPORTER_OTLP_HEADERS", "a=b"}}));
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  ASSERT_NE(*made, nullptr);
  EXPECT_EQ((*made)->url(), "http://127.0.0.1:1/v1/traces");
  auto bad = MakeSpanExporter(on, "node", nullptr, nullptr, Env({{"OTEL_EXPORTER_OTLP_HEADERS", "oops"}}));
  EXPECT_FALSE(bad.ok());
  auto scheme = MakeSpanExporter(on, "node", nullptr, nullptr, Env({{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x"}}));
  EXPECT_FALSE(scheme.ok());
}

}  // namespace
}  // namespace steadfast::tracing
