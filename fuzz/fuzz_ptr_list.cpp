// The PTR sweep's prefix/address list reader over arbitrary bytes. Invariants: the plan's ranges
// are sorted, disjoint and not adjacent; its size is the sum of its ranges; at() and index_of()
// are inverse at both ends of every range; the CIDR cover has exactly the plan's addresses; the
// report counts every line as valid or invalid.
#include "dg/ptr/address_list.hpp"

#include <cstdint>
#include <string_view>

namespace {

void check(std::string_view text, dg::ptr::ListKind kind) {
    dg::ptr::ListReport report;
    auto plan = dg::ptr::parse_address_list(text, kind, report);
    if (!plan) {
        DG_REQUIRE(plan.error().code == dg::ErrorCode::ResourceExhausted);
        return;
    }
    DG_REQUIRE(report.entries + report.invalid == report.lines);
    DG_REQUIRE(report.problems.size() <= dg::ptr::kMaxReportedProblems);
    DG_REQUIRE(plan->size() <= report.listed_addresses);
    std::uint64_t total = 0;
    const auto& v4 = plan->v4_ranges();
    for (std::size_t i = 0; i < v4.size(); ++i) {
        DG_REQUIRE(v4[i].first <= v4[i].second);
        if (i > 0) {
            DG_REQUIRE(v4[i - 1].second < v4[i].first && v4[i].first - v4[i - 1].second > 1);
        }
        const auto a = dg::IpAddress::v4(v4[i].first);
        const auto b = dg::IpAddress::v4(v4[i].second);
        DG_REQUIRE(plan->index_of(a) == total);
        total += static_cast<std::uint64_t>(v4[i].second - v4[i].first) + 1;
        DG_REQUIRE(plan->index_of(b) == total - 1);
        DG_REQUIRE(plan->at(total - 1) == b);
    }
    DG_REQUIRE(total == plan->v4_count());
    const auto& v6 = plan->v6_ranges();
    for (std::size_t i = 0; i < v6.size(); ++i) {
        DG_REQUIRE(v6[i].first <= v6[i].second);
        if (i > 0) {
            DG_REQUIRE(v6[i - 1].second < v6[i].first && v6[i].first - v6[i - 1].second > 1);
        }
        total += static_cast<std::uint64_t>(v6[i].second - v6[i].first) + 1;
        const auto last = plan->at(total - 1);
        DG_REQUIRE(plan->index_of(last) == total - 1);
    }
    DG_REQUIRE(total == plan->size());
    const auto cidrs = plan->prefixes();
    const auto again = dg::ptr::AddressPlan::from_prefixes(cidrs);
    DG_REQUIRE(again.size() == plan->size());
    DG_REQUIRE(again.v4_ranges() == plan->v4_ranges());
    DG_REQUIRE(again.v6_ranges() == plan->v6_ranges());
    if (plan->size() > 0) {
        DG_REQUIRE(!dg::ptr::reverse_name(plan->at(0)).empty());
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check(text, dg::ptr::ListKind::Prefixes);
    check(text, dg::ptr::ListKind::Addresses);
    return 0;
}
