// BulkEndpoints: the /v1/bulk-operations handlers (docs/http.md, "Bulk
// operations"), on top of runtime/bulk_operations.h.
//
//   POST /v1/bulk-operations        {action, filter, reason, dry_run?, sample?}
//       dry run: 200 {dry_run: true, action, filter, total, sample}
//       else:    202 the stored operation, worked by the server's BulkRunner
//   GET  /v1/bulk-operations        the audit list, newest first (state, limit, cursor)
//   GET  /v1/bulk-operations/{id}   one operation: its progress and failures
//
// `filter` is an object of the GET /v1/workflows filter parameters
// ({"status": "paused", "key.reservation_id": "R-4411"}); an operation's
// own `filter` view ({"status": ["paused"], "key": {...}}) is accepted too,
// so it can be posted back as it was read.
#ifndef STEADFAST_HTTP_BULK_ENDPOINTS_H_
#define STEADFAST_HTTP_BULK_ENDPOINTS_H_

#include "http/workflow_endpoints.h"
#include "runtime/bulk_runner.h"

namespace steadfast::http {

class BulkEndpoints {
 public:
  // runner null: the routes answer 503 (this server runs no bulk operations).
  BulkEndpoints(BulkRunner* runner, Store& store, Logger& logger) : runner_(runner), store_(store), logger_(logger) {}

  HttpResponse Create(const ApiCall& call);  // POST /v1/bulk-operations
  HttpResponse List(const ApiCall& call);    // GET  /v1/bulk-operations
  HttpResponse Get(const ApiCall& call);     // GET  /v1/bulk-operations/{id}

 private:
  BulkRunner* runner_;
  Store& store_;
  Logger& logger_;
};

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_BULK_ENDPOINTS_H_
