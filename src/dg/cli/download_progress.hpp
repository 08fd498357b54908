#pragma once
// The progress bar of a download (`rib fetch`, `as2org fetch`).

#include "dg/core/progress.hpp"
#include "dg/fetch/http_download.hpp"

#include <cstdint>
#include <memory>

namespace dg::cli {

/// Download options that show progress in `bar`, made on the first report (with the total).
inline fetch::DownloadOptions download_with_progress(std::unique_ptr<Progress>& bar) {
    fetch::DownloadOptions options;
    options.on_progress = [&bar](std::uint64_t done, std::uint64_t total) {
        if (!bar) {
            bar = std::make_unique<Progress>("downloading", total, "B");
        }
        bar->set_total(total);
        bar->update(done);
    };
    return options;
}

} // namespace dg::cli
