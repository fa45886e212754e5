// The OpenAPI document of the HTTP API (docs/openapi.yaml), compiled into
// the binary at build time so /v1/openapi.yaml needs no file at run time.
#ifndef STEADFAST_HTTP_OPENAPI_SPEC_H_
#define STEADFAST_HTTP_OPENAPI_SPEC_H_

#include <string_view>

namespace steadfast::http {

// The YAML text of docs/openapi.yaml as it was when the binary was built.
std::string_view OpenApiSpec();

}  // namespace steadfast::http

#endif  // STEADFAST_HTTP_OPENAPI_SPEC_H_
