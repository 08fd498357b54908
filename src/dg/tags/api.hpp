#pragma once
// The tag2domain 0.8.4 REST API as data: every endpoint's answer (status + JSON body) computed
// from a TagStore, so that an HTTP server only routes (issue 6). Shapes, defaults (limit 1000,
// offset 0), filters and messages follow ../shared/design/tag2domain-reference.md section 4; the
// deliberate differences are in docs/design/0007-tags-time-model.md.

#include "dg/tags/tag_store.hpp"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dg::tags {

/// Query parameters in request order, already percent-decoded.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

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

} // namespace dg::tags
