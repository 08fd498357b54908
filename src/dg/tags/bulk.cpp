#include "dg/tags/bulk.hpp"

#include <nlohmann/json.hpp>

namespace dg::tags {

using nlohmann::json;

namespace {

/// Applies one parsed JSON value; returns false when the import must stop (strict/storage error).
Result<void> apply_one(TagStore& ts, const json& j, std::uint64_t line, const std::string& source,
                       bool strict, BulkReport& report, const BulkProblemFn& on_problem) {
    ++report.total;
    auto m = parse_measurement(j);
    Result<MeasurementOutcome> out = m ? ts.apply(*m) : Result<MeasurementOutcome>(m.error());
    if (out && out->stale) {
        ++report.stale;
        if (on_problem) {
            on_problem(line, make_error(ErrorCode::Cancelled, "stale: " + out->stale_reason));
        }
        return ok();
    }
    if (out) {
        ++report.applied;
        report.inserted += out->inserted;
        report.prolonged += out->prolonged;
        report.ended += out->ended;
        return ok();
    }
    const ErrorCode code = out.error().code;
    if (code != ErrorCode::InvalidArgument && code != ErrorCode::Malformed) {
        return out.error().at(source, std::nullopt, line); // storage failure: stop
    }
    ++report.invalid;
    if (on_problem) {
        on_problem(line, out.error());
    }
    if (strict) {
        return make_error(ErrorCode::Malformed, out.error().message).at(source, std::nullopt, line);
    }
    return ok();
}

} // namespace

Result<BulkReport> import_measurements(TagStore& ts, std::string_view text,
                                       const std::string& source, bool strict,
                                       const BulkProblemFn& on_problem) {
    BulkReport report;
    // A whole-document JSON value (pretty-printed object or an array)?
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return report;
    }
    auto whole = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!whole.is_discarded() &&
        (whole.is_array() || text.find('\n', first) != std::string_view::npos)) {
        if (whole.is_array()) {
            for (const auto& j : whole) {
                DG_TRY_VOID(apply_one(ts, j, 0, source, strict, report, on_problem));
            }
            return report;
        }
        if (whole.is_object() && !whole.empty() &&
            text.substr(first).find("\n{") == std::string_view::npos) {
            DG_TRY_VOID(apply_one(ts, whole, 1, source, strict, report, on_problem));
            return report;
        }
    }
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t nl = text.find('\n', pos);
        const std::string_view line =
            text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            continue;
        }
        auto j = json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (j.is_discarded()) {
            ++report.total;
            ++report.invalid;
            const Error e = make_error(ErrorCode::Malformed, "not a JSON value");
            if (on_problem) {
                on_problem(line_no, e);
            }
            if (strict) {
                return e.at(source, std::nullopt, line_no);
            }
            continue;
        }
        DG_TRY_VOID(apply_one(ts, j, line_no, source, strict, report, on_problem));
    }
    return report;
}

} // namespace dg::tags
