// BGP path attribute block parser. The first byte selects the options (bit 0: 4-byte ASNs,
// bit 1: RIB abbreviated MP_REACH_NLRI, bit 2: ADD-PATH NLRI, bit 3: AS_PATH only).

#include "dg/bgp/mrt_format.hpp"
#include "dg/bgp/mrt_reader.hpp"
#include "dg/bgp/mrt_writer.hpp"

#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    dg::bgp::AttributeParseOptions o;
    o.as4 = (data[0] & 1U) != 0;
    o.rib_abbreviated_mp_reach = (data[0] & 2U) != 0;
    o.add_path = (data[0] & 4U) != 0;
    o.decode_all = (data[0] & 8U) == 0;
    dg::bgp::PathAttributes attrs;
    dg::bgp::AttributeParseResult result;
    std::vector<std::string> warnings;
    auto r = dg::bgp::parse_attributes(data + 1, size - 1, o, attrs, result, warnings);
    std::string text;
    dg::bgp::append_as_path(attrs.as_path, text);
    (void)dg::bgp::path_origin(attrs.as_path);
    if (r && o.as4 && size < 16384 && attrs.mp_next_hops.size() <= 2) {
        // What we decoded encodes and decodes again to the same AS_PATH and communities.
        std::vector<std::uint8_t> again;
        dg::bgp::encode_attributes(attrs, true, again);
        dg::bgp::PathAttributes back;
        dg::bgp::AttributeParseOptions o2;
        o2.rib_abbreviated_mp_reach = true;
        auto r2 = dg::bgp::parse_attributes(again.data(), again.size(), o2, back, result, warnings);
        DG_REQUIRE(r2.has_value());
        DG_REQUIRE(back.as_path == attrs.as_path);
        DG_REQUIRE(back.communities == attrs.communities);
    }
    return 0;
}
