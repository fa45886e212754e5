// SQLSTATE -> Status mapping: no cluster needed (the cluster tests check
// that real failures carry these SQLSTATEs).
#include <gtest/gtest.h>

#include "store/postgres/pg_status.h"

namespace steadfast {
namespace {

StatusCode CodeOf(const char* sqlstate, bool bad = false) {
  return PgStatus(sqlstate, bad, "what", "detail", "postgres://u:***@h/db").code();
}

TEST(PgStatusTest, MapsEachClassToItsCode) {
  EXPECT_EQ(CodeOf("40001"), StatusCode::kBusy);
  EXPECT_EQ(CodeOf("40P01"), StatusCode::kBusy);
  EXPECT_EQ(CodeOf("08006"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("08000"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("57P01"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("57P02"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("57P03"), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("", /*bad=*/true), StatusCode::kUnavailable);
  EXPECT_EQ(CodeOf("23505"), StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeOf("57014"), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CodeOf("53100"), StatusCode::kResourceExhausted);
  EXPECT_EQ(CodeOf("23502"), StatusCode::kInternal);  // not_null_violation
  EXPECT_EQ(CodeOf("42P01"), StatusCode::kInternal);  // undefined_table
  EXPECT_EQ(CodeOf(""), StatusCode::kInternal);       // no SQLSTATE, connection fine
}

TEST(PgStatusTest, MessageCarriesWhatTheServerSaidOnOneLine) {
  Status s = PgStatus("42P01", false, "select x", "ERROR:  relation \"x\" does not exist\nLINE 1: select\n",
                      "postgres://u:***@h/db");
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("relation \"x\" does not exist"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("42P01"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("postgres://u:***@h/db"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("select x"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace steadfast
