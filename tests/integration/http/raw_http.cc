// Raw sockets for the abuse tests; responses parsed by http_parser.
#include "raw_http.h"

#include <arpa/inet.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace steadfast::testing {
namespace {

// What the parser callbacks fill in.
struct ParseState {
  RawReply* reply = nullptr;
  std::string field;       // the header name being read
  bool in_value = false;   // the last callback was a value
  bool complete = false;
};

ParseState& StateOf(http_parser* p) { return *static_cast<ParseState*>(p->data); }

int OnHeaderField(http_parser* p, const char* at, size_t n) {
  ParseState& s = StateOf(p);
  if (s.in_value) s.field.clear();
  s.in_value = false;
  s.field.append(at, n);
  return 0;
}

int OnHeaderValue(http_parser* p, const char* at, size_t n) {
  ParseState& s = StateOf(p);
  s.in_value = true;
  std::string name;
  for (char c : s.field) name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  s.reply->headers[name].append(at, n);
  return 0;
}

int OnBody(http_parser* p, const char* at, size_t n) {
  StateOf(p).reply->body.append(at, n);
  return 0;
}

int OnMessageComplete(http_parser* p) {
  StateOf(p).complete = true;
  http_parser_pause(p, 1);  // leave what follows for the next Read
  return 0;
}

}  // namespace

RawConnection::RawConnection(int port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

bool RawConnection::Send(std::string_view bytes, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  size_t sent = 0;
  while (sent < bytes.size()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLOUT, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

void RawConnection::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

RawReply RawConnection::Read(std::chrono::milliseconds timeout) {
  RawReply reply;
  ParseState state;
  state.reply = &reply;
  http_parser parser;
  http_parser_init(&parser, HTTP_RESPONSE);
  parser.data = &state;
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_header_field = &OnHeaderField;
  settings.on_header_value = &OnHeaderValue;
  settings.on_body = &OnBody;
  settings.on_message_complete = &OnMessageComplete;

  // Feeds bytes to the parser; false once the response is complete or garbled.
  auto feed = [&](std::string_view data) {
    size_t used = http_parser_execute(&parser, &settings, data.data(), data.size());
    if (state.complete) {
      pending_ = std::string(data.substr(used));
      return false;
    }
    if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
      reply.garbled = true;
      return false;
    }
    return true;
  };

  std::string first = std::move(pending_);
  pending_.clear();
  bool more = first.empty() || feed(first);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16384];
  while (more) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      reply.closed = true;
      http_parser_execute(&parser, &settings, nullptr, 0);  // end of stream ends a body without a length
      break;
    }
    more = feed(std::string_view(buf, static_cast<size_t>(n)));
  }
  if (state.complete) {
    reply.status = static_cast<int>(parser.status_code);
    if (reply.headers["content-type"].rfind("application/json", 0) == 0) {
      auto v = Value::FromJson(reply.body);
      if (v.ok()) reply.json = *v;
    }
  }
  return reply;
}

bool RawConnection::ClosedWithin(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;
    ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return true;  // orderly close, or reset
  }
}

RawReply Exchange(int port, std::string_view bytes, std::chrono::milliseconds timeout) {
  RawConnection c(port);
  if (!c.ok()) return RawReply{};
  c.Send(bytes);
  return c.Read(timeout);
}

int PortOf(const std::string& url) { return std::stoi(url.substr(url.rfind(':') + 1)); }

}  // namespace steadfast::testing
