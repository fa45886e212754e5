// The refund plugin's HTTP routes (steadfast/routes.h), under
// /v1/plugins/refund: what `steadfast refund claims|transactions|disputes`
// show, for the reviewer and operator pages and for scripts, and the
// admin's execution of a settlement transaction (docs/http.md "Refund
// plugin routes"):
//
//   GET  /claims?reservation=R&status=open|decided|settled   reader
//   GET  /claims/{id}             items, messages, decisions, settlement (preview)   reader
//   GET  /transactions?reservation=R&status=S&kind=K         reader; by reservation: its snapshots too
//   POST /transactions/{id}/execute  {"reason": "...", "destination": "acct_..."}   admin only
//   GET  /disputes?status=open|won|lost                      reader
//
// Every route reads the engine-kept plugin tables; execute calls the PSP
// through refund/transaction_execution.h, the function the CLI runs, with
// the caller's token name as the audit's actor.
#ifndef STEADFAST_PLUGINS_REFUND_HTTP_ROUTES_H_
#define STEADFAST_PLUGINS_REFUND_HTTP_ROUTES_H_

#include <memory>

#include "refund/refund_services.h"
#include "steadfast/clock.h"
#include "steadfast/routes.h"

namespace steadfast::refund {

// Adds the routes to `routes`. `services` is shared with the activities;
// `clock` must outlive the routes. Errors as PluginRoutes::Add.
Status AddRefundRoutes(PluginRoutes& routes, std::shared_ptr<const RefundServices> services, const Clock& clock);

}  // namespace steadfast::refund

#endif  // STEADFAST_PLUGINS_REFUND_HTTP_ROUTES_H_
