// GET /v1/session: who the bearer token is and what it may do.
//
// The web page asks once after sign-in, so it can offer only the actions
// the token's roles allow (a reviewer sees no Pause button) instead of
// keeping its own copy of the role table (roles.h). The server still checks
// every call; this only decides what the page shows.
#ifndef STEADFAST_HTTP_SESSION_ENDPOINT_H_
#define STEADFAST_HTTP_SESSION_ENDPOINT_H_

#include "http/workflow_endpoints.h"

namespace steadfast::http {

// {"principal": "alex", "roles": ["operator", "reviewer"],
//  "may": ["start", "inspect", "cancel", ...]} — `may` names every action
// the roles allow, by the ids of kSessionActions in session_endpoint.cc.
HttpResponse SessionResponse(const ApiCall& call);

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_SESSION_ENDPOINT_H_
