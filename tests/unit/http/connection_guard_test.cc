// ConnectionGuard alone, on socketpairs and a hand-driven clock: the
// per-address limit, and the handshake deadline that shuts a stalled
// socket down (the peer sees EOF) while a finished handshake is left alone.
#include "http/connection_guard.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

namespace steadfast::http {
namespace {

using namespace std::chrono_literals;
using TimePoint = ConnectionGuard::TimePoint;

// A connected pair: [0] plays the server's socket, [1] the client.
struct Pair {
  Pair() { EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0); }
  ~Pair() {
    close(fd[0]);
    close(fd[1]);
  }
  int Dup() const { return fcntl(fd[0], F_DUPFD_CLOEXEC, 0); }
  // True when the client side reads EOF (without blocking).
  bool ClientSeesEof() const {
    char c;
    return recv(fd[1], &c, 1, MSG_DONTWAIT) == 0;
  }
  int fd[2] = {-1, -1};
};

TEST(ConnectionGuardTest, LimitsConnectionsPerAddressUntilOneCloses) {
  ConnectionGuard guard(ConnectionGuardOptions{2, 0});
  const TimePoint now{};
  EXPECT_TRUE(guard.Admit("10.0.0.1", "10.0.0.1:1", -1, now));
  EXPECT_TRUE(guard.Admit("10.0.0.1", "10.0.0.1:2", -1, now));
  EXPECT_FALSE(guard.Admit("10.0.0.1", "10.0.0.1:3", -1, now));
  EXPECT_TRUE(guard.Admit("10.0.0.2", "10.0.0.2:1", -1, now));  // another address is not affected
  EXPECT_EQ(guard.ConnectionsFrom("10.0.0.1"), 2);
  guard.Closed("10.0.0.1:1");
  guard.Closed("10.0.0.1:1");  // a repeated close changes nothing
  guard.Closed("10.0.0.9:9");  // nor one never admitted
  EXPECT_EQ(guard.ConnectionsFrom("10.0.0.1"), 1);
  EXPECT_TRUE(guard.Admit("10.0.0.1", "10.0.0.1:3", -1, now));
  EXPECT_FALSE(guard.Admit("10.0.0.1", "10.0.0.1:4", -1, now));
}

TEST(ConnectionGuardTest, ZeroMeansNoLimit) {
  ConnectionGuard guard(ConnectionGuardOptions{0, 0});
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(guard.Admit("a", "a:" + std::to_string(i), -1, TimePoint{}));
}

TEST(ConnectionGuardTest, StalledHandshakeIsShutDownAtItsDeadline) {
  ConnectionGuard guard(ConnectionGuardOptions{0, 1000});
  Pair stalled, done;
  const TimePoint t0{};
  ASSERT_TRUE(guard.Admit("a", "a:1", stalled.Dup(), t0));
  ASSERT_TRUE(guard.Admit("a", "a:2", done.Dup(), t0));
  guard.HandshakeDone("a:2");
  EXPECT_EQ(guard.ExpireHandshakes(t0 + 999ms), 0);
  EXPECT_FALSE(stalled.ClientSeesEof());
  EXPECT_EQ(guard.ExpireHandshakes(t0 + 1000ms), 1);
  EXPECT_TRUE(stalled.ClientSeesEof());
  EXPECT_FALSE(done.ClientSeesEof());
  EXPECT_EQ(guard.ExpireHandshakes(t0 + 5000ms), 0);  // each is cut once
  // Still counted until the server reports the close.
  EXPECT_EQ(guard.ConnectionsFrom("a"), 2);
  guard.Closed("a:1");
  EXPECT_EQ(guard.ConnectionsFrom("a"), 1);
}

TEST(ConnectionGuardTest, RefusedConnectionsDescriptorIsClosed) {
  ConnectionGuard guard(ConnectionGuardOptions{1, 1000});
  Pair first, second;
  ASSERT_TRUE(guard.Admit("a", "a:1", first.Dup(), TimePoint{}));
  const int dup = second.Dup();
  EXPECT_FALSE(guard.Admit("a", "a:2", dup, TimePoint{}));
  EXPECT_EQ(fcntl(dup, F_GETFD), -1);  // the guard closed it
}

}  // namespace
}  // namespace steadfast::http
