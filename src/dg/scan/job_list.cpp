#include "dg/scan/job_list.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace dg::scan {
namespace {

bool is_job_list_name(const std::string& name) {
    constexpr std::size_t kHexDigits = 32;
    if (name.size() != 5 + kHexDigits + 4 || name.compare(0, 5, "scan-") != 0 ||
        name.compare(name.size() - 4, 4, ".txt") != 0) {
        return false;
    }
    for (std::size_t i = 5; i < 5 + kHexDigits; ++i) {
        const char c = name[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string server_job_list(const model::Scan& scan) {
    const auto j = nlohmann::json::parse(scan.config_json, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) {
        return "";
    }
    const auto origin = j.find("origin");
    const auto domains = j.find("domains");
    if (origin == j.end() || domains == j.end() || !origin->is_string() || *origin != "server" ||
        !domains->is_string()) {
        return "";
    }
    const std::string path = domains->get<std::string>();
    const std::filesystem::path p(path);
    if (!p.is_absolute() || !is_job_list_name(p.filename().string())) {
        return "";
    }
    return path;
}

Result<void> delete_scan(store::Store& store, std::int64_t scan_id) {
    DG_TRY(const model::Scan scan, store.get_scan(scan_id));
    DG_TRY_VOID(store.delete_scan(scan_id));
    const std::string list = server_job_list(scan);
    if (list.empty()) {
        return ok();
    }
    std::error_code ec;
    std::filesystem::remove(list, ec); // false without error when already gone
    if (ec) {
        return make_error(ErrorCode::Io, "scan " + std::to_string(scan_id) +
                                             " was deleted, but not its job list: " + ec.message())
            .at(list);
    }
    return ok();
}

} // namespace dg::scan
