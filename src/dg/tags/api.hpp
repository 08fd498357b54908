#pragma once
// The tag2domain 0.8.4 REST API as data: every endpoint's answer (status + JSON body) computed
// from a TagStore, so that an HTTP server only routes (issue 6). Shapes, defaults (limit 1000,
// offset 0), filters and messages follow ../shared/design/tag2domain-reference.md section 4; the
// deliberate differences are in docs/design/0007-tags-time-model.md.

#include "dg/tags/tag_store.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dg::tags {

/// Query parameters in request order, already percent-decoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Splits a raw query string ("a=1&filter=registrar-id=1", without the '?') as upstream
/// (Starlette) does: pairs at '&', each name from its value at the FIRST '=' (so a value may
/// hold '=': filter=registrar-id=1 is filter = "registrar-id=1"), '+' as space, %XX decoded
/// (a malformed escape is kept as written). A pair without '=' has an empty value.
QueryParams parse_query_string(std::string_view raw);

struct ApiResponse {
    int status = 200;
    nlohmann::json body;
};

/// Answers one request: `method` GET or POST, `path` without the query string (a trailing slash
/// is accepted where upstream redirects with 307), `body` the POST body (msm2tag).
/// Covers /test/*, /meta/version, /meta/api-versions, /api/v1/, /api/v1/meta/*, /bydomain,
/// /domains/*, /filters/*, /stats/*, POST /api/v1/msm2tag/ and the six 2020 paths.
/// Unknown paths: 404 {"detail":"Not Found"}. Never throws.
ApiResponse tag2domain_api(TagStore& ts, const std::string& method, const std::string& path,
                           const QueryParams& query, const std::string& body = "");

/// The rows of /api/v1/bydomain/{domain} (`history`: /history), each with its "tag_type" too
/// (`tags show`): upstream's elements have none, so rows of different tag types (intersection
/// tables) look alike there. Same query parameters and errors as that endpoint.
ApiResponse domain_tags(TagStore& ts, const std::string& domain, const QueryParams& query,
                        bool history);

} // namespace dg::tags
