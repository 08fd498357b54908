// CAIDA as2org text / JSON Lines reader over arbitrary bytes. Invariants: a table is returned only
// with at least one row; every AS and organisation it lists is found again by its key; org_of()
// agrees with the AS's org_id; report counts match the table.

#include "dg/org/org_table.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    dg::org::LoadReport report;
    auto table = dg::org::OrgTable::parse(text, "fuzz", &report);
    if (!table) {
        return 0;
    }
    DG_REQUIRE(table->as_count() + table->organisation_count() > 0);
    DG_REQUIRE(report.ases == table->as_count());
    DG_REQUIRE(report.organisations == table->organisation_count());
    for (const auto& as : table->ases()) {
        DG_REQUIRE(table->as_of(as.asn) == &as);
        const dg::org::Organisation* org = table->org_of(as.asn);
        if (org != nullptr) {
            DG_REQUIRE(org->id == as.org_id);
        }
    }
    for (const auto& org : table->organisations()) {
        DG_REQUIRE(table->organisation(org.id) == &org);
        for (const dg::org::AsOrg* as : table->ases_of(org.id)) {
            DG_REQUIRE(as->org_id == org.id);
        }
    }
    return 0;
}
