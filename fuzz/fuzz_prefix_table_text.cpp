// Text table sources (CAIDA prefix2as, pyasn .dat) over arbitrary bytes, then the built table:
// every prefix must be found by a lookup of its own network address, and the table must survive
// a save/load round trip through a cache file.

#include "dg/bgp/table_sources.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> bytes(data, data + size);
    for (const bool prefix2as : {true, false}) {
        auto source = dg::io::from_memory(bytes, "fuzz");
        dg::bgp::SourceReport report;
        auto table = prefix2as ? dg::bgp::read_prefix2as(*source, {}, report)
                               : dg::bgp::read_pyasn_dat(*source, {}, report);
        if (!table) {
            continue;
        }
        for (std::size_t i = 0; i < table->size(); ++i) {
            const auto route = table->lookup(table->prefix(i).network());
            DG_REQUIRE(route.has_value());
            DG_REQUIRE(route->prefix.length() >= table->prefix(i).length());
            DG_REQUIRE(!route->origins.empty());
        }
        if (!prefix2as && table->size() > 0) {
            const std::string path = "/tmp/fuzz_prefix_table_" + std::to_string(getpid());
            DG_REQUIRE(table->save(path, "k").has_value());
            auto loaded = dg::bgp::PrefixTable::load(path, "k");
            DG_REQUIRE(loaded.has_value());
            DG_REQUIRE(loaded->size() == table->size());
            std::remove(path.c_str());
        }
    }
    return 0;
}
