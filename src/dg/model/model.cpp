#include "dg/model/model.hpp"

#include <array>

namespace dg::model {
namespace {

constexpr std::array<const char*, 4> kScanStatusNames = {"running", "complete", "interrupted",
                                                         "failed"};
constexpr std::array<const char*, kChangeTypeCount> kChangeTypeNames = {"a_added",
                                                                        "a_removed",
                                                                        "aaaa_added",
                                                                        "aaaa_removed",
                                                                        "asn_changed",
                                                                        "prefix_changed",
                                                                        "ns_added",
                                                                        "ns_removed",
                                                                        "mx_added",
                                                                        "mx_removed",
                                                                        "mx_preference_changed",
                                                                        "cname_changed",
                                                                        "status_changed",
                                                                        "org_changed",
                                                                        "rpki_changed"};
constexpr std::array<const char*, 2> kSeverityNames = {"info", "warning"};

template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<const char*, N>& names, std::string_view s) {
    for (std::size_t i = 0; i < N; ++i) {
        if (s == names[i]) {
            return static_cast<E>(i);
        }
    }
    return std::nullopt;
}

} // namespace

const char* scan_status_name(ScanStatus s) {
    return kScanStatusNames.at(static_cast<std::size_t>(s));
}
std::optional<ScanStatus> parse_scan_status(std::string_view s) {
    return parse_name<ScanStatus>(kScanStatusNames, s);
}
const char* change_type_name(ChangeType t) {
    return kChangeTypeNames.at(static_cast<std::size_t>(t));
}
std::optional<ChangeType> parse_change_type(std::string_view s) {
    return parse_name<ChangeType>(kChangeTypeNames, s);
}
const char* severity_name(Severity s) {
    return kSeverityNames.at(static_cast<std::size_t>(s));
}
std::optional<Severity> parse_severity(std::string_view s) {
    return parse_name<Severity>(kSeverityNames, s);
}

} // namespace dg::model
