// ParseWorkflow happy paths: every feature of the format lands in the right
// WorkflowDef field with defaults filled in; the content hash is stable.
#include "definition/parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "definition/content_hash.h"
#include "steadfast/registry.h"

namespace steadfast {
namespace {

using ::testing::ElementsAre;

std::string DataPath(const std::string& name) { return std::string(STEADFAST_TEST_DATA) + "/workflows/" + name; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Dump(const ParseResult& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.ToString() + "\n";
  return out;
}

Value ParserScope() {
  Result<Value> v = Value::FromJson(R"({
    "input": {"reservation_id": "r-9", "amount": 70000, "flag": true, "ratio": 0.5},
    "steps": {"eligibility": {"reservation": {"id": "r-9"}},
              "amount": {"refund_total": {"minor": 60000, "currency": "EUR"}}}
  })");
  EXPECT_TRUE(v.ok());
  return *v;
}

TEST(ParserTest, AllFeatures) {
  ParseResult r = ParseWorkflowFile(DataPath("all_features.yaml"), nullptr);
  ASSERT_TRUE(r.ok()) << Dump(r);
  ASSERT_TRUE(r.def.has_value());
  const WorkflowDef& def = *r.def;
  EXPECT_EQ(def.name, "reservation_refund");
  EXPECT_EQ(def.version, 3);
  EXPECT_EQ(def.description, "Refund a cancelled reservation, with review above 500 EUR.");
  EXPECT_EQ(def.deadline_ms, 7 * 86'400'000LL);
  EXPECT_EQ(def.on_cancel, CancelAction::kStop);
  EXPECT_EQ(def.path, DataPath("all_features.yaml"));
  EXPECT_EQ(def.source, ReadFile(DataPath("all_features.yaml")));
  EXPECT_EQ(def.hash, Sha256Hex(def.source));

  // input: every type, '?' for optional, declaration order kept.
  ASSERT_EQ(def.input.size(), 8u);
  const std::vector<std::pair<std::string, InputType>> want_types = {
      {"reservation_id", InputType::kString}, {"amount", InputType::kInt}, {"note", InputType::kString},
      {"meta", InputType::kMap},              {"items", InputType::kList}, {"flag", InputType::kBool},
      {"ratio", InputType::kNumber},          {"any_thing", InputType::kAny}};
  for (size_t i = 0; i < want_types.size(); ++i) {
    EXPECT_EQ(def.input[i].name, want_types[i].first);
    EXPECT_EQ(def.input[i].type, want_types[i].second) << def.input[i].name;
    EXPECT_EQ(def.input[i].required, def.input[i].name != "note") << def.input[i].name;
  }

  ASSERT_EQ(def.steps.size(), 7u);
  EXPECT_EQ(def.StepIndex("psp"), 4);
  EXPECT_EQ(def.StepIndex("nope"), -1);
  EXPECT_EQ(def.FindStep("review"), &def.steps[3]);

  // Step 1: defaults apply in full; with: typed constants and templates.
  const StepDef& eligibility = def.steps[0];
  EXPECT_EQ(eligibility.id, "eligibility");
  EXPECT_EQ(eligibility.kind, StepKind::kActivity);
  EXPECT_EQ(eligibility.activity, "refund.check_eligibility");
  EXPECT_EQ(eligibility.loc.line, 24);
  EXPECT_EQ(eligibility.loc.column, 5);
  EXPECT_EQ(eligibility.retry.max_attempts, 5);
  EXPECT_EQ(eligibility.retry.initial_interval_ms, 1000);
  EXPECT_DOUBLE_EQ(eligibility.retry.backoff, 2.0);
  EXPECT_EQ(eligibility.retry.max_interval_ms, 60'000);
  EXPECT_DOUBLE_EQ(eligibility.retry.jitter, 0.2);
  EXPECT_THAT(eligibility.retry.non_retryable, ElementsAre("code_a"));
  EXPECT_EQ(eligibility.retry.on_exhausted, ExhaustedAction::kPause);
  EXPECT_EQ(eligibility.timeout_ms, 30'000);
  EXPECT_EQ(eligibility.schedule_to_close_ms, 0);
  EXPECT_EQ(eligibility.next, "");
  EXPECT_EQ(eligibility.with.name(), "with");
  Result<Value> with = eligibility.with.Evaluate(ParserScope());
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  EXPECT_EQ(with->ToJson(),
            R"({"count":3,"list":[1,"two"],"literal":"${not_an_expression}","nothing":null,"on":true,)"
            R"("ratio":0.5,"reservation_id":"r-9"})");
  ASSERT_TRUE(eligibility.when.has_value());
  EXPECT_EQ(eligibility.when->text(), "input.amount > 0");
  EXPECT_EQ(*eligibility.when->Evaluate(ParserScope()), Value(true));

  // Step 2: the step's retry overlays the defaults field by field.
  const StepDef& amount = def.steps[1];
  EXPECT_EQ(amount.retry.max_attempts, 8);
  EXPECT_EQ(amount.retry.initial_interval_ms, 2000);
  EXPECT_DOUBLE_EQ(amount.retry.backoff, 2.0);        // inherited
  EXPECT_EQ(amount.retry.max_interval_ms, 300'000);
  EXPECT_DOUBLE_EQ(amount.retry.jitter, 0.2);         // inherited
  EXPECT_THAT(amount.retry.non_retryable, ElementsAre("invalid_charge", "blocked"));  // replaced, not merged
  EXPECT_EQ(amount.retry.on_exhausted, ExhaustedAction::kCompensate);
  EXPECT_EQ(amount.timeout_ms, 10'000);
  EXPECT_EQ(amount.schedule_to_close_ms, 300'000);
  EXPECT_EQ(amount.compensate, "refund.open_manual_review");
  ASSERT_TRUE(amount.when.has_value());
  EXPECT_EQ(amount.when->text(), "input.flag && input.ratio < 1");  // the ${} wrapper is optional
  Result<Value> amount_with = amount.with.Evaluate(ParserScope());
  ASSERT_TRUE(amount_with.ok());
  EXPECT_EQ(amount_with->ToJson(), R"({"policy":"moderate","reservation":{"id":"r-9"}})");
  Result<Value> comp = amount.compensate_with.Evaluate(ParserScope());
  ASSERT_TRUE(comp.ok());
  EXPECT_EQ(comp->Get("reason").AsString(), "amount failed");
  EXPECT_TRUE(comp->Get("output").Get("refund_total").is_map());

  // Step 3: a signal wait.
  const StepDef& wait = def.steps[2];
  EXPECT_EQ(wait.kind, StepKind::kSignal);
  EXPECT_EQ(wait.signal, "item_received");
  EXPECT_EQ(wait.wait_timeout_ms, 14 * 86'400'000LL);
  EXPECT_EQ(wait.on_timeout, "close_rma");
  EXPECT_FALSE(wait.when.has_value());
  EXPECT_EQ(wait.context.Evaluate(ParserScope())->ToJson(), R"({"reservation":"r-9"})");

  // Step 4: an approval; approval.when becomes the step's when.
  const StepDef& review = def.steps[3];
  EXPECT_EQ(review.kind, StepKind::kApproval);
  ASSERT_TRUE(review.when.has_value());
  EXPECT_EQ(*review.when->Evaluate(ParserScope()), Value(true));
  EXPECT_EQ(review.wait_timeout_ms, 72 * 3'600'000LL);
  EXPECT_EQ(review.on_timeout, "approve");
  EXPECT_EQ(review.on_reject, "close_rma");
  EXPECT_EQ(review.required_approvals, 2);
  EXPECT_EQ(review.context.Evaluate(ParserScope())->ToJson(), R"({"amount":{"currency":"EUR","minor":60000}})");

  const StepDef& psp = def.steps[4];
  EXPECT_EQ(psp.next, "end");
  EXPECT_DOUBLE_EQ(psp.retry.jitter, 0.0);
  EXPECT_EQ(psp.retry.max_attempts, 5);

  // Last step: "approval:" with nothing under it holds always, with defaults.
  const StepDef& quick = def.steps[6];
  EXPECT_EQ(quick.kind, StepKind::kApproval);
  EXPECT_FALSE(quick.when.has_value());
  EXPECT_EQ(quick.wait_timeout_ms, 0);
  EXPECT_EQ(quick.on_timeout, "reject");
  EXPECT_EQ(quick.on_reject, "fail");
  EXPECT_EQ(quick.required_approvals, 1);

  Result<Value> out = def.output.Evaluate(ParserScope());
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->Get("summary").AsString(), "refunded 60000 for r-9");
  EXPECT_EQ(out->Get("refund").Get("minor").AsInt(), 60000);
}

TEST(ParserTest, MinimalDefinitionGetsDefaults) {
  ParseResult r = ParseWorkflowFile(DataPath("minimal.yaml"), nullptr);
  ASSERT_TRUE(r.ok()) << Dump(r);
  const WorkflowDef& def = *r.def;
  EXPECT_EQ(def.version, 1);
  EXPECT_TRUE(def.input.empty());
  EXPECT_TRUE(def.output.is_null());
  EXPECT_EQ(def.deadline_ms, 0);
  const StepDef& s = def.steps[0];
  RetryPolicy defaults;
  EXPECT_EQ(s.retry.max_attempts, defaults.max_attempts);
  EXPECT_EQ(s.retry.initial_interval_ms, defaults.initial_interval_ms);
  EXPECT_EQ(s.retry.max_interval_ms, defaults.max_interval_ms);
  EXPECT_EQ(s.retry.on_exhausted, ExhaustedAction::kCompensate);
  EXPECT_EQ(s.timeout_ms, 30'000);
  EXPECT_TRUE(s.with.is_null());
  EXPECT_TRUE(s.compensate_with.is_null());
}

TEST(ParserTest, RegistryAcceptsRegisteredActivities) {
  ActivityRegistry registry;
  auto noop = [](ActivityContext&) -> ActivityResult { return Value(); };
  ASSERT_TRUE(registry.Register("demo.hello", noop).ok());
  EXPECT_TRUE(ParseWorkflowFile(DataPath("minimal.yaml"), &registry).ok());
}

TEST(ParserTest, HashIsStableAndTracksContent) {
  const std::string text = ReadFile(DataPath("minimal.yaml"));
  ParseResult a = ParseWorkflow(text, "a.yaml", nullptr);
  ParseResult b = ParseWorkflow(text, "elsewhere/b.yaml", nullptr);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.def->hash, b.def->hash);  // the path is not part of the identity
  EXPECT_EQ(a.def->hash.size(), 64u);
  // Pinned: this value must never change for the same bytes (instances
  // stored with it must find their definition again).
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  ParseResult c = ParseWorkflow(text + "# a comment changes the hash\n", "a.yaml", nullptr);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c.def->hash, a.def->hash);
}

TEST(ParserTest, ApprovalWhenFalseMeansNotHeld) {
  ParseResult r = ParseWorkflow(R"(name: w
steps:
  - id: review
    approval: { when: "input.amount > 100" }
)",
                                "w.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << Dump(r);
  Value small;
  small["input"]["amount"] = 5;
  EXPECT_EQ(*r.def->steps[0].when->Evaluate(small), Value(false));
}

TEST(ParserTest, SleepStepsKeepTheirForm) {
  ParseResult r = ParseWorkflow(R"(name: w
steps:
  - id: cool_off
    sleep: 1d12h
  - id: grace
    sleep: "${input.grace}"
  - id: check_in
    until: "${input.check_in}"
)",
                                "w.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << Dump(r);
  const std::vector<StepDef>& steps = r.def->steps;
  for (const StepDef& s : steps) EXPECT_EQ(s.kind, StepKind::kSleep) << s.id;
  EXPECT_EQ(steps[0].sleep_ms, 36 * 3'600'000LL);
  EXPECT_TRUE(steps[0].sleep_for.is_null());
  EXPECT_TRUE(steps[0].until.is_null());
  EXPECT_EQ(steps[1].sleep_ms, 0);
  EXPECT_FALSE(steps[1].sleep_for.is_null());
  EXPECT_TRUE(steps[1].until.is_null());
  EXPECT_TRUE(steps[2].sleep_for.is_null());
  EXPECT_FALSE(steps[2].until.is_null());
}

TEST(ParserTest, ContinueAsNewKeepsItsInputOrTakesANewOne) {
  ParseResult r = ParseWorkflow(R"(name: w
input: { cursor: int }
steps:
  - id: sweep
    activity: demo.sweep
  - id: more
    when: "${steps.sweep.more}"
    continue_as_new:
      input: { cursor: "${steps.sweep.next}" }
  - id: again
    continue_as_new:
)",
                                "w.yaml", nullptr);
  ASSERT_TRUE(r.ok()) << Dump(r);
  const std::vector<StepDef>& steps = r.def->steps;
  EXPECT_EQ(steps[1].kind, StepKind::kContinueAsNew);
  EXPECT_EQ(steps[2].kind, StepKind::kContinueAsNew);
  Value scope;
  scope["steps"]["sweep"]["next"] = 40;
  EXPECT_EQ(*steps[1].next_input.Evaluate(scope), Value(Value::Map{{"cursor", 40}}));
  EXPECT_TRUE(steps[2].next_input.is_null());
  EXPECT_TRUE(steps[1].next.empty());
}

TEST(ParserTest, JumpsAndLoopsAreAllowed) {
  ParseResult r = ParseWorkflow(R"(name: loops
steps:
  - id: ask
    activity: demo.ask
  - id: wait
    signal: answered
    timeout: 1h
    on_timeout: ask
  - id: done
    activity: demo.done
    next: end
)",
                                "loops.yaml", nullptr);
  EXPECT_TRUE(r.ok()) << Dump(r);
}

TEST(ParserTest, SyntaxErrorFixtureAndMissingFile) {
  ParseResult bad = ParseWorkflowFile(DataPath("syntax_error.yaml"), nullptr);
  ASSERT_EQ(bad.diagnostics.size(), 1u) << Dump(bad);
  EXPECT_FALSE(bad.def.has_value());
  EXPECT_EQ(bad.diagnostics[0].line, 5);
  EXPECT_EQ(bad.diagnostics[0].message.rfind("YAML syntax error: ", 0), 0u) << bad.diagnostics[0].message;

  ParseResult missing = ParseWorkflowFile(DataPath("does_not_exist.yaml"), nullptr);
  ASSERT_EQ(missing.diagnostics.size(), 1u);
  EXPECT_EQ(missing.diagnostics[0].line, 0);
  EXPECT_EQ(missing.diagnostics[0].ToString(),
            DataPath("does_not_exist.yaml") + ": cannot open: No such file or directory");

  ParseResult dir = ParseWorkflowFile(std::string(STEADFAST_TEST_DATA) + "/workflows", nullptr);
  ASSERT_EQ(dir.diagnostics.size(), 1u);
  EXPECT_EQ(dir.diagnostics[0].message, "is a directory, not a workflow file");
}

TEST(ParserTest, DiagnosticToString) {
  EXPECT_EQ((Diagnostic{"w.yaml", 3, 7, "boom"}).ToString(), "w.yaml:3:7: boom");
  EXPECT_EQ((Diagnostic{"w.yaml", 0, 0, "gone"}).ToString(), "w.yaml: gone");
}

}  // namespace
}  // namespace steadfast
