// Parquet reader (the lake's shard files) over arbitrary bytes. Invariants: a file that parses
// has columns; every row group decodes to one value per row in every column, or fails with a
// message; rebuilding results from it never crashes.

#include "dg/core/assert.hpp"
#include "dg/export/parquet.hpp"
#include "dg/export/rows.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    auto file = dg::exports::parquet::FileReader::parse(std::move(bytes), "fuzz");
    if (!file) {
        DG_REQUIRE(!file.error().message.empty());
        return 0;
    }
    for (std::size_t g = 0; g < file->row_groups(); ++g) {
        auto columns = file->read_group(g);
        if (!columns) {
            DG_REQUIRE(!columns.error().message.empty());
            continue;
        }
        DG_REQUIRE(columns->size() == file->columns().size());
        for (const auto& c : *columns) {
            DG_REQUIRE(c.present.size() == (*columns)[0].present.size());
        }
    }
    (void)dg::exports::read_flat_results(*file, [](dg::model::DomainResult&&) { return true; });
    return 0;
}
