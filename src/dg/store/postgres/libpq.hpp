#pragma once
// libpq, opened on first use (see dg/core/shared_library.hpp): the functions domaingraph calls.
// Call them as `pq().PQexec(...)` after libpq() succeeded once in the process.

#include "dg/core/result.hpp"
#include "dg/core/shared_library.hpp"

#include <libpq-fe.h>

namespace dg::pg {

#define DG_LIBPQ_FUNCTIONS(X)                                                                      \
    X(PQclear)                                                                                     \
    X(PQconnectdb)                                                                                 \
    X(PQconnectdbParams)                                                                           \
    X(PQerrorMessage)                                                                              \
    X(PQescapeIdentifier)                                                                          \
    X(PQexec)                                                                                      \
    X(PQfinish)                                                                                    \
    X(PQfreemem)                                                                                   \
    X(PQgetResult)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQgetlength)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQntuples)                                                                                   \
    X(PQputCopyData)                                                                               \
    X(PQputCopyEnd)                                                                                \
    X(PQreset)                                                                                     \
    X(PQresultErrorField)                                                                          \
    X(PQresultErrorMessage)                                                                        \
    X(PQresultStatus)                                                                              \
    X(PQsendQueryParams)                                                                           \
    X(PQsetNoticeProcessor)                                                                        \
    X(PQsetSingleRowMode)                                                                          \
    X(PQstatus)

struct LibPq {
    DG_LIBPQ_FUNCTIONS(DG_API_MEMBER)
};

/// Loads libpq (once per process). Errors: Unavailable (not installed, or incompatible).
Result<const LibPq*> libpq();
/// The loaded library: only after libpq() succeeded (a programming error otherwise: aborts).
const LibPq& pq();

} // namespace dg::pg
