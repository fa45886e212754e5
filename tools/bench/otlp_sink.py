#!/usr/bin/env python3
"""A minimal OTLP/HTTP receiver for `steadfast bench --otlp-endpoint`.

Accepts POST /v1/traces, counts requests and bytes, answers 200 "{}", and
does not parse the spans (a real collector runs on another machine; here
the sink should take as little of the benchmark's CPU as it can). Prints
"listening on http://127.0.0.1:PORT" and, on SIGTERM, the totals.
Uses only the standard library's HTTP server.
"""
import http.server
import signal
import sys

totals = {"requests": 0, "bytes": 0}


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the exporter expects

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        totals["requests"] += 1
        totals["bytes"] += length
        status = 200 if self.path == "/v1/traces" else 404
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Sink)

    def stop(*_):
        print(f"otlp sink: {totals['requests']} requests, {totals['bytes']} bytes", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
