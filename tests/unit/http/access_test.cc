// Token store (hashing, constant-time lookup, config checks) and the role
// table.
#include <gtest/gtest.h>

#include "http/roles.h"
#include "http/token_store.h"

namespace steadfast::http {
namespace {

HttpTokenConfig Token(std::string name, const std::string& token, std::vector<std::string> roles) {
  return HttpTokenConfig{std::move(name), Sha256Hex(token), std::move(roles)};
}

TEST(Sha256HexTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenStoreTest, AuthenticatesByHashAndReturnsPrincipalAndRoles) {
  auto store =
      TokenStore::Create({Token("alice", "tok-alice", {"reviewer"}), Token("ops", "tok-ops", {"operator", "reviewer"}),
                          Token("root", "tok-root", {"admin"})});
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto alice = store->Authenticate("tok-alice");
  ASSERT_TRUE(alice);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_TRUE(alice->roles.Has(Role::kReviewer));
  EXPECT_FALSE(alice->roles.Has(Role::kOperator));
  auto ops = store->Authenticate("tok-ops");
  ASSERT_TRUE(ops);
  EXPECT_EQ(ops->roles.ToString(), "operator,reviewer");
  EXPECT_EQ(store->Authenticate("tok-root")->name, "root");
}

TEST(TokenStoreTest, RejectsUnknownEmptyAndNearMissTokens) {
  auto store = TokenStore::Create({Token("alice", "tok-alice", {"reviewer"})});
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE(store->Authenticate(""));
  EXPECT_FALSE(store->Authenticate("tok-alic"));
  EXPECT_FALSE(store->Authenticate("tok-alice "));
  EXPECT_FALSE(store->Authenticate("TOK-ALICE"));
  // The configured hash itself is not a token.
  EXPECT_FALSE(store->Authenticate(Sha256Hex("tok-alice")));
}

TEST(TokenStoreTest, AcceptsUppercaseHex) {
  HttpTokenConfig t = Token("bob", "tok-bob", {"operator"});
  for (char& c : t.sha256) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto store = TokenStore::Create({t});
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE(store->Authenticate("tok-bob"));
}

TEST(TokenStoreTest, ConfigErrorsNameThePrincipalNotTheHash) {
  HttpTokenConfig bad_hash{"carol", "abc123", {"reviewer"}};
  auto r = TokenStore::Create({bad_hash});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("carol"), std::string::npos);
  EXPECT_EQ(r.status().message().find("abc123"), std::string::npos);

  EXPECT_FALSE(TokenStore::Create({Token("dave", "t", {"superuser"})}).ok());
  EXPECT_FALSE(TokenStore::Create({Token("dave", "t", {})}).ok());
  EXPECT_FALSE(TokenStore::Create({Token("", "t", {"admin"})}).ok());
  auto dup = TokenStore::Create({Token("a", "same", {"admin"}), Token("b", "same", {"operator"})});
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("same hash"), std::string::npos);
}

TEST(TokenStoreTest, TwoTokensMayNameOnePrincipal) {
  auto store = TokenStore::Create({Token("ci", "old", {"operator"}), Token("ci", "new", {"operator"})});
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(store->Authenticate("old")->name, "ci");
  EXPECT_EQ(store->Authenticate("new")->name, "ci");
}

RoleSet Roles(std::initializer_list<Role> roles) {
  RoleSet s;
  for (Role r : roles) s.Add(r);
  return s;
}

TEST(RolesTest, OperatorStartsInspectsCancelsSignalsPausesResumesRetriesButDoesNotDecide) {
  RoleSet op = Roles({Role::kOperator});
  for (Action a : {Action::kStart, Action::kInspect, Action::kCancel, Action::kSignal, Action::kPause, Action::kResume,
                   Action::kRetry, Action::kOperateSchedules, Action::kBulk, Action::kHoldActivities, Action::kDeploy}) {
    EXPECT_TRUE(Allows(op, a)) << ActionName(a);
  }
  EXPECT_FALSE(Allows(op, Action::kDecide));
  EXPECT_FALSE(Allows(op, Action::kStartOnBehalf));
  EXPECT_FALSE(Allows(op, Action::kPluginAdmin));
}

TEST(RolesTest, ReviewerInspectsAndDecidesOnly) {
  RoleSet rv = Roles({Role::kReviewer});
  EXPECT_TRUE(Allows(rv, Action::kInspect));
  EXPECT_TRUE(Allows(rv, Action::kDecide));
  for (Action a : {Action::kStart, Action::kCancel, Action::kSignal, Action::kPause, Action::kResume, Action::kRetry,
                   Action::kStartOnBehalf, Action::kOperateSchedules, Action::kBulk, Action::kHoldActivities, Action::kDeploy,
                   Action::kPluginAdmin}) {
    EXPECT_FALSE(Allows(rv, a)) << ActionName(a);
  }
}

TEST(RolesTest, AdminDoesEverythingAndNoRolesNothing) {
  for (int a = 0; a <= static_cast<int>(Action::kPluginAdmin); ++a) {
    EXPECT_TRUE(Allows(Roles({Role::kAdmin}), static_cast<Action>(a)));
    EXPECT_FALSE(Allows(RoleSet(), static_cast<Action>(a)));
  }
}

TEST(RolesTest, RolesCombine) {
  RoleSet both = Roles({Role::kOperator, Role::kReviewer});
  EXPECT_TRUE(Allows(both, Action::kStart));
  EXPECT_TRUE(Allows(both, Action::kDecide));
  EXPECT_FALSE(Allows(both, Action::kStartOnBehalf));
}

TEST(RolesTest, ParseAndNameRoundTrip) {
  for (Role r : {Role::kOperator, Role::kReviewer, Role::kAdmin}) EXPECT_EQ(ParseRole(RoleName(r)), r);
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_FALSE(ParseRole(""));
}

}  // namespace
}  // namespace steadfast::http
