// VRP readers (every format, auto-detected and explicit) and the validation index over arbitrary
// bytes. Invariants: a set is returned only if its report adds up; every VRP kept is canonical
// (maxLength between its length and the family's width); the index validates each VRP's own
// route as Valid and, for a route one bit longer than maxLength, never as Valid by that VRP alone.

#include "dg/rpki/validator.hpp"

#include <cstdint>
#include <string_view>

namespace {

void check(const dg::rpki::VrpSet& set) {
    const auto& r = set.report;
    DG_REQUIRE(r.accepted == set.vrps.size());
    DG_REQUIRE(r.entries == r.accepted + r.skipped);
    DG_REQUIRE(r.warnings.size() <= r.skipped);
    for (const dg::rpki::Vrp& v : set.vrps) {
        DG_REQUIRE(v.ta < set.trust_anchors.size());
        DG_REQUIRE(v.max_length >= v.prefix.length());
        DG_REQUIRE(v.max_length <= v.prefix.network().bit_width());
        DG_REQUIRE(v.prefix.network() == v.prefix.network().masked(v.prefix.length()));
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    // The first byte picks the format option; the rest is the file.
    constexpr dg::rpki::VrpFormat kFormats[] = {
        dg::rpki::VrpFormat::Auto,           dg::rpki::VrpFormat::RpkiClientCsv,
        dg::rpki::VrpFormat::RoutinatorCsv,  dg::rpki::VrpFormat::RoutinatorCsvExt,
        dg::rpki::VrpFormat::RpkiClientJson, dg::rpki::VrpFormat::Auto,
    };
    dg::rpki::ReadOptions options;
    options.format = kFormats[data[0] % (sizeof kFormats / sizeof kFormats[0])];
    options.strict = (data[0] & 0x80U) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    auto set = dg::rpki::read_vrps(text, "fuzz", options);
    if (!set) {
        return 0;
    }
    check(*set);
    const std::vector<dg::rpki::Vrp> vrps = set->vrps;
    const auto index = dg::rpki::VrpIndex::build(std::move(*set));
    for (const dg::rpki::Vrp& v : vrps) {
        const auto own = index.validate(v.prefix, v.asn);
        DG_REQUIRE(v.asn.value() == 0 ? own.state == dg::rpki::State::Invalid
                                      : own.state == dg::rpki::State::Valid);
        DG_REQUIRE(index.validate(v.prefix, std::nullopt).state == dg::rpki::State::Invalid);
    }
    return 0;
}
