// The instance filter's parsing (runtime/instance_filter.h), shared by
// `steadfast list`/`bulk` and GET /v1/workflows, POST /v1/bulk-operations.
#include "runtime/instance_filter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "steadfast/time_text.h"

namespace steadfast {
namespace {

using ::testing::HasSubstr;

TEST(InstanceFilterTest, ParsesEveryCriterion) {
  Result<ListFilter> f = ParseInstanceFilter({{"key.reservation_id", "R-4411"},
                                              {"key.customer_id", "guest-17"},
                                              {"workflow", "reservation_refund"},
                                              {"version", "2"},
                                              {"status", "paused,failed"},
                                              {"status", "paused"},
                                              {"step", "psp"},
                                              {"error_code", "psp_unavailable"},
                                              {"requested_by", "ops@example.com"},
                                              {"parent", "order-7"},
                                              {"created_after", "2026-12-01T00:00:00Z"},
                                              {"created_before", "2026-12-02T00:00:00Z"},
                                              {"updated_after", "2026-12-01T12:00:00Z"},
                                              {"updated_before", "2026-12-01T13:00:00+01:00"},
                                              {"cursor", "wf-9"}});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::vector<SearchKey> keys{{"reservation_id", "R-4411"}, {"customer_id", "guest-17"}};
  EXPECT_EQ(f->keys, keys);
  EXPECT_EQ(f->workflow_name, "reservation_refund");
  EXPECT_EQ(f->workflow_version, 2);
  std::vector<InstanceStatus> statuses{InstanceStatus::kPaused, InstanceStatus::kFailed};
  EXPECT_EQ(f->statuses, statuses);  // a repeated status counts once
  EXPECT_EQ(f->current_step, "psp");
  EXPECT_EQ(f->error_code, "psp_unavailable");
  EXPECT_EQ(f->requested_by, "ops@example.com");
  EXPECT_EQ(f->parent_id, "order-7");
  EXPECT_EQ(f->created_from, *ParseRfc3339("2026-12-01T00:00:00Z"));
  EXPECT_EQ(f->created_before, *ParseRfc3339("2026-12-02T00:00:00Z"));
  EXPECT_EQ(f->updated_from, *ParseRfc3339("2026-12-01T12:00:00Z"));
  EXPECT_EQ(f->updated_before, *ParseRfc3339("2026-12-01T12:00:00Z"));
  EXPECT_EQ(f->after_id, "wf-9");
  EXPECT_FALSE(MatchesEverything(*f));
}

TEST(InstanceFilterTest, NoParametersMatchEverything) {
  Result<ListFilter> f = ParseInstanceFilter({});
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(MatchesEverything(*f));
}

TEST(InstanceFilterTest, BadValuesAreRefusedNamingTheParameter) {
  struct Case {
    FilterParams params;
    std::string message;
  };
  const Case cases[] = {
      {{{"stauts", "paused"}}, "unknown filter 'stauts'"},
      {{{"status", "dozing"}}, "unknown status 'dozing'"},
      {{{"status", "paused,"}}, "unknown status ''"},
      {{{"workflow", "a"}, {"workflow", "b"}}, "workflow given twice"},
      {{{"step", ""}}, "step needs a value"},
      {{{"key.", "x"}}, "needs a key name"},
      {{{"workflow", "r"}, {"version", "two"}}, "version must be a whole number"},
      {{{"workflow", "r"}, {"version", "0"}}, "version must be a whole number"},
      {{{"version", "2"}}, "version needs workflow"},
      {{{"created_after", "yesterday"}}, "created_after must be an RFC 3339 time"},
      {{{"updated_before", "2026-13-01T00:00:00Z"}}, "updated_before must be an RFC 3339 time"},
  };
  for (const Case& c : cases) {
    Result<ListFilter> f = ParseInstanceFilter(c.params);
    ASSERT_FALSE(f.ok()) << c.message;
    EXPECT_EQ(f.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(f.status().message(), HasSubstr(c.message));
  }
}

TEST(InstanceFilterTest, ParamsRoundTripWithoutCursor) {
  Result<ListFilter> f = ParseInstanceFilter({{"key.reservation_id", "R-1"},
                                              {"status", "paused,waiting_signal"},
                                              {"workflow", "w"},
                                              {"version", "3"},
                                              {"parent", "order-7"},
                                              {"created_after", "2026-12-01T00:00:00Z"},
                                              {"cursor", "x"}});
  ASSERT_TRUE(f.ok());
  FilterParams params = InstanceFilterParams(*f);
  Result<ListFilter> again = ParseInstanceFilter(params);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->keys, f->keys);
  EXPECT_EQ(again->statuses, f->statuses);
  EXPECT_EQ(again->workflow_version, 3);
  EXPECT_EQ(again->parent_id, "order-7");  // a bulk action by parent keeps to the children
  EXPECT_EQ(again->created_from, f->created_from);
  EXPECT_EQ(again->after_id, "");
  Value view = InstanceFilterView(*f);
  EXPECT_EQ(view.Get("key").Get("reservation_id").StringOr(""), "R-1");
  EXPECT_EQ(view.Get("status").AsList().size(), 2u);
  EXPECT_EQ(view.Get("version").IntOr(0), 3);
  EXPECT_EQ(view.Get("created_after").StringOr(""), "2026-12-01T00:00:00Z");
}

}  // namespace
}  // namespace steadfast
