#pragma once
// `domaingraph export`: a stored scan streamed from the Store into one file (docs/cli/export.md).

#include "dg/core/result.hpp"
#include "dg/export/writers.hpp"
#include "dg/store/store.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace dg::exports {

struct ExportRequest {
    std::int64_t scan_id = 0;
    Format format = Format::Jsonl;
    std::string output = "-"; ///< file path, or "-" for stdout
    /// When set, the bytes go here instead of `output` (the server streams an export straight
    /// to its client); answering false stops the export (Io: the reader is gone).
    std::function<bool(std::string_view)> sink;
    WriterOptions writer;
};

struct ExportSummary {
    std::uint64_t domains = 0;
    std::uint64_t rows = 0;  ///< see ResultWriter::rows()
    std::uint64_t bytes = 0; ///< size of what was written
};

/// Streams the scan's results (ordered by domain) through the writer. A file appears only when
/// the whole export succeeded. Errors: NotFound (no such scan), Io, and the store's errors.
Result<ExportSummary> export_scan(store::Store& store, const ExportRequest& request);

} // namespace dg::exports
