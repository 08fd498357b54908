// Whole-stream MRT reader over arbitrary bytes, plus both text renderings of every record.

#include "dg/bgp/mrt_format.hpp"
#include "dg/bgp/mrt_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint8_t> bytes(data, data + size);
    for (const bool decode_all : {true, false}) {
        auto reader = dg::bgp::MrtReader::from_source(dg::io::from_memory(bytes, "fuzz"),
                                                      dg::bgp::MrtReader::Options{decode_all});
        std::string out;
        std::uint64_t n = 0;
        while (const auto* rec = reader.next()) {
            DG_REQUIRE(rec->index == n);
            ++n;
            const bool failed = rec->outcome == dg::bgp::RecordOutcome::RecordError ||
                                rec->outcome == dg::bgp::RecordOutcome::StreamError;
            DG_REQUIRE(failed == rec->error.has_value());
            out.clear();
            dg::bgp::append_bgpdump_lines(*rec, out);
            dg::bgp::append_jsonl_lines(*rec, out);
        }
        const auto& s = reader.stats();
        DG_REQUIRE(s.records == n);
        DG_REQUIRE(s.clean + s.recovered + s.record_errors + s.stream_errors == n);
        DG_REQUIRE(s.stream_errors <= 1);
    }
    return 0;
}
