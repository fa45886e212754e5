// The libpq layer against a real throwaway cluster (pg_test_env.h).
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "pg_test_env.h"
#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_transaction.h"

namespace steadfast {
namespace {

using pgtest::MustConnect;
using pgtest::PgTest;

// A loopback port nothing listens on (bound, then released).
int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string Show(PgConnection& conn, const std::string& setting) {
  auto res = conn.Exec("SHOW " + setting);
  if (!res.ok()) return "error: " + res.status().message();
  auto v = res->Text(0, 0);
  return v.ok() ? *v : "error: " + v.status().message();
}

class PgConnectionTest : public PgTest {};

TEST_F(PgConnectionTest, ConnectsAndRunsAQuery) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  EXPECT_TRUE(conn->healthy());
  EXPECT_GT(conn->backend_pid(), 0);
  auto res = conn->Exec("SELECT current_schema(), 6 * 7");
  ASSERT_TRUE(res.ok()) << res.status().message();
  ASSERT_EQ(res->rows(), 1);
  EXPECT_EQ(*res->Text(0, 0), schema());  // the URL's options reached the server
  EXPECT_EQ(*res->Int64(0, 1), 42);
  // The session the readers rely on, and the default application name.
  EXPECT_EQ(Show(*conn, "bytea_output"), "hex");
  EXPECT_EQ(Show(*conn, "client_encoding"), "UTF8");
  EXPECT_EQ(Show(*conn, "application_name"), "steadfast");
}

TEST_F(PgConnectionTest, ConninfoKeywordsPassThrough) {
  std::string with = pgtest::WithParam(url(), "application_name=sf_probe&connect_timeout=7&sslmode=disable"
                                             "&target_session_attrs=read-write");
  auto conn = MustConnect(with);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(Show(*conn, "application_name"), "sf_probe");
  std::string timeout;
  PQconninfoOption* used = PQconninfo(conn->raw());
  for (PQconninfoOption* o = used; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) == "connect_timeout" && o->val != nullptr) timeout = o->val;
  }
  PQconninfoFree(used);
  EXPECT_EQ(timeout, "7");
  // sslmode really reaches libpq: the throwaway cluster has no TLS.
  PgConnectionOptions options;
  options.url = pgtest::WithParam(url(), "sslmode=require");
  auto refused = PgConnection::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("SSL"), std::string::npos) << refused.status().message();
}

// A vanished peer is noticed in seconds, from both ends (pg_connection.cc),
// unless the connection string chose otherwise.
TEST_F(PgConnectionTest, KeepalivesAreSetOnBothEndsUnlessTheStringSaysOtherwise) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto client = [](PgConnection& c, std::string_view key) {
    std::string value;
    PQconninfoOption* used = PQconninfo(c.raw());
    for (PQconninfoOption* o = used; o->keyword != nullptr; ++o) {
      if (key == o->keyword && o->val != nullptr) value = o->val;
    }
    PQconninfoFree(used);
    return value;
  };
  EXPECT_EQ(client(*conn, "keepalives_idle"), "5");
  EXPECT_EQ(client(*conn, "keepalives_count"), "3");
  EXPECT_EQ(client(*conn, "tcp_user_timeout"), "15000");
  EXPECT_EQ(Show(*conn, "tcp_keepalives_idle"), "5");
  EXPECT_EQ(Show(*conn, "tcp_keepalives_interval"), "2");
  EXPECT_EQ(Show(*conn, "tcp_user_timeout"), "15000");
  auto chosen = MustConnect(pgtest::WithParam(url(), "keepalives_idle=30"));
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(client(*chosen, "keepalives_idle"), "30");
  EXPECT_EQ(client(*chosen, "keepalives_interval"), "2");
}

// Query() prepares each statement once per connection; the server's
// errors come through unchanged, and past the bound statements run
// unprepared.
TEST_F(PgConnectionTest, StatementsArePreparedOnceAndErrorsStayTheServers) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  auto prepared = [&] {
    auto r = conn->Exec("SELECT count(*) FROM pg_prepared_statements");
    return r.ok() ? *r->Int64(0, 0) : -1;
  };
  for (int i = 0; i < 3; ++i) {
    auto r = conn->Query("SELECT $1::bigint + 1", {PgParam::Int64(i)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r->Int64(0, 0), i + 1);
  }
  EXPECT_EQ(prepared(), 1) << "one statement, prepared once";
  // The same text with other parameter types is another statement.
  ASSERT_TRUE(conn->Query("SELECT $1::bigint + 1", {PgParam::Text("41")}).ok());
  EXPECT_EQ(prepared(), 2);

  auto bad = conn->Query("SELECT no_such_column FROM pg_class WHERE oid = $1", {PgParam::Int64(1)});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no_such_column"), std::string::npos) << bad.status().message();
  EXPECT_EQ(conn->last_sqlstate(), "42703");

  // In a transaction: a refused statement aborts it as it always did.
  auto tx = PgTransaction::Begin(*conn);
  ASSERT_TRUE(tx.ok());
  EXPECT_FALSE(conn->Query("SELECT 1 FROM no_such_table WHERE $1", {PgParam::Text("t")}).ok());
  auto after = conn->Query("SELECT $1::bigint + 1", {PgParam::Int64(1)});
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(conn->last_sqlstate(), "25P02");  // in_failed_sql_transaction
  tx->Rollback();

  PgConnectionOptions bounded;
  bounded.url = url();
  bounded.max_prepared_statements = 1;
  auto small = PgConnection::Open(bounded);
  ASSERT_TRUE(small.ok()) << small.status().ToString();
  for (int i = 0; i < 5; ++i) {
    auto r = (*small)->Query(fmt::format("SELECT $1::bigint + {}", i), {PgParam::Int64(1)});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r->Int64(0, 0), 1 + i);
  }
  auto count = (*small)->Exec("SELECT count(*) FROM pg_prepared_statements");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count->Int64(0, 0), 1) << "the bound holds; the rest ran unprepared";
}

TEST_F(PgConnectionTest, StatementTimeoutIsSetAndMapsToDeadlineExceeded) {
  PgConnectionOptions options;
  options.url = url();
  options.statement_timeout_ms = 200;
  auto conn = PgConnection::Open(options);
  ASSERT_TRUE(conn.ok()) << conn.status().message();
  EXPECT_EQ(Show(**conn, "statement_timeout"), "200ms");
  auto slow = (*conn)->Exec("SELECT pg_sleep(10)");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kDeadlineExceeded) << slow.status().message();
  EXPECT_NE(slow.status().message().find("57014"), std::string::npos) << slow.status().message();
  EXPECT_TRUE((*conn)->healthy());
}

TEST_F(PgConnectionTest, BadConnectionStringIsInvalidArgumentWithThePasswordRedacted) {
  PgConnectionOptions options;
  options.url = "postgres://alice:hunter2hunter2@127.0.0.1:5432/db?no_such_option=1";
  auto conn = PgConnection::Open(options);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(conn.status().message().find("no_such_option"), std::string::npos) << conn.status().message();
  EXPECT_NE(conn.status().message().find("alice:***@127.0.0.1"), std::string::npos) << conn.status().message();
  EXPECT_EQ(conn.status().message().find("hunter2"), std::string::npos) << conn.status().message();

  // libpq's own message quotes the password, or the whole string, for these.
  for (const char* url : {"host=127.0.0.1 password=hunter2hunter2 port='unterminated",
                          "host=127.0.0.1 password='hunter2hunter2", "postgres://alice:pa%zzhunter2@127.0.0.1/db",
                          "postgres://alice:hun%00ter2@127.0.0.1/db", "postgres://alice:hunter2hunter2@[::1/db"}) {
    options.url = url;
    conn = PgConnection::Open(options);
    ASSERT_FALSE(conn.ok()) << url;
    EXPECT_EQ(conn.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_EQ(conn.status().message().find("hunter2"), std::string::npos) << conn.status().message();
    EXPECT_EQ(conn.status().message().find("hun%00ter2"), std::string::npos) << conn.status().message();
    EXPECT_NE(conn.status().message().find("***"), std::string::npos) << conn.status().message();
  }
}

TEST_F(PgConnectionTest, NoServerIsUnavailable) {
  PgConnectionOptions options;
  options.url = fmt::format("postgres://alice:hunter2hunter2@127.0.0.1:{}/db?connect_timeout=3", ClosedPort());
  auto conn = PgConnection::Open(options);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find("Connection refused"), std::string::npos) << conn.status().message();
  EXPECT_EQ(conn.status().message().find("hunter2"), std::string::npos) << conn.status().message();
}

TEST_F(PgConnectionTest, WrongPasswordIsRefusedAndNeverQuoted) {
  auto has_group = admin().Exec("SELECT 1 FROM pg_roles WHERE rolname = 'steadfast_password_login'");
  ASSERT_TRUE(has_group.ok()) << has_group.status().message();
  if (has_group->rows() == 0) GTEST_SKIP() << "the cluster has no steadfast_password_login role (tools/pg_cluster.sh)";
  std::string role = fmt::format("sf_pw_{}", getpid());
  const std::string right = "Right-Horse-Battery-Staple";
  const std::string wrong = "Wrong-Secret-9f8e7d";
  ASSERT_TRUE(admin().Exec(fmt::format("DROP ROLE IF EXISTS {}", role)).ok());
  auto made = admin().Exec(fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}' IN ROLE steadfast_password_login", role,
                                       right));
  ASSERT_TRUE(made.ok()) << made.status().message();

  // The right password gets in: the refusal below is the password's doing.
  auto ok = MustConnect(pgtest::WithUser(url(), role, right));
  EXPECT_NE(ok, nullptr);
  ok.reset();

  PgConnectionOptions options;
  options.url = pgtest::WithUser(url(), role, wrong);
  auto refused = PgConnection::Open(options);
  ASSERT_FALSE(refused.ok());
  const std::string& message = refused.status().message();
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_NE(message.find(role + ":***@127.0.0.1"), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_EQ(message.find("Wrong-Secret"), std::string::npos) << message;

  // The password given as a query parameter instead: masked there too.
  options.url = pgtest::WithParam(pgtest::WithUser(url(), role, ""), "password=" + wrong);
  refused = PgConnection::Open(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message().find(wrong), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("password=***"), std::string::npos) << refused.status().message();
  ASSERT_TRUE(admin().Exec(fmt::format("DROP ROLE {}", role)).ok());
}

TEST_F(PgConnectionTest, ParametersRoundTripTypedAndUnspliced) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes += static_cast<char>(b);
  const std::string text = "it's \"quoted\"; DROP TABLE x; -- \xC3\xA9t\xC3\xA9 \xE2\x82\xAC";
  ASSERT_TRUE(conn->Exec("CREATE TABLE t (i bigint, s text, b bytea, n text)").ok());
  for (int64_t v : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, std::numeric_limits<int64_t>::max()}) {
    auto ins = conn->Query("INSERT INTO t(i, s, b, n) VALUES ($1, $2, $3, $4)",
                           {PgParam::Int64(v), PgParam::Text(text), PgParam::Bytea(all_bytes), PgParam::Null()});
    ASSERT_TRUE(ins.ok()) << ins.status().message();
    EXPECT_EQ(ins->affected(), 1);
  }
  auto empty = conn->Query("INSERT INTO t(i, s, b, n) VALUES ($1, $2, $3, $4)",
                           {PgParam::Int64(7), PgParam::Text(""), PgParam::Bytea(""), PgParam::Text("")});
  ASSERT_TRUE(empty.ok()) << empty.status().message();

  auto rows = conn->Query("SELECT i, s, b, n, length(b) FROM t WHERE s = $1 ORDER BY i", {PgParam::Text(text)});
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->rows(), 4);
  EXPECT_EQ(*rows->Int64(0, 0), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(*rows->Int64(3, 0), std::numeric_limits<int64_t>::max());
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(*rows->Text(r, 1), text);
    EXPECT_EQ(*rows->Bytea(r, 2), all_bytes);
    EXPECT_TRUE(rows->IsNull(r, 3));
    EXPECT_EQ(*rows->Int64(r, 4), 256);  // the server stored 256 bytes: binary, not escaped text
  }
  EXPECT_EQ(*rows->Column("b"), 2);
  EXPECT_FALSE(rows->Column("nope").ok());

  // Empty is not NULL, on either side.
  auto e = conn->Query("SELECT s, b, n FROM t WHERE i = $1", {PgParam::Int64(7)});
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_FALSE(e->IsNull(0, 0));
  EXPECT_EQ(*e->Text(0, 0), "");
  EXPECT_EQ(*e->Bytea(0, 1), "");
  EXPECT_EQ(*e->Text(0, 2), "");

  // The getters refuse what is not there or not their type.
  EXPECT_EQ(rows->Int64(0, 3).status().code(), StatusCode::kInternal);  // NULL
  EXPECT_NE(rows->Text(0, 3).status().message().find("NULL"), std::string::npos);
  EXPECT_EQ(rows->Int64(0, 1).status().code(), StatusCode::kInternal);  // text, not a number
  EXPECT_EQ(rows->Bytea(0, 1).status().code(), StatusCode::kInternal);  // text, not bytea
  EXPECT_EQ(rows->Int64(9, 0).status().code(), StatusCode::kInternal);  // no such row

  // A text parameter with a NUL cannot reach PostgreSQL text intact: refused.
  auto nul = conn->Query("SELECT $1", {PgParam::Text(std::string("a\0b", 3))});
  EXPECT_EQ(nul.status().code(), StatusCode::kInvalidArgument);
  // Typed parameters: a text value where a bigint is compared is an error, not a guess.
  auto typed = conn->Query("SELECT count(*) FROM t WHERE i = $1", {PgParam::Text("7")});
  EXPECT_FALSE(typed.ok());
}

TEST_F(PgConnectionTest, UniqueViolationIsAlreadyExists) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("CREATE TABLE k (id text PRIMARY KEY)").ok());
  ASSERT_TRUE(conn->Query("INSERT INTO k VALUES ($1)", {PgParam::Text("a")}).ok());
  auto again = conn->Query("INSERT INTO k VALUES ($1)", {PgParam::Text("a")});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists) << again.status().message();
  EXPECT_NE(again.status().message().find("k_pkey"), std::string::npos) << again.status().message();
  EXPECT_NE(again.status().message().find("23505"), std::string::npos) << again.status().message();
  // Other constraint failures are not AlreadyExists.
  auto null = conn->Query("INSERT INTO k VALUES ($1)", {PgParam::Null()});
  EXPECT_EQ(null.status().code(), StatusCode::kInternal) << null.status().message();
}

TEST_F(PgConnectionTest, ConcurrentUpdateUnderRepeatableReadIsBusyAndTheCommitSaysAborted) {
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Exec("CREATE TABLE c (id int PRIMARY KEY, v bigint); INSERT INTO c VALUES (1, 0)").ok());
  auto txn = PgTransaction::Begin(*a, PgIsolation::kRepeatableRead);
  ASSERT_TRUE(txn.ok()) << txn.status().message();
  ASSERT_TRUE(a->Exec("SELECT v FROM c WHERE id = 1").ok());  // the snapshot is taken here
  ASSERT_TRUE(b->Exec("UPDATE c SET v = v + 1 WHERE id = 1").ok());
  auto conflict = a->Exec("UPDATE c SET v = v + 10 WHERE id = 1");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.status().code(), StatusCode::kBusy) << conflict.status().message();
  EXPECT_NE(conflict.status().message().find("40001"), std::string::npos) << conflict.status().message();
  EXPECT_TRUE(a->InTransaction());
  Status commit = txn->Commit();
  EXPECT_EQ(commit.code(), StatusCode::kAborted) << commit.ToString();
  EXPECT_FALSE(a->InTransaction());
  auto v = a->Exec("SELECT v FROM c WHERE id = 1");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v->Int64(0, 0), 1);  // b's update only
}

TEST_F(PgConnectionTest, SerializableWriteSkewIsBusy) {
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Exec("CREATE TABLE oncall (doctor text PRIMARY KEY, on_call bool);"
                      "INSERT INTO oncall VALUES ('x', true), ('y', true)")
                  .ok());
  // Each takes one doctor off call after checking the other is on: together
  // they leave nobody, which SERIALIZABLE must refuse one of.
  auto ta = PgTransaction::Begin(*a, PgIsolation::kSerializable);
  auto tb = PgTransaction::Begin(*b, PgIsolation::kSerializable);
  ASSERT_TRUE(ta.ok() && tb.ok());
  ASSERT_TRUE(a->Exec("SELECT count(*) FROM oncall WHERE on_call").ok());
  ASSERT_TRUE(b->Exec("SELECT count(*) FROM oncall WHERE on_call").ok());
  ASSERT_TRUE(a->Exec("UPDATE oncall SET on_call = false WHERE doctor = 'x'").ok());
  Status b_status = b->Exec("UPDATE oncall SET on_call = false WHERE doctor = 'y'").status();
  Status a_commit = ta->Commit();
  Status b_commit = b_status.ok() ? tb->Commit() : b_status;
  EXPECT_TRUE(a_commit.ok()) << a_commit.ToString();
  ASSERT_FALSE(b_commit.ok());
  EXPECT_EQ(b_commit.code(), StatusCode::kBusy) << b_commit.ToString();
  EXPECT_NE(b_commit.message().find("40001"), std::string::npos) << b_commit.ToString();
}

TEST_F(PgConnectionTest, DeadlockIsBusy) {
  auto a = Connect();
  auto b = Connect();
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->Exec("CREATE TABLE d (id int PRIMARY KEY, v int); INSERT INTO d VALUES (1, 0), (2, 0)").ok());
  // b checks for a deadlock long before a does, so b is the victim; should
  // a be chosen anyway, its thread rolls back and b goes on.
  ASSERT_TRUE(a->Exec("SET deadlock_timeout = '10s'").ok());
  ASSERT_TRUE(b->Exec("SET deadlock_timeout = '50ms'").ok());
  auto ta = PgTransaction::Begin(*a);
  auto tb = PgTransaction::Begin(*b);
  ASSERT_TRUE(ta.ok() && tb.ok());
  ASSERT_TRUE(a->Exec("UPDATE d SET v = 1 WHERE id = 1").ok());
  ASSERT_TRUE(b->Exec("UPDATE d SET v = 1 WHERE id = 2").ok());
  Status a_second;
  std::thread waiter([&] {
    a_second = a->Exec("UPDATE d SET v = 2 WHERE id = 2").status();
    if (!a_second.ok()) ta->Rollback();
  });
  // Let a block on b's row lock before b closes the cycle.
  for (int i = 0; i < 200; ++i) {
    auto waiting = admin().Query("SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'",
                                 {PgParam::Int64(a->backend_pid())});
    if (waiting.ok() && *waiting->Int64(0, 0) == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  Status b_second = b->Exec("UPDATE d SET v = 2 WHERE id = 1").status();
  if (!b_second.ok()) tb->Rollback();  // frees a
  waiter.join();
  // Exactly one of the two is chosen as the victim.
  ASSERT_NE(a_second.ok(), b_second.ok()) << a_second.ToString() << " / " << b_second.ToString();
  const Status& victim = a_second.ok() ? b_second : a_second;
  EXPECT_EQ(victim.code(), StatusCode::kBusy) << victim.ToString();
  EXPECT_NE(victim.message().find("40P01"), std::string::npos) << victim.ToString();
}

TEST_F(PgConnectionTest, TerminatedBackendIsUnavailable) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("SELECT 1").ok());
  // The two-argument form waits until the backend has exited.
  auto killed = admin().Query("SELECT pg_terminate_backend($1::int, 5000)", {PgParam::Int64(conn->backend_pid())});
  ASSERT_TRUE(killed.ok()) << killed.status().message();
  ASSERT_EQ(*killed->Text(0, 0), "t");
  auto after = conn->Exec("SELECT 1");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), StatusCode::kUnavailable) << after.status().message();
  EXPECT_FALSE(conn->healthy());
  // And stays so: no silent reconnect at this layer.
  EXPECT_EQ(conn->Query("SELECT $1", {PgParam::Int64(1)}).status().code(), StatusCode::kUnavailable);
}

TEST_F(PgConnectionTest, TerminatedInsideATransactionIsUnavailableAtCommit) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("CREATE TABLE w (v int)").ok());
  auto txn = PgTransaction::Begin(*conn);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(conn->Exec("INSERT INTO w VALUES (1)").ok());
  ASSERT_TRUE(admin().Query("SELECT pg_terminate_backend($1::int, 5000)", {PgParam::Int64(conn->backend_pid())}).ok());
  Status commit = txn->Commit();
  EXPECT_EQ(commit.code(), StatusCode::kUnavailable) << commit.ToString();
  auto other = Connect();
  ASSERT_NE(other, nullptr);
  auto rows = other->Exec("SELECT count(*) FROM w");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows->Int64(0, 0), 0);
}

TEST_F(PgConnectionTest, TransactionGuardRollsBackUnlessCommitted) {
  auto conn = Connect();
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->Exec("CREATE TABLE g (v int)").ok());
  {
    auto txn = PgTransaction::Begin(*conn);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn->Exec("INSERT INTO g VALUES (1)").ok());
    EXPECT_TRUE(conn->InTransaction());
    // A second BEGIN on the same connection is a bug, said so.
    EXPECT_EQ(PgTransaction::Begin(*conn).status().code(), StatusCode::kInternal);
  }
  EXPECT_FALSE(conn->InTransaction());
  {
    auto txn = PgTransaction::Begin(*conn, PgIsolation::kSerializable);
    ASSERT_TRUE(txn.ok());
    EXPECT_EQ(Show(*conn, "transaction_isolation"), "serializable");
    ASSERT_TRUE(conn->Exec("INSERT INTO g VALUES (2)").ok());
    ASSERT_TRUE(txn->Commit().ok());
    EXPECT_FALSE(txn->Commit().ok());  // once only
  }
  auto rows = conn->Exec("SELECT v FROM g");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->rows(), 1);
  EXPECT_EQ(*rows->Int64(0, 0), 2);
}

}  // namespace
}  // namespace steadfast
