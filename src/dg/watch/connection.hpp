#pragma once
// The watch module's tables live in the store's SQL database (schema/0012_watches.sql).

#include "dg/core/result.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/store/store.hpp"

namespace dg::watch::internal {

/// The store's SQL connection. Errors: Unsupported (a store without one).
inline Result<store::internal::Connection*> connection(store::Store& store) {
    store::internal::Connection* c = store.sql_connection();
    if (c == nullptr) {
        return make_error(ErrorCode::Unsupported, "this store keeps no watches or alerts");
    }
    return c;
}

} // namespace dg::watch::internal
