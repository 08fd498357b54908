#pragma once
// libpq, opened on first use (see dg/core/shared_library.hpp): the functions domaingraph calls.
// Call them as `pq().PQexec(...)` after libpq() succeeded once in the process.

#include "dg/core/result.hpp"

#include <libpq-fe.h>

namespace dg::pg {

struct LibPq {
    decltype(&::PQclear) PQclear = nullptr;
    decltype(&::PQconnectdb) PQconnectdb = nullptr;
    decltype(&::PQconnectdbParams) PQconnectdbParams = nullptr;
    decltype(&::PQerrorMessage) PQerrorMessage = nullptr;
    decltype(&::PQescapeIdentifier) PQescapeIdentifier = nullptr;
    decltype(&::PQexec) PQexec = nullptr;
    decltype(&::PQfinish) PQfinish = nullptr;
    decltype(&::PQfreemem) PQfreemem = nullptr;
    decltype(&::PQgetResult) PQgetResult = nullptr;
    decltype(&::PQgetisnull) PQgetisnull = nullptr;
    decltype(&::PQgetlength) PQgetlength = nullptr;
    decltype(&::PQgetvalue) PQgetvalue = nullptr;
    decltype(&::PQntuples) PQntuples = nullptr;
    decltype(&::PQputCopyData) PQputCopyData = nullptr;
    decltype(&::PQputCopyEnd) PQputCopyEnd = nullptr;
    decltype(&::PQresultErrorField) PQresultErrorField = nullptr;
    decltype(&::PQresultErrorMessage) PQresultErrorMessage = nullptr;
    decltype(&::PQresultStatus) PQresultStatus = nullptr;
    decltype(&::PQsendQueryParams) PQsendQueryParams = nullptr;
    decltype(&::PQsetNoticeProcessor) PQsetNoticeProcessor = nullptr;
    decltype(&::PQsetSingleRowMode) PQsetSingleRowMode = nullptr;
    decltype(&::PQstatus) PQstatus = nullptr;
};

/// Loads libpq (once per process). Errors: Unavailable (not installed, or incompatible).
Result<const LibPq*> libpq();
/// The loaded library: only after libpq() succeeded (a programming error otherwise: aborts).
const LibPq& pq();

} // namespace dg::pg
