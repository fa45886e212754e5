// serve --dev's pieces (tools/steadfast/dev_server.h): loopback only, a
// token per role for its own principal, a throwaway directory that goes.
#include "dev_server.h"

#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "http/token_store.h"

namespace steadfast::cli {
namespace {

using ::testing::HasSubstr;

TEST(DevServerTest, OnlyLoopbackAddressesAreLoopback) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"}) EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"0.0.0.0", "10.0.0.1", "128.0.0.1", "::", "[::]", "example.com", "", "localhost.evil"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

TEST(DevServerTest, ListensOnLoopbackOnlyAndNeverTakesAPublicConfigAddress) {
  EXPECT_EQ(*DevListenAddress("", ""), kDevListen);
  EXPECT_EQ(*DevListenAddress("127.0.0.1:0", "0.0.0.0:80"), "127.0.0.1:0");
  EXPECT_EQ(*DevListenAddress("", "127.0.0.1:9090"), "127.0.0.1:9090");
  EXPECT_EQ(*DevListenAddress("", "0.0.0.0:9090"), kDevListen);  // the config's public address is not used
  Result<std::string> refused = DevListenAddress("0.0.0.0:8080", "");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("'0.0.0.0:8080' is not loopback"));
  EXPECT_FALSE(DevListenAddress("localhost", "").ok());  // no port
}

TEST(DevServerTest, OneTokenPerRoleEachItsOwnPrincipalKeptAsAHash) {
  int made = 0;
  auto fixed = [&made](const std::string& prefix) -> Result<std::string> { return prefix + std::to_string(++made); };
  Result<std::vector<DevToken>> tokens = MakeDevTokens(fixed);
  ASSERT_TRUE(tokens.ok());
  ASSERT_EQ(tokens->size(), 3u);
  EXPECT_EQ((*tokens)[0].role, "operator");
  EXPECT_EQ((*tokens)[0].principal, "dev-operator");
  EXPECT_EQ((*tokens)[0].token, "sfdev_o_1");
  EXPECT_EQ((*tokens)[1].principal, "dev-reviewer");
  EXPECT_EQ((*tokens)[2].token, "sfdev_a_3");
  std::vector<HttpTokenConfig> configs = DevTokenConfigs(*tokens);
  ASSERT_EQ(configs.size(), 3u);
  EXPECT_EQ(configs[1].name, "dev-reviewer");
  EXPECT_EQ(configs[1].sha256, http::Sha256Hex("sfdev_r_2"));
  EXPECT_EQ(configs[1].roles, std::vector<std::string>{"reviewer"});
  Result<http::TokenStore> store = http::TokenStore::Create(configs);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->Authenticate("sfdev_a_3")->name, "dev-admin");

  std::string banner = DevBanner("http://127.0.0.1:8080", "/tmp/d/steadfast.db", true, *tokens, {"held@v1"});
  EXPECT_THAT(banner, HasSubstr("Console:   http://127.0.0.1:8080/ui/"));
  EXPECT_THAT(banner, HasSubstr("deleted on exit"));
  EXPECT_THAT(banner, HasSubstr("export STEADFAST_TOKEN=sfdev_o_1\n"));
  EXPECT_THAT(banner, HasSubstr("Workflows: held@v1\n"));
}

TEST(DevServerTest, RealTokensAreLongAndDifferent) {
  Result<std::string> a = NewApiToken("sfdev_o_");
  Result<std::string> b = NewApiToken("sfdev_o_");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 8u + 64u);
  EXPECT_NE(*a, *b);
}

TEST(DevServerTest, TheThrowawayDirectoryGoesWithEverythingInIt) {
  std::string path;
  {
    Result<ThrowawayDirectory> dir = ThrowawayDirectory::Create();
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    path = dir->path();
    EXPECT_THAT(path, HasSubstr("steadfast-dev-"));
    std::filesystem::create_directories(path + "/sub");
    ThrowawayDirectory moved = std::move(dir).value();
    EXPECT_TRUE(std::filesystem::is_directory(path));
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace steadfast::cli
