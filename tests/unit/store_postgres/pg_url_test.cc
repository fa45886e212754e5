// Password redaction of connection strings: no cluster needed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/postgres/pg_url.h"

namespace steadfast {
namespace {

TEST(PgUrlTest, UriPasswordIsMaskedAndTheRestKept) {
  EXPECT_EQ(RedactConnectionString("postgres://alice:s3cret@db.example:5432/steadfast?sslmode=require"),
            "postgres://alice:***@db.example:5432/steadfast?sslmode=require");
  EXPECT_EQ(RedactConnectionString("postgresql://alice:s3cret@h1:5432,h2:5433/db?target_session_attrs=read-write"),
            "postgresql://alice:***@h1:5432,h2:5433/db?target_session_attrs=read-write");
}

TEST(PgUrlTest, UriWithoutPasswordIsUnchanged) {
  for (const char* url : {"postgres://steadfast@127.0.0.1:5432/steadfast_test", "postgres://localhost/db",
                          "postgresql:///db?host=/tmp", "postgres://"}) {
    EXPECT_EQ(RedactConnectionString(url), url);
  }
}

TEST(PgUrlTest, PasswordQueryParameterIsMasked) {
  EXPECT_EQ(RedactConnectionString("postgres://alice@h/db?sslmode=disable&password=s3cret&connect_timeout=3"),
            "postgres://alice@h/db?sslmode=disable&password=***&connect_timeout=3");
  EXPECT_EQ(RedactConnectionString("POSTGRES://alice@h/db?PASSWORD=s3cret"), "POSTGRES://alice@h/db?PASSWORD=***");
}

TEST(PgUrlTest, UnencodedSpecialCharactersInThePasswordNeverLeak) {
  for (const char* url : {"postgres://alice:p@ss@h/db", "postgres://alice:pa/ss@h/db", "postgres://alice:p:a:ss@h/db"}) {
    std::string redacted = RedactConnectionString(url);
    EXPECT_EQ(redacted.find("ss@"), std::string::npos) << redacted;
    EXPECT_NE(redacted.find("alice:***@"), std::string::npos) << redacted;
  }
}

TEST(PgUrlTest, KeyValuePasswordIsMaskedQuotedOrNot) {
  EXPECT_EQ(RedactConnectionString("host=h user=alice password=s3cret dbname=db"),
            "host=h user=alice password=*** dbname=db");
  EXPECT_EQ(RedactConnectionString("host=h password = 'it\\'s secret' dbname=db"),
            "host=h password = *** dbname=db");
  EXPECT_EQ(RedactConnectionString("password=s3cret"), "password=***");
  EXPECT_EQ(RedactConnectionString("host=h passfile=/x"), "host=h passfile=/x");
}

TEST(PgUrlTest, SecretsAreWhatRedactionMasks) {
  using Secrets = std::vector<std::string>;
  EXPECT_EQ(ConnectionStringSecrets("postgres://u:pa%zzSECRET@h/db?password=other"),
            (Secrets{"pa%zzSECRET", "other"}));
  EXPECT_EQ(ConnectionStringSecrets("host=h password='se cret' user=u"), (Secrets{"'se cret'", "se cret"}));
  EXPECT_EQ(ConnectionStringSecrets("host=h password='unterminated"), (Secrets{"'unterminated", "unterminated"}));
  EXPECT_TRUE(ConnectionStringSecrets("postgres://u@h/db").empty());
  EXPECT_TRUE(ConnectionStringSecrets("postgres://u:@h/db").empty());
}

TEST(PgUrlTest, ScrubMasksSecretsQuotedInAMessage) {
  // What libpq 15 really answers for these strings (PQconninfoParse).
  EXPECT_EQ(ScrubConnectionSecrets("invalid percent-encoded token: \"pa%zzSECRET\"", "postgres://u:pa%zzSECRET@h/db"),
            "invalid percent-encoded token: \"***\"");
  EXPECT_EQ(ScrubConnectionSecrets(
                "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
                "\"postgres://u:SECRET@[::1/db\"",
                "postgres://u:SECRET@[::1/db"),
            "end of string reached when looking for matching \"]\" in IPv6 host address in URI: "
            "\"postgres://u:***@[::1/db\"");
  EXPECT_EQ(ScrubConnectionSecrets("nothing secret here", "postgres://u@h/db"), "nothing secret here");
}

TEST(PgUrlTest, RecognisesBothUriSchemes) {
  EXPECT_TRUE(IsConnectionUri("postgres://h/db"));
  EXPECT_TRUE(IsConnectionUri("postgresql://h/db"));
  EXPECT_FALSE(IsConnectionUri("host=h dbname=db"));
}

}  // namespace
}  // namespace steadfast
