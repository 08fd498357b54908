#include "dg/org/org_table.hpp"

#include "dg/org/internal/org_data.hpp"

#include <algorithm>
#include <cstring>

namespace dg::org {
namespace internal {

std::string_view StringArena::store(std::string_view s) {
    if (s.empty()) {
        return {};
    }
    if (s.size() > kLargeBytes) {
        auto own = std::make_unique<char[]>(s.size());
        std::memcpy(own.get(), s.data(), s.size());
        large_.push_back(std::move(own));
        return {large_.back().get(), s.size()};
    }
    if (chunks_.empty() || kChunkBytes - used_ < s.size()) {
        chunks_.push_back(std::make_unique<char[]>(kChunkBytes));
        used_ = 0;
    }
    char* at = chunks_.back().get() + used_;
    std::memcpy(at, s.data(), s.size());
    used_ += s.size();
    return {at, s.size()};
}

std::string_view StringArena::intern(std::string_view s) {
    if (s.empty()) {
        return {};
    }
    if (auto it = interned_.find(s); it != interned_.end()) {
        return *it;
    }
    const std::string_view copy = store(s);
    interned_.insert(copy);
    return copy;
}

} // namespace internal

OrgTable::OrgTable(std::unique_ptr<Data> data) : data_(std::move(data)) {}
OrgTable::OrgTable(OrgTable&&) noexcept = default;
OrgTable& OrgTable::operator=(OrgTable&&) noexcept = default;
OrgTable::~OrgTable() = default;

namespace {

std::size_t find_as(const std::vector<std::uint32_t>& keys, Asn asn) {
    const auto it = std::lower_bound(keys.begin(), keys.end(), asn.value());
    if (it == keys.end() || *it != asn.value()) {
        return keys.size();
    }
    return static_cast<std::size_t>(it - keys.begin());
}

std::size_t find_org(const std::vector<Organisation>& orgs, std::string_view id) {
    const auto it =
        std::lower_bound(orgs.begin(), orgs.end(), id,
                         [](const Organisation& o, std::string_view key) { return o.id < key; });
    if (it == orgs.end() || it->id != id) {
        return orgs.size();
    }
    return static_cast<std::size_t>(it - orgs.begin());
}

} // namespace

const AsOrg* OrgTable::as_of(Asn asn) const {
    const std::size_t i = find_as(data_->asn_keys, asn);
    return i < data_->ases.size() ? &data_->ases[i] : nullptr;
}

std::string_view OrgTable::country_of(Asn asn) const {
    if (const Organisation* o = org_of(asn); o != nullptr && !o->country.empty()) {
        return o->country;
    }
    const AsOrg* a = as_of(asn);
    return a != nullptr ? a->country : std::string_view{};
}

const Organisation* OrgTable::org_of(Asn asn) const {
    const std::size_t i = find_as(data_->asn_keys, asn);
    if (i >= data_->ases.size() || data_->as_org[i] == internal::kNoOrg) {
        return nullptr;
    }
    return &data_->orgs[data_->as_org[i]];
}

const Organisation* OrgTable::organisation(std::string_view id) const {
    const std::size_t i = find_org(data_->orgs, id);
    return i < data_->orgs.size() ? &data_->orgs[i] : nullptr;
}

std::vector<const AsOrg*> OrgTable::ases_of(std::string_view id) const {
    std::vector<const AsOrg*> out;
    const std::size_t org = find_org(data_->orgs, id);
    if (org >= data_->orgs.size()) {
        return out;
    }
    const auto& as_org = data_->as_org;
    const auto org32 = static_cast<std::uint32_t>(org);
    // by_org is sorted by org index; translate through as_org for the comparison.
    auto lo = std::partition_point(data_->by_org.begin(), data_->by_org.end(),
                                   [&](std::uint32_t as) { return as_org[as] < org32; });
    auto hi = std::partition_point(lo, data_->by_org.end(),
                                   [&](std::uint32_t as) { return as_org[as] == org32; });
    out.reserve(static_cast<std::size_t>(hi - lo));
    for (auto it = lo; it != hi; ++it) {
        out.push_back(&data_->ases[*it]);
    }
    return out;
}

std::size_t OrgTable::as_count() const {
    return data_->ases.size();
}
std::size_t OrgTable::organisation_count() const {
    return data_->orgs.size();
}
const std::vector<AsOrg>& OrgTable::ases() const {
    return data_->ases;
}
const std::vector<Organisation>& OrgTable::organisations() const {
    return data_->orgs;
}
const LoadReport& OrgTable::report() const {
    return data_->report;
}

} // namespace dg::org
