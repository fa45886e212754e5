// One test per diagnostic kind: the exact line:col and message a user sees.
// Each YAML is written so that it has exactly the problem under test.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "definition/parser.h"
#include "steadfast/registry.h"

namespace steadfast {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// "line:col: message" for each diagnostic, in the order returned.
std::vector<std::string> Diags(std::string_view yaml, const ActivityRegistry* registry = nullptr) {
  ParseResult r = ParseWorkflow(yaml, "w.yaml", registry);
  EXPECT_EQ(r.def.has_value(), r.diagnostics.empty());
  std::vector<std::string> out;
  for (const Diagnostic& d : r.diagnostics) {
    EXPECT_EQ(d.file, "w.yaml");
    out.push_back(std::to_string(d.line) + ":" + std::to_string(d.column) + ": " + d.message);
  }
  return out;
}

TEST(DiagnosticsTest, ValidBaselineHasNone) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n"), IsEmpty());
}

TEST(DiagnosticsTest, YamlSyntaxError) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: [1, 2 }\n"),
              ElementsAre("5:22: YAML syntax error: illegal flow end"));
  EXPECT_THAT(Diags("name: w\nsteps:\n\t- id: a\n"), ElementsAre("3:2: YAML syntax error: illegal block entry"));
}

TEST(DiagnosticsTest, YamlNestedTooDeeply) {
  EXPECT_THAT(Diags("name: w\nsteps: " + std::string(5000, '[')), ElementsAre("2:1: YAML nested too deeply"));
}

TEST(DiagnosticsTest, EmptyOrNotAMapping) {
  EXPECT_THAT(Diags(""), ElementsAre("1:1: the file is empty: a workflow needs at least 'name' and 'steps'"));
  EXPECT_THAT(Diags("# nothing\n"), ElementsAre("1:1: the file is empty: a workflow needs at least 'name' and 'steps'"));
  EXPECT_THAT(Diags("\n- a\n- b\n"),
              ElementsAre("2:1: a workflow file must be a YAML mapping with at least 'name' and 'steps'"));
}

TEST(DiagnosticsTest, MultipleDocuments) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n---\nname: x\n"),
              ElementsAre("6:1: only one YAML document per workflow file (remove '---' and what follows)"));
}

TEST(DiagnosticsTest, UnknownTopLevelKey) {
  EXPECT_THAT(Diags("name: w\ndescripton: hi\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:1: unknown top-level field 'descripton' (did you mean 'description'?)"));
  EXPECT_THAT(Diags("name: w\nzzz: 1\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:1: unknown top-level field 'zzz'"));
}

TEST(DiagnosticsTest, UnknownStepKey) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    tiemout: 5s\n"),
              ElementsAre("5:5: unknown step field 'tiemout' (did you mean 'timeout'?)"));
}

TEST(DiagnosticsTest, UnknownRetryKey) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    retry: { max_attempt: 3 }\n"),
              ElementsAre("5:14: unknown retry field 'max_attempt' (did you mean 'max_attempts'?)"));
}

TEST(DiagnosticsTest, UnknownDefaultsAndApprovalKeys) {
  EXPECT_THAT(Diags("name: w\ndefaults: { timout: 5s }\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:13: unknown defaults field 'timout' (did you mean 'timeout'?)"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    approval: { on_rejct: end }\n"),
              ElementsAre("4:17: unknown approval field 'on_rejct' (did you mean 'on_reject'?)"));
}

TEST(DiagnosticsTest, DuplicateKey) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    id: b\n"),
              ElementsAre("5:5: duplicate key 'id' (first at line 3)"));
}

TEST(DiagnosticsTest, MissingRequiredKeys) {
  EXPECT_THAT(Diags("version: 2\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("1:1: missing required field 'name'"));
  EXPECT_THAT(Diags("name: w\n"), ElementsAre("1:1: missing required field 'steps'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - activity: demo.a\n"),
              ElementsAre("3:5: missing required field 'id' in step 1"));
  EXPECT_THAT(Diags("name: w\nsteps: []\n"),
              ElementsAre("2:8: 'steps' is empty: a workflow needs at least one step"));
}

TEST(DiagnosticsTest, BadNameAndVersion) {
  EXPECT_THAT(Diags("name: Refund-Flow\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("1:7: workflow name 'Refund-Flow' must use only a-z, 0-9 and '_'"));
  EXPECT_THAT(Diags("name: w\nversion: 0\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:10: version must be a whole number from 1 up (got 0)"));
  EXPECT_THAT(Diags("name: w\nversion: one\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:10: 'version' must be a whole number (got 'one')"));
}

TEST(DiagnosticsTest, BadStepId) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: Check-It\n    activity: demo.a\n"),
              ElementsAre("3:9: step id 'Check-It' must use only a-z, 0-9 and '_'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: end\n    activity: demo.a\n"),
              ElementsAre("3:9: step id 'end' is reserved (it is a jump word)"));
}

TEST(DiagnosticsTest, UnknownStepKind) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    when: true\n"),
              ElementsAre("3:5: unknown step kind: step 'a' needs exactly one of 'activity', 'signal', "
                          "'approval', 'sleep', 'until', 'continue_as_new', 'workflow' or 'parallel'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    signal: go\n"),
              ElementsAre("5:5: unknown step kind: step 'a' has 'activity' and 'signal'; a step has exactly one"));
}

TEST(DiagnosticsTest, FieldOfAnotherKind) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    signal: go\n    retry: { max_attempts: 2 }\n"),
              ElementsAre("5:5: field 'retry' does not apply to a signal step"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    approval: {}\n    timeout: 1h\n"),
              ElementsAre("5:5: field 'timeout' of an approval step belongs under 'approval:'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    on_timeout: end\n"),
              ElementsAre("5:5: field 'on_timeout' does not apply to an activity step"));
}

TEST(DiagnosticsTest, SleepSteps) {
  const std::string head = "name: w\ninput: { at: string }\nsteps:\n  - id: a\n";
  EXPECT_THAT(Diags(head + "    sleep: 3d\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    until: \"${input.at}\"\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    until: 2026-12-24T18:00:00+01:00\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    sleep: \"${input.at}\"\n    when: \"${input.at != ''}\"\n    next: end\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    sleep: 3\n"),
              ElementsAre("5:12: bad duration for 'sleep': missing unit in '3' (use ms, s, m, h or d)"));
  EXPECT_THAT(Diags(head + "    sleep: 0s\n"), ElementsAre("5:12: 'sleep' must be greater than 0"));
  EXPECT_THAT(Diags(head + "    sleep: 36501d\n"), ElementsAre("5:12: 'sleep' must not exceed 36500d (got 36501d)"));
  EXPECT_THAT(Diags(head + "    until: 2026-12-24 18:00\n"),
              ElementsAre(::testing::StartsWith("5:12: bad instant for 'until': ")));
  EXPECT_THAT(Diags(head + "    until: [1]\n"),
              ElementsAre("5:12: 'until' must be an instant such as \"${input.check_in}\" or "
                          "\"2026-12-24T18:00:00+01:00\" (got a list)"));
  EXPECT_THAT(Diags(head + "    until: \"${input.when}\"\n"),
              ElementsAre(::testing::HasSubstr("'input.when'")));
  EXPECT_THAT(Diags(head + "    sleep: 1h\n    until: \"${input.at}\"\n"),
              ElementsAre("6:5: unknown step kind: step 'a' has 'sleep' and 'until'; a step has exactly one"));
  EXPECT_THAT(Diags(head + "    sleep: 1h\n    retry: { max_attempts: 2 }\n"),
              ElementsAre("6:5: field 'retry' does not apply to a sleep step"));
  EXPECT_THAT(Diags(head + "    until: \"${input.at}\"\n    timeout: 1h\n"),
              ElementsAre("6:5: field 'timeout' does not apply to a sleep step"));
}

TEST(DiagnosticsTest, ChildWorkflowSteps) {
  const std::string head = "name: w\ninput: { seller: string }\nsteps:\n  - id: a\n    activity: demo.a\n  - id: b\n";
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    version: latest\n    compensate: false\n"
                           "    input: { seller: \"${input.seller}\", refund: \"${steps.a.amount}\" }\n"),
              IsEmpty());
  EXPECT_THAT(Diags(head + "    workflow: Seller-Refund\n"),
              ElementsAre("7:15: workflow name 'Seller-Refund' must use only a-z, 0-9 and '_'"));
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    version: 0\n"),
              ElementsAre("8:14: 'version' must be latest or a version number from 1 up (got '0')"));
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    compensate: demo.undo\n"),
              ElementsAre("8:17: 'compensate' of a child workflow step must be true or false (got 'demo.undo')"));
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    input: { x: \"${steps.b.y}\" }\n"),
              ElementsAre(::testing::HasSubstr("reads its own output")));
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    retry: { max_attempts: 2 }\n"),
              ElementsAre("8:5: field 'retry' does not apply to a child workflow step"));
  EXPECT_THAT(Diags(head + "    workflow: seller_refund\n    activity: demo.b\n"),
              ElementsAre(::testing::HasSubstr("has 'activity' and 'workflow'; a step has exactly one")));
}

TEST(DiagnosticsTest, ParallelSteps) {
  const std::string head = "name: w\ninput: { seller: string }\nsteps:\n  - id: a\n    activity: demo.a\n  - id: p\n";
  const std::string two = "    parallel:\n      branches:\n        - { id: x, workflow: refund }\n"
                          "        - { id: y, workflow: refund, input: { from: \"${steps.a.id}\" } }\n";
  EXPECT_THAT(Diags(head + two + "  - id: after\n    activity: demo.b\n    with: { x: \"${steps.x.id}\" }\n"),
              IsEmpty());
  EXPECT_THAT(Diags(head + "    parallel:\n      join: any\n      branches:\n        - { id: x, workflow: refund }\n"),
              IsEmpty());
  EXPECT_THAT(Diags(head + "    parallel:\n      join: 3\n      branches:\n        - { id: x, workflow: refund }\n"),
              ElementsAre("8:13: 'join' must be all, any or a number of branches from 1 to 1 (got '3')"));
  EXPECT_THAT(Diags(head + "    parallel: { branches: [] }\n"),
              ElementsAre(::testing::HasSubstr("'parallel' needs 'branches'")));
  EXPECT_THAT(Diags(head + "    parallel:\n      branches:\n        - { id: a, workflow: refund }\n"),
              ElementsAre(::testing::HasSubstr("duplicate id 'a' (first at line 4): branch ids are unique")));
  EXPECT_THAT(Diags(head + "    parallel:\n      branches:\n        - { id: x }\n"),
              ElementsAre("9:17: branch 'x' needs 'workflow': the child workflow it runs"));
  EXPECT_THAT(Diags(head + "    parallel:\n      branches:\n        - { id: x, workflow: refund, activity: demo.a }\n"),
              ElementsAre(::testing::HasSubstr("unknown branch field 'activity'")));
  EXPECT_THAT(Diags(head + "    parallel:\n      branches:\n        - { id: x, workflow: refund, input: { v: "
                           "\"${steps.y.id}\" } }\n        - { id: y, workflow: refund }\n"),
              ElementsAre(::testing::HasSubstr("reads its own output")));
  EXPECT_THAT(Diags(head + two + "    next: x\n"), ElementsAre(::testing::HasSubstr("unknown step 'x'")));
}

TEST(DiagnosticsTest, ForEachSteps) {
  const std::string head = "name: w\ninput: { items: list }\nsteps:\n  - id: a\n    activity: demo.a\n  - id: f\n"
                           "    workflow: inspect\n";
  EXPECT_THAT(Diags(head + "    for_each: \"${input.items}\"\n    concurrency: 20\n"
                           "    input: { item: \"${item}\", n: \"${index}\", before: \"${steps.a.x}\" }\n"),
              IsEmpty());
  EXPECT_THAT(Diags(head + "    for_each: [1, 2]\n"),
              ElementsAre("8:15: 'for_each' must be an expression giving a list, such as \"${input.items}\" (got a list)"));
  EXPECT_THAT(Diags(head + "    for_each: \"${input.items}\"\n    concurrency: 0\n"),
              ElementsAre("9:18: concurrency must be between 1 and 1000 (got 0)"));
  EXPECT_THAT(Diags(head + "    concurrency: 5\n"),
              ElementsAre("8:5: 'concurrency' needs 'for_each' (the list whose elements run at once)"));
  // `item` and `index` exist only in a for_each step's child input.
  EXPECT_THAT(Diags(head + "    input: { item: \"${item}\" }\n"),
              ElementsAre(::testing::HasSubstr("unknown name 'item' in expression")));
  EXPECT_THAT(Diags(head + "    for_each: \"${input.items}\"\n  - id: b\n    activity: demo.b\n"
                           "    with: { n: \"${index}\" }\n"),
              ElementsAre(::testing::HasSubstr("unknown name 'index' in expression")));
}

TEST(DiagnosticsTest, ContinueAsNewSteps) {
  const std::string head = "name: w\ninput: { cursor: int }\nsteps:\n  - id: a\n    activity: demo.a\n  - id: b\n";
  EXPECT_THAT(Diags(head + "    continue_as_new:\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    continue_as_new: { input: { cursor: \"${steps.a.next}\" } }\n"
                           "    when: \"${steps.a.more}\"\n"),
              IsEmpty());
  EXPECT_THAT(Diags(head + "    continue_as_new: { input: { cursor: \"${steps.b.next}\" } }\n"),
              ElementsAre(::testing::HasSubstr("reads its own output")));
  EXPECT_THAT(Diags(head + "    continue_as_new: now\n"),
              ElementsAre(::testing::StartsWith("7:22: 'continue_as_new' must be a mapping such as")));
  EXPECT_THAT(Diags(head + "    continue_as_new: { inputs: {} }\n"),
              ElementsAre("7:24: unknown continue_as_new field 'inputs' (did you mean 'input'?)"));
  EXPECT_THAT(Diags(head + "    continue_as_new: { version: latest }\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    continue_as_new: { version: 2 }\n"), IsEmpty());
  EXPECT_THAT(Diags(head + "    continue_as_new: { version: newest }\n"),
              ElementsAre("7:33: 'version' must be latest or a version number from 1 up (got 'newest')"));
  EXPECT_THAT(Diags(head + "    continue_as_new: { version: 0 }\n"),
              ElementsAre("7:33: 'version' must be latest or a version number from 1 up (got '0')"));
  EXPECT_THAT(Diags(head + "    continue_as_new:\n    next: a\n"),
              ElementsAre("8:5: 'next' does not apply to a continue_as_new step: the run ends there and the next "
                          "run starts at the first step"));
  EXPECT_THAT(Diags(head + "    continue_as_new:\n    retry: { max_attempts: 2 }\n"),
              ElementsAre("8:5: field 'retry' does not apply to a continue_as_new step"));
  // The run ends at an unconditional continue_as_new: nothing falls through it.
  EXPECT_THAT(Diags(head + "    continue_as_new:\n  - id: c\n    activity: demo.c\n"),
              ElementsAre(::testing::HasSubstr("step 'c' is unreachable")));
}

TEST(DiagnosticsTest, StepLevelWhenOnApproval) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    when: true\n    approval: {}\n"),
              ElementsAre("4:5: 'when' is not allowed on an approval step: put the condition under 'approval:' as "
                          "'when' (it decides whether the step holds for a decision)"));
}

TEST(DiagnosticsTest, UnknownActivityWithRegistry) {
  ActivityRegistry registry;
  auto noop = [](ActivityContext&) -> ActivityResult { return Value(); };
  ASSERT_TRUE(registry.Register("refund.psp_refund", noop).ok());
  ASSERT_TRUE(registry.Register("refund.open_manual_review", noop).ok());
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: refund.psp_refnd\n"
                    "    compensate: refund.open_review\n",
                    &registry),
              ElementsAre("4:15: unknown activity 'refund.psp_refnd' (did you mean 'refund.psp_refund'?)",
                          "5:17: unknown compensate activity 'refund.open_review'"));
  // A plugin none of whose activities is registered: say which and how to load it.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: shipping.create_label\n", &registry),
              ElementsAre("4:15: unknown activity 'shipping.create_label': no plugin 'shipping' is loaded \u2014 "
                          "add its .so under plugins: in the engine config (docs/plugins.md)"));
  // Without a registry names are only checked for shape.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: nodot\n"),
              ElementsAre("4:15: activity name 'nodot' in 'activity' must look like 'plugin.verb'"));
}

TEST(DiagnosticsTest, DuplicateStepId) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n  - id: a\n    activity: demo.b\n"),
              ElementsAre("5:9: duplicate step id 'a' (first at line 3)"));
}

TEST(DiagnosticsTest, BadDurations) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    timeout: 30\n"),
              ElementsAre("5:14: bad duration for 'timeout': missing unit in '30' (use ms, s, m, h or d)"));
  EXPECT_THAT(Diags("name: w\ndeadline: 5x\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:11: bad duration for 'deadline': unknown unit 'x' in '5x' (use ms, s, m, h or d)"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    schedule_to_close: -1s\n"),
              ElementsAre("5:24: bad duration for 'schedule_to_close': negative duration '-1s'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    timeout: 0s\n"),
              ElementsAre("5:14: 'timeout' must be greater than 0"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    timeout:\n"),
              ElementsAre("5:5: 'timeout' must be a duration such as 30s, 5m or 72h (got nothing)"));
}

TEST(DiagnosticsTest, RetryOutOfRange) {
  EXPECT_THAT(
      Diags("name: w\ndefaults:\n  retry:\n    max_attempts: 0\n    backoff: 0.5\n    jitter: 1.5\n"
            "    initial_interval: 0s\nsteps:\n  - id: a\n    activity: demo.a\n"),
      ElementsAre("4:19: max_attempts must be at least 1 (got 0)", "5:14: backoff must be at least 1.0 (got 0.5)",
                  "6:13: jitter must be between 0 and 1 (got 1.5)", "7:23: 'initial_interval' must be greater than 0"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n"
                    "    retry: { initial_interval: 2m }\n"),
              ElementsAre("5:32: initial_interval (2m) must not exceed max_interval (1m)"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    retry: { on_exhausted: compensat }\n"),
              ElementsAre("5:28: unknown on_exhausted 'compensat' (did you mean 'compensate'?); expected fail, "
                          "pause or compensate"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    retry: { non_retryable: code }\n"),
              ElementsAre("5:29: non_retryable must be a list of error codes, e.g. [invalid_charge] (got 'code')"));
  EXPECT_THAT(Diags("name: w\non_cancel: stopp\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:12: unknown on_cancel 'stopp' (did you mean 'stop'?); expected compensate or stop"));
}

TEST(DiagnosticsTest, BadInputTypes) {
  EXPECT_THAT(Diags("name: w\ninput: { id: strng, n: int, m: [x], 9x: int }\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:14: unknown input type 'strng' for field 'id' (did you mean 'string'?); expected string, "
                          "int, number, bool, map, list or any",
                          "2:32: input field 'm' needs a type: string, int, number, bool, map, list or any (append "
                          "'?' if optional)",
                          "2:37: input field name '9x' must be letters, digits and '_' and must not start with a digit"));
}

TEST(DiagnosticsTest, ExpressionSyntaxErrorColumns) {
  // Double-quoted: +1 for the quote.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: \"${input.x >}\"\n"),
              ElementsAre("5:23: bad expression in 'when': unexpected end of expression"));
  // Plain, without the ${} wrapper.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: input.x = 1\n"),
              ElementsAre("5:19: bad expression in 'when': unexpected '=' (use '==' to compare)"));
  // Single-quoted with a '' escape before the error.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: 'it''s ${1 +* 2}' }\n"),
              ElementsAre("5:28: bad expression in 'with': unexpected '*'"));
  // Double-quoted with an escape that decodes to two bytes.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: \"\\u00e9 ${1 +* 2}\" }\n"),
              ElementsAre("5:29: bad expression in 'with': unexpected '*'"));
  // A template in a block scalar: the error is on the scalar's second line.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with:\n      note: |\n"
                    "        first line\n        second ${input.x &}\n"),
              ElementsAre("8:26: bad expression in 'with': unexpected '&' (use '&&')"));
  EXPECT_THAT(Diags("name: w\noutput: \"total ${steps.a.x\"\nsteps:\n  - id: a\n    activity: demo.a\n"),
              ElementsAre("2:16: bad expression in 'output': '${' is not closed by '}' (write '$${' for a literal "
                          "'${')"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: \"${a} && ${b}\"\n"),
              ElementsAre("5:12: 'when' must be one expression: write \"${a && b}\", not \"${a} && ${b}\""));
}

TEST(DiagnosticsTest, UnknownInputField) {
  EXPECT_THAT(Diags("name: w\ninput: { amount: int }\nsteps:\n  - id: a\n    activity: demo.a\n"
                    "    with: { x: \"${input.amuont + 1}\" }\n"),
              ElementsAre("6:19: unknown input field 'amuont' in 'input.amuont' (did you mean 'amount'?); declare "
                          "it under 'input:'"));
  // Without an input declaration any input field may be read.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: \"${input.anything}\" }\n"),
              IsEmpty());
}

TEST(DiagnosticsTest, UnknownStepReference) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: amount\n    activity: demo.a\n  - id: b\n    activity: demo.b\n"
                    "    when: steps.amont.total > 1\n"),
              ElementsAre("7:11: unknown step 'amont' in 'steps.amont.total' (did you mean 'amount'?)"));
}

TEST(DiagnosticsTest, ReferenceToLaterOrOwnStep) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: \"${steps.b.y}\" }\n"
                    "  - id: b\n    activity: demo.b\n    when: \"${steps.b.ok}\"\n"),
              ElementsAre("5:19: step 'a' reads 'steps.b.y', but step 'b' comes later, so it cannot have run yet",
                          "8:14: step 'b' reads its own output ('steps.b.ok'), which does not exist yet"));
  // compensate_with runs after the step, and the output after all steps.
  EXPECT_THAT(Diags("name: w\noutput: \"${steps.b}\"\nsteps:\n  - id: b\n    activity: demo.b\n"
                    "    compensate: demo.undo\n    compensate_with: { out: \"${steps.b}\" }\n"),
              IsEmpty());
}

TEST(DiagnosticsTest, UnknownExpressionRoot) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: inputs.x\n"),
              ElementsAre("5:11: unknown name 'inputs' in expression (did you mean 'input'?); expressions read "
                          "'input.<field>', 'steps.<id>.<field>' or 'workflow.<field>'"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: workflow.requested_by != null\n"),
              IsEmpty());
}

TEST(DiagnosticsTest, UnknownJumpTargets) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    next: ned\n"
                    "  - id: b\n    signal: go\n    timeout: 1h\n    on_timeout: bb\n"
                    "  - id: c\n    approval: { on_reject: nowhere }\n"),
              ElementsAre("5:11: unknown step 'ned' in 'next' (did you mean 'end'?) (expected end, or a step id)",
                          "9:17: unknown step 'bb' in 'on_timeout' (did you mean 'b'?) (expected end, fail, continue, "
                          "or a step id)",
                          "11:28: unknown step 'nowhere' in 'on_reject' (expected fail, end, or a step id)"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    next: fail\n"),
              ElementsAre("5:11: 'fail' is not allowed in 'next' (expected end, or a step id)"));
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    approval: { timeout: 1h, on_timeout: continue }\n"),
              ElementsAre("4:42: 'continue' is not allowed in 'on_timeout' (expected approve, reject, fail, or a "
                          "step id)"));
}

TEST(DiagnosticsTest, OnTimeoutWithoutTimeout) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    signal: go\n    on_timeout: end\n"),
              ElementsAre("5:5: 'on_timeout' has no effect without 'timeout'"));
}

TEST(DiagnosticsTest, CompensateWithWithoutCompensate) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    compensate_with: { x: 1 }\n"),
              ElementsAre("5:5: 'compensate_with' needs 'compensate' (the activity it feeds)"));
}

TEST(DiagnosticsTest, UnreachableSteps) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    next: end\n"
                    "  - id: b\n    activity: demo.b\n  - id: c\n    activity: demo.c\n"),
              ElementsAre("6:5: step 'b' is unreachable: no path from the first step leads to it (the step before "
                          "it does not fall through, and no 'next', 'on_timeout' or 'on_reject' names it)",
                          "8:5: step 'c' is unreachable: no path from the first step leads to it (the step before "
                          "it does not fall through, and no 'next', 'on_timeout' or 'on_reject' names it)"));
  // A `when` on a step with `next` keeps the following step reachable
  // (a skipped step falls through), and so does a jump.
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    when: input.go\n    next: c\n"
                    "  - id: b\n    activity: demo.b\n    next: end\n  - id: c\n    activity: demo.c\n"),
              IsEmpty());
}

TEST(DiagnosticsTest, AliasesCannotExplode) {
  EXPECT_THAT(Diags("name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: &loop [1, *loop]\n"),
              ElementsAre("5:11: 'with' is too large or nested deeper than the limit of " +
                          std::to_string(kMaxValueDepth) + " levels (check for aliases)"));
}

// A literal template may nest as deep as any accepted value, and no deeper.
TEST(DiagnosticsTest, TemplateDepthIsTheValueLimit) {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  const std::string head = "name: w\nsteps:\n  - id: a\n    activity: demo.a\n    with: { x: ";
  EXPECT_THAT(Diags(head + nested(kMaxValueDepth - 1) + " }\n"), IsEmpty());
  EXPECT_THAT(Diags(head + nested(kMaxValueDepth) + " }\n"),
              ElementsAre(::testing::HasSubstr("nested deeper than the limit of " + std::to_string(kMaxValueDepth))));
}

TEST(DiagnosticsTest, CollectsEveryProblemSortedByPosition) {
  std::vector<std::string> d = Diags(
      "name: Bad\nversion: 0\nsteps:\n  - id: a\n    activity: demo.a\n    timeout: 5\n"
      "    retry: { max_attempt: 2 }\n  - id: a\n    signal: go\n    next: nowhere\n");
  EXPECT_THAT(d, ElementsAre("1:7: workflow name 'Bad' must use only a-z, 0-9 and '_'",
                             "2:10: version must be a whole number from 1 up (got 0)",
                             "6:14: bad duration for 'timeout': missing unit in '5' (use ms, s, m, h or d)",
                             "7:14: unknown retry field 'max_attempt' (did you mean 'max_attempts'?)",
                             "8:9: duplicate step id 'a' (first at line 4)",
                             "10:11: unknown step 'nowhere' in 'next' (expected end, or a step id)"));
}

}  // namespace
}  // namespace steadfast

namespace steadfast {
namespace {

TEST(DiagnosticsTest, PriorityIsOneToFive) {
  const std::string steps = "steps:\n  - id: a\n    activity: demo.a\n";
  EXPECT_THAT(Diags("name: w\npriority: 1\n" + steps), IsEmpty());
  EXPECT_THAT(Diags("name: w\npriority: 7\n" + steps),
              ElementsAre("2:11: priority must be 1 (first) to 5 (last); got 7"));
  EXPECT_THAT(Diags("name: w\npriority: high\n" + steps),
              ElementsAre("2:11: 'priority' must be a whole number (got 'high')"));
}

TEST(DiagnosticsTest, SearchKeysAreCheckedWithPositions) {
  const std::string steps = "steps:\n  - id: a\n    activity: demo.a\n";
  EXPECT_THAT(Diags("name: w\nsearch:\n  order_id: \"${input.order.id}\"\n  n: 5\n" + steps), IsEmpty());
  EXPECT_THAT(Diags("name: w\nsearch: [a]\n" + steps),
              ElementsAre("2:9: 'search' must be a mapping of key names to values such as "
                          "{reservation_id: \"${input.reservation.id}\"} (got a list)"));
  EXPECT_THAT(Diags("name: w\nsearch:\n  Order-Id: \"${input.id}\"\n" + steps),
              ElementsAre("3:3: search key 'Order-Id' must use only a-z, 0-9 and '_' (at most 64 characters)"));
  EXPECT_THAT(Diags("name: w\nsearch:\n  order: {id: 1}\n" + steps),
              ElementsAre("3:10: search key 'order' must be one value such as \"${input.id}\" (got a mapping)"));
  EXPECT_THAT(Diags("name: w\nsearch:\n  psp: \"${steps.a.id}\"\n" + steps),
              ElementsAre("3:11: search keys are evaluated when the instance starts, before any step has run: they "
                          "read 'input.<field>' or 'workflow.<field>', not 'steps.a.id'"));
  EXPECT_THAT(Diags("name: w\ninput:\n  order: map\nsearch:\n  o: \"${input.ordr.id}\"\n" + steps),
              ElementsAre("5:9: unknown input field 'ordr' in 'input.ordr.id' (did you mean 'order'?); declare it "
                          "under 'input:'"));
}

}  // namespace
}  // namespace steadfast
