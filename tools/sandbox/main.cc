// steadfast-sandbox: a PSP-like HTTP server for tests, demos and reconciliation.
//
// Parses flags, opens the SQLite file, builds the SandboxService and serves it
// until SIGTERM/SIGINT. Prints exactly one line on stdout once bound,
// "listening on ADDR:PORT", which tests read to learn a --port 0 choice.
// Diagnostics go to stderr; the secret key is never printed.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "http_server.h"
#include "sandbox_options.h"
#include "sandbox_service.h"
#include "sandbox_database.h"
#include "steadfast/clock.h"

int main(int argc, char** argv) {
  using namespace steadfast::sandbox;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = ParseSandboxOptions(args, [](const char* name) { return std::getenv(name); });
  if (!options.ok()) {
    std::fprintf(stderr, "steadfast-sandbox: %s\n\n%s", options.status().message().c_str(), SandboxUsage().c_str());
    return 2;
  }
  if (options->show_help) {
    std::fputs(SandboxUsage().c_str(), stdout);
    return 0;
  }
  if (!options->seed_given) options->service.seed = std::random_device{}() | (uint64_t{std::random_device{}()} << 32);

  auto db = OpenSandboxDatabase(options->db_path);
  if (!db.ok()) {
    std::fprintf(stderr, "steadfast-sandbox: %s\n", db.status().ToString().c_str());
    return 1;
  }
  auto service = SandboxService::Create(options->service, std::move(db).value(), steadfast::SystemClock::Instance());
  if (!service.ok()) {
    std::fprintf(stderr, "steadfast-sandbox: %s\n", service.status().ToString().c_str());
    return 1;
  }

  HttpServerOptions http;
  http.address = options->address;
  http.port = static_cast<uint16_t>(options->port);
  http.on_listening = [](const std::string& address, uint16_t port) {
    std::printf("listening on %s:%u\n", address.c_str(), static_cast<unsigned>(port));
    std::fflush(stdout);
  };
  const steadfast::Status served = RunHttpServer(http, **service);
  if (!served.ok()) {
    std::fprintf(stderr, "steadfast-sandbox: %s\n", served.ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "steadfast-sandbox: stopped\n");
  return 0;
}
