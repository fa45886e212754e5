// RawConnection: a plain TCP socket to a test server, for sending what no
// HTTP library would (broken syntax, lying lengths, a byte at a time, bytes
// that are not UTF-8) and reading whatever comes back. Answers are read with
// http_parser, the C parser RESTinio itself is built on, so the tests never
// parse HTTP by hand.
#ifndef STEADFAST_TESTS_INTEGRATION_HTTP_RAW_HTTP_H_
#define STEADFAST_TESTS_INTEGRATION_HTTP_RAW_HTTP_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>

#include "steadfast/value.h"

namespace steadfast::testing {

struct RawReply {
  int status = 0;                              // 0: no complete response arrived
  bool closed = false;                         // the server closed the connection (or reset it)
  bool garbled = false;                        // bytes came that are not an HTTP response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Value json;  // parsed when the body is JSON
  std::string code() const { return json.Get("error").Get("code").StringOr(""); }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; ok() is false when that failed.
  explicit RawConnection(int port);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Sends every byte; false once the server has closed or reset, or when
  // the server has not taken them within timeout (it stopped reading).
  bool Send(std::string_view bytes, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Half-closes: the server sees the end of the request stream.
  void ShutdownWrite();
  // Reads one response: until it is complete, the server closes, or timeout
  // (status 0 and closed false then). Bytes past the response are kept for
  // the next Read.
  RawReply Read(std::chrono::milliseconds timeout);
  // True when the server closes the connection within timeout (anything it
  // sends meanwhile is read and dropped).
  bool ClosedWithin(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;  // read but not yet parsed
};

// Connects, sends `bytes`, reads one reply within timeout.
RawReply Exchange(int port, std::string_view bytes, std::chrono::milliseconds timeout);

// The port of "http://127.0.0.1:1234".
int PortOf(const std::string& url);

}  // namespace steadfast::testing

#endif  // STEADFAST_TESTS_INTEGRATION_HTTP_RAW_HTTP_H_
