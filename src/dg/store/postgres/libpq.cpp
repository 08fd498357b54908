#include "dg/store/postgres/libpq.hpp"

namespace dg::pg {
namespace {

void bind_libpq(SharedLibrary& library, LibPq& api) {
    DG_LIBPQ_FUNCTIONS(DG_API_BIND)
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
