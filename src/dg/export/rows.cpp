#include "dg/export/rows.hpp"

namespace dg::exports {
namespace {

void fill_address(FlatRow& row, const model::IpMapping& m) {
    row.ip = m.ip.to_string();
    row.prefix = m.prefix ? std::optional<std::string>(m.prefix->to_string()) : std::nullopt;
    row.asn = m.asn ? std::optional<std::uint32_t>(m.asn->value()) : std::nullopt;
    std::string origins;
    for (const Asn& a : m.origins) {
        if (!origins.empty()) {
            origins += ' ';
        }
        origins += a.to_string();
    }
    row.origins = std::move(origins);
    row.org = m.org ? std::optional<std::string_view>(*m.org) : std::nullopt;
}

void host_rows(FlatRow base, const std::vector<model::IpMapping>& ips,
               const std::function<void(const FlatRow&)>& emit) {
    if (ips.empty()) {
        emit(base);
        return;
    }
    for (const auto& m : ips) {
        FlatRow row = base;
        fill_address(row, m);
        emit(row);
    }
}

} // namespace

void for_each_flat_row(const model::DomainResult& r,
                       const std::function<void(const FlatRow&)>& emit) {
    FlatRow base;
    base.domain = r.domain;
    base.status = r.status;
    std::size_t rows = 0;
    auto counted = [&](const FlatRow& row) {
        ++rows;
        emit(row);
    };
    for (const auto* list : {&r.a, &r.aaaa}) {
        for (const auto& m : *list) {
            FlatRow row = base;
            row.record_type = list == &r.a ? "a" : "aaaa";
            fill_address(row, m);
            counted(row);
        }
    }
    for (const auto& c : r.cname) {
        FlatRow row = base;
        row.record_type = "cname";
        row.host = c.target;
        counted(row);
    }
    for (const auto& ns : r.ns) {
        FlatRow row = base;
        row.record_type = "ns";
        row.host = ns.host;
        host_rows(row, ns.ips, counted);
    }
    for (const auto& mx : r.mx) {
        FlatRow row = base;
        row.record_type = "mx";
        row.host = mx.host;
        row.preference = mx.preference;
        host_rows(row, mx.ips, counted);
    }
    if (rows == 0) {
        emit(base);
    }
}

} // namespace dg::exports
