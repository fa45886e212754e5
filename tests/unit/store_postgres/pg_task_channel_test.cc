// The notification channel of a store: one per schema, within PostgreSQL's
// 63-byte names, the same on every host.
#include <gtest/gtest.h>

#include <string>

#include "store/postgres/pg_task_listener.h"

namespace steadfast {
namespace {

TEST(PgTaskChannelTest, OnePerSchemaWithinPostgresNames) {
  EXPECT_EQ(PgTaskChannel("public"), "steadfast_tasks:public");
  EXPECT_NE(PgTaskChannel("shop_a"), PgTaskChannel("shop_b"));
  const std::string long_a(60, 'a');
  const std::string long_b = std::string(59, 'a') + "b";
  EXPECT_LE(PgTaskChannel(long_a).size(), 63u);
  EXPECT_EQ(PgTaskChannel(long_a).rfind("steadfast_tasks:#", 0), 0u);
  EXPECT_NE(PgTaskChannel(long_a), PgTaskChannel(long_b));
  EXPECT_EQ(PgTaskChannel(long_a), PgTaskChannel(std::string(60, 'a')));  // stable: every process agrees
}

}  // namespace
}  // namespace steadfast
