// read_flat_results: flat rows (rows.hpp) back into domain results.
#include "dg/export/parquet.hpp"
#include "dg/export/rows.hpp"

#include <array>

namespace dg::exports {
namespace {

using parquet::ColumnValues;

/// One group's columns in kFlatColumns order, with the row being read.
struct Rows {
    std::array<const ColumnValues*, kFlatColumnCount> cols{};
    std::size_t row = 0;
    std::uint64_t file_row = 0; ///< 0-based, over the whole file

    [[nodiscard]] bool has(FlatColumn c) const { return cols[c]->present[row] != 0; }
    [[nodiscard]] const std::string& text(FlatColumn c) const { return cols[c]->strings[row]; }
    [[nodiscard]] std::int64_t integer(FlatColumn c) const { return cols[c]->ints[row]; }
};

Error bad_row(const Rows& rows, const std::string& what) {
    return make_error(ErrorCode::Malformed, "row " + std::to_string(rows.file_row + 1) + " (" +
                                                rows.text(kDomain) + "): " + what);
}

Result<model::IpMapping> mapping(const Rows& rows) {
    model::IpMapping m;
    auto ip = IpAddress::parse(rows.text(kIp));
    if (!ip) {
        return bad_row(rows, "ip '" + rows.text(kIp) + "' is not an address");
    }
    m.ip = *ip;
    if (rows.has(kPrefix)) {
        auto prefix = Prefix::parse(rows.text(kPrefix));
        if (!prefix) {
            return bad_row(rows, "prefix '" + rows.text(kPrefix) + "' is not a prefix");
        }
        m.prefix = *prefix;
    }
    if (rows.has(kAsn)) {
        const std::int64_t asn = rows.integer(kAsn);
        if (asn < 0 || asn > 0xffffffffLL) {
            return bad_row(rows, "asn " + std::to_string(asn) + " is out of range");
        }
        m.asn = Asn(static_cast<std::uint32_t>(asn));
    }
    if (rows.has(kOrigins)) {
        std::string_view rest = rows.text(kOrigins);
        while (!rest.empty()) {
            const std::size_t space = rest.find(' ');
            const std::string_view token = rest.substr(0, space);
            auto asn = Asn::parse(token);
            if (!asn) {
                return bad_row(rows, "origins hold '" + std::string(token) + "'");
            }
            m.origins.push_back(*asn);
            rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        }
    }
    if (rows.has(kOrg)) {
        m.org = rows.text(kOrg);
    }
    return m;
}

/// Adds the current row to `r` (a result of the same domain).
Result<void> add_row(const Rows& rows, model::DomainResult& r) {
    if (!rows.has(kType)) {
        return ok(); // the placeholder row of a domain without records
    }
    const std::string& type = rows.text(kType);
    if (type == "a" || type == "aaaa") {
        if (!rows.has(kIp)) {
            return bad_row(rows, "an " + type + " row without an address");
        }
        DG_TRY(auto m, mapping(rows));
        (type == "a" ? r.a : r.aaaa).push_back(std::move(m));
        return ok();
    }
    if (!rows.has(kHost)) {
        return bad_row(rows, "a " + type + " row without a host");
    }
    const std::string& host = rows.text(kHost);
    if (type == "cname") {
        r.cname.push_back(model::CnameRecord{host, std::nullopt});
        return ok();
    }
    std::vector<model::IpMapping>* ips = nullptr;
    if (type == "ns") {
        if (r.ns.empty() || r.ns.back().host != host) {
            r.ns.push_back(model::NsRecord{host, std::nullopt, {}});
        }
        ips = &r.ns.back().ips;
    } else if (type == "mx") {
        const std::int64_t pref = rows.has(kPref) ? rows.integer(kPref) : -1;
        if (pref < 0 || pref > 0xffff) {
            return bad_row(rows, "an mx row without a preference from 0 to 65535");
        }
        const auto preference = static_cast<std::uint16_t>(pref);
        if (r.mx.empty() || r.mx.back().host != host || r.mx.back().preference != preference) {
            r.mx.push_back(model::MxRecord{preference, host, std::nullopt, {}});
        }
        ips = &r.mx.back().ips;
    } else {
        return bad_row(rows, "unknown record_type '" + type + "'");
    }
    if (rows.has(kIp)) {
        DG_TRY(auto m, mapping(rows));
        ips->push_back(std::move(m));
    }
    return ok();
}

} // namespace

Result<void> read_flat_results(const parquet::FileReader& file, const RebuiltResultSink& emit) {
    std::array<std::size_t, kFlatColumnCount> index{};
    for (std::size_t c = 0; c < kFlatColumnCount; ++c) {
        const auto at = file.column(kFlatColumns[c]);
        if (!at) {
            return make_error(ErrorCode::Unsupported,
                              std::string("no column '") + kFlatColumns[c] +
                                  "': not a file of domaingraph's flat rows");
        }
        index[c] = *at;
    }
    std::optional<model::DomainResult> current;
    Rows rows;
    for (std::size_t g = 0; g < file.row_groups(); ++g) {
        DG_TRY(const auto columns, file.read_group(g));
        for (std::size_t c = 0; c < kFlatColumnCount; ++c) {
            rows.cols[c] = &columns[index[c]];
        }
        const std::size_t n = columns.empty() ? 0 : columns[0].present.size();
        for (rows.row = 0; rows.row < n; ++rows.row, ++rows.file_row) {
            if (!rows.has(kDomain) || !rows.has(kStatus)) {
                return bad_row(rows, "no domain or status");
            }
            if (current && current->domain != rows.text(kDomain)) {
                if (!emit(std::move(*current))) {
                    return ok();
                }
                current.reset();
            }
            if (!current) {
                current.emplace();
                current->domain = rows.text(kDomain);
                current->status = rows.text(kStatus);
            }
            DG_TRY_VOID(add_row(rows, *current));
        }
    }
    if (current) {
        (void)emit(std::move(*current));
    }
    return ok();
}

} // namespace dg::exports
