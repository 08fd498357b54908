#pragma once
// Resolving a SCAN argument of the commands that read the store: a numeric id, or "latest"
// (the most recently created scan; "latest-complete" the most recent complete one).

#include "dg/core/result.hpp"
#include "dg/store/store.hpp"

#include <charconv>
#include <string>

namespace dg::cli {

inline Result<std::int64_t> resolve_scan_ref(store::Store& store, const std::string& ref) {
    if (ref == "latest" || ref == "latest-complete") {
        DG_TRY(auto scans, store.list_scans());
        for (auto it = scans.rbegin(); it != scans.rend(); ++it) {
            if (ref == "latest" || it->status == model::ScanStatus::Complete) {
                return it->id;
            }
        }
        return make_error(ErrorCode::NotFound, "the store holds no " +
                                                   std::string(ref == "latest" ? "" : "complete ") +
                                                   "scan");
    }
    std::int64_t id = 0;
    const char* end = ref.data() + ref.size();
    auto [p, ec] = std::from_chars(ref.data(), end, id);
    if (ec != std::errc() || p != end || id <= 0) {
        return make_error(ErrorCode::InvalidArgument,
                          "SCAN must be a scan id or 'latest', not '" + ref + "'");
    }
    DG_TRY_VOID(store.get_scan(id));
    return id;
}

} // namespace dg::cli
