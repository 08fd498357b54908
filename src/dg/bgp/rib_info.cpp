#include "dg/bgp/rib_info.hpp"

#include <set>
#include <unordered_map>
#include <vector>

namespace dg::bgp {

namespace {

struct PrefixKey {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::uint32_t len_family = 0;
    bool operator==(const PrefixKey&) const = default;
};
struct PrefixKeyHash {
    std::size_t operator()(const PrefixKey& k) const {
        std::uint64_t h = k.hi * 0x9E3779B97F4A7C15ULL;
        h ^= (k.lo + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
        h ^= k.len_family * 0x165667B19E3779F9ULL;
        return static_cast<std::size_t>(h ^ (h >> 29U));
    }
};

PrefixKey key_of(const Prefix& p) {
    const auto& ip = p.network();
    PrefixKey k;
    if (ip.is_v4()) {
        k.hi = ip.v4_value();
    } else {
        k.hi = ip.v6_high();
        k.lo = ip.v6_low();
    }
    k.len_family = static_cast<std::uint32_t>(p.length()) | (ip.is_v4() ? 0U : 0x100U);
    return k;
}

struct Origins {
    std::uint32_t first = 0;
    bool has_first = false;
    bool moas = false;
    bool as_set = false;
};

} // namespace

struct RibInfoBuilder::State {
    std::unordered_map<PrefixKey, Origins, PrefixKeyHash> prefixes;
    std::set<std::pair<IpAddress, std::uint32_t>> peers;
    std::uint64_t as_set_routes = 0;

    void route(const Prefix& p, const AsPath& path) {
        auto& o = prefixes[key_of(p)];
        const auto po = path_origin(path);
        if (po.ends_in_set()) {
            o.as_set = true;
            ++as_set_routes;
        }
        if (!po.asn) {
            return;
        }
        if (!o.has_first) {
            o.first = po.asn->value();
            o.has_first = true;
        } else if (o.first != po.asn->value()) {
            o.moas = true;
        }
    }
};

RibInfoBuilder::RibInfoBuilder() : state_(std::make_unique<State>()) {}
RibInfoBuilder::~RibInfoBuilder() = default;

void RibInfoBuilder::add(const MrtRecord& r) {
    auto& s = *state_;
    if (r.kind == RecordKind::Rib) {
        for (const auto& e : r.rib_entries) {
            s.route(e.prefix, e.attributes.as_path);
            if (r.type == kMrtTableDump) {
                s.peers.emplace(e.peer.address, e.peer.asn.value());
            }
        }
    } else if (r.kind == RecordKind::Update) {
        s.peers.emplace(r.peer.address, r.peer.asn.value());
        for (const auto& p : r.announced) {
            s.route(p, r.attributes.as_path);
        }
    } else if (r.kind == RecordKind::StateChange || r.kind == RecordKind::BgpMessage) {
        s.peers.emplace(r.peer.address, r.peer.asn.value());
    }
}

RibInfo RibInfoBuilder::finish(const MrtReader& reader) const {
    const auto& s = *state_;
    RibInfo info;
    info.stats = reader.stats();
    info.peers = std::max<std::uint64_t>(reader.peers().size(), s.peers.size());
    for (const auto& [k, o] : s.prefixes) {
        if ((k.len_family & 0x100U) != 0) {
            ++info.ipv6_prefixes;
        } else {
            ++info.ipv4_prefixes;
        }
        info.moas_prefixes += o.moas ? 1 : 0;
        info.as_set_prefixes += o.as_set ? 1 : 0;
    }
    info.as_set_routes = s.as_set_routes;
    return info;
}

} // namespace dg::bgp
