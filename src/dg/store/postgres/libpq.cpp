#include "dg/store/postgres/libpq.hpp"

#include "dg/core/shared_library.hpp"

namespace dg::pg {
namespace {

void bind_libpq(SharedLibrary& lib, LibPq& api) {
#define DG_BIND(f) lib.bind(api.f, #f)
    DG_BIND(PQclear);
    DG_BIND(PQconnectdb);
    DG_BIND(PQconnectdbParams);
    DG_BIND(PQerrorMessage);
    DG_BIND(PQescapeIdentifier);
    DG_BIND(PQexec);
    DG_BIND(PQfinish);
    DG_BIND(PQfreemem);
    DG_BIND(PQgetResult);
    DG_BIND(PQgetisnull);
    DG_BIND(PQgetlength);
    DG_BIND(PQgetvalue);
    DG_BIND(PQntuples);
    DG_BIND(PQputCopyData);
    DG_BIND(PQputCopyEnd);
    DG_BIND(PQresultErrorField);
    DG_BIND(PQresultErrorMessage);
    DG_BIND(PQresultStatus);
    DG_BIND(PQsendQueryParams);
    DG_BIND(PQsetNoticeProcessor);
    DG_BIND(PQsetSingleRowMode);
    DG_BIND(PQstatus);
#undef DG_BIND
}

const Result<LibPq>& loaded() {
    return load_once<LibPq, bind_libpq>(DG_LIBPQ_SONAME);
}

} // namespace

Result<const LibPq*> libpq() {
    const Result<LibPq>& api = loaded();
    if (!api) {
        return api.error();
    }
    return &api.value();
}

const LibPq& pq() {
    return loaded().value(); // DG_REQUIREs that libpq() succeeded
}

} // namespace dg::pg
