// Generates a realistic full-size TABLE_DUMP_V2 RIB for benchmarks, since public full tables (RIS
// bview: ~60 million entries) are too big to ship.
//
// Prefixes and origins come from real pyasn IPASN files (../shared/data/ipasn: 512k IPv4 prefixes
// of 2014, the IPv6 table of 2015), topped up to --target-prefixes with deaggregated more-specifics
// of real prefixes (how tables really grew). Each prefix is seen by most of --peers peers (a few
// peers send partial tables); AS paths follow the length distribution of RIS paths (mean ~4.3 hops,
// 5% with prepending) and share transit structure per origin; ~1% of prefixes are MOAS and ~0.01%
// end in an AS_SET, as in real tables. Deterministic for a given --seed.
//
// usage: gen_full_rib --v4 ipasn.dat.gz [--v6 ipasn6.dat.gz] -o out.mrt.gz [--peers 30]
//                     [--target-prefixes 1000000] [--limit N] [--seed 1]
#include "dg/bgp/mrt_writer.hpp"
#include "dg/core/byte_source.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using dg::Asn;
using dg::IpAddress;
using dg::Prefix;
using dg::bgp::AsPathSegment;
using dg::bgp::Peer;
using dg::bgp::RibEntry;
using dg::bgp::SegmentType;

struct Route {
    Prefix prefix;
    std::uint32_t origin = 0;
};

struct Args {
    std::string v4;
    std::string v6;
    std::string out;
    std::uint32_t peers = 30;
    std::size_t target = 1000000;
    std::size_t limit = 0;
    std::uint64_t seed = 1;
};

bool parse_args(int argc, char** argv, Args& a) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--v4") {
            a.v4 = v;
        } else if (k == "--v6") {
            a.v6 = v;
        } else if (k == "-o") {
            a.out = v;
        } else if (k == "--peers") {
            a.peers = static_cast<std::uint32_t>(std::stoul(v));
        } else if (k == "--target-prefixes") {
            a.target = std::stoul(v);
        } else if (k == "--limit") {
            a.limit = std::stoul(v);
        } else if (k == "--seed") {
            a.seed = std::stoull(v);
        } else {
            return false;
        }
    }
    return !a.v4.empty() && !a.out.empty() && a.peers > 0 && a.peers < 60000;
}

/// Reads `prefix<TAB>asn` lines (pyasn IPASN format; ';' comments).
bool read_ipasn(const std::string& path, std::vector<Route>& routes) {
    auto source = dg::io::open(path);
    if (!source) {
        std::fprintf(stderr, "%s\n", source.error().to_string().c_str());
        return false;
    }
    auto bytes = dg::io::read_all(**source);
    if (!bytes) {
        std::fprintf(stderr, "%s\n", bytes.error().to_string().c_str());
        return false;
    }
    const std::string text(bytes->begin(), bytes->end());
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string::npos) {
            end = text.size();
        }
        const std::string line = text.substr(pos, end - pos);
        pos = end + 1;
        const auto tab = line.find('\t');
        if (line.empty() || line[0] == ';' || tab == std::string::npos) {
            continue;
        }
        auto prefix = Prefix::parse(line.substr(0, tab), true);
        auto asn = Asn::parse(line.substr(tab + 1));
        if (prefix && asn && prefix->length() > 0) {
            routes.push_back({*prefix, asn->value()});
        }
    }
    return true;
}

/// Adds more-specifics inside random real prefixes (IPv4 /22-/24, IPv6 /40-/48) until `target`
/// distinct routes, a fifth of them IPv6 (as in 2020s tables).
void deaggregate(std::vector<Route>& routes, std::size_t target, std::mt19937_64& rng) {
    const std::size_t real = routes.size();
    std::set<Prefix> seen;
    for (const auto& r : routes) {
        seen.insert(r.prefix);
    }
    std::vector<std::size_t> v4_parents;
    std::vector<std::size_t> v6_parents;
    for (std::size_t i = 0; i < real; ++i) {
        (routes[i].prefix.family() == dg::IpFamily::V4 ? v4_parents : v6_parents).push_back(i);
    }
    std::size_t attempts = 0;
    while (seen.size() < target && attempts++ < target * 8) {
        const bool v6 = !v6_parents.empty() && rng() % 5 == 0;
        const auto& parents = v6 ? v6_parents : v4_parents;
        if (parents.empty()) {
            break;
        }
        const Route parent = routes[parents[rng() % parents.size()]];
        const int len = v6 ? 40 + static_cast<int>(rng() % 9) : 22 + static_cast<int>(rng() % 3);
        if (parent.prefix.length() >= len) {
            continue;
        }
        auto bytes = parent.prefix.network().bytes();
        for (int bit = parent.prefix.length(); bit < len; ++bit) {
            if ((rng() & 1U) != 0) {
                bytes[static_cast<std::size_t>(bit / 8)] |=
                    static_cast<std::uint8_t>(1U << (7 - bit % 8));
            }
        }
        const auto family = v6 ? dg::IpFamily::V6 : dg::IpFamily::V4;
        const Prefix p(IpAddress::from_bytes(family, bytes.data()), len);
        if (seen.insert(p).second) {
            routes.push_back({p, parent.origin});
        }
    }
}

constexpr std::uint32_t kTransit[] = {3356, 1299,  174,   2914,  6939,  3257,  6453, 6762,
                                      1273, 3491,  701,   7018,  209,   4637,  9002, 6830,
                                      5511, 12956, 6461,  20485, 31133, 37100, 7922, 3320,
                                      8220, 13030, 34549, 57866, 24482, 9498};

/// Real RIS AS-path length distribution (unique paths), lengths 1..9.
int path_length(std::mt19937_64& rng) {
    static const double kWeights[] = {1, 9, 28, 31, 18, 8, 3, 1.5, 0.5};
    std::discrete_distribution<int> d(std::begin(kWeights), std::end(kWeights));
    return d(rng) + 1;
}

std::vector<std::uint32_t> make_path(std::uint32_t peer_as, std::uint32_t origin,
                                     const std::vector<std::uint32_t>& pool, std::mt19937_64& rng) {
    std::vector<std::uint32_t> path{peer_as};
    const int len = path_length(rng);
    // Transit structure shared per origin: its upstream is a function of the origin.
    const std::uint32_t upstream = pool[(origin * 2654435761U) % pool.size()];
    for (int i = 2; i < len; ++i) {
        const std::uint32_t hop =
            i == len - 1 ? upstream : kTransit[rng() % (sizeof kTransit / sizeof kTransit[0])];
        if (hop != path.back() && hop != origin) {
            path.push_back(hop);
        }
    }
    if (origin != path.back()) {
        path.push_back(origin);
    }
    if (rng() % 20 == 0) { // prepending
        const auto times = 1 + rng() % 3;
        path.insert(path.end(), times, origin);
    }
    return path;
}

} // namespace

int main(int argc, char** argv) {
    Args args;
    if (!parse_args(argc, argv, args)) {
        std::fputs("usage: gen_full_rib --v4 FILE [--v6 FILE] -o OUT [--peers N] "
                   "[--target-prefixes N] [--limit N] [--seed S]\n",
                   stderr);
        return 2;
    }
    std::mt19937_64 rng(args.seed);
    std::vector<Route> routes;
    if (!read_ipasn(args.v4, routes) || (!args.v6.empty() && !read_ipasn(args.v6, routes))) {
        return 1;
    }
    deaggregate(routes, args.limit > 0 ? std::min(args.limit, args.target) : args.target, rng);
    std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
        if (a.prefix.family() != b.prefix.family()) {
            return a.prefix.family() == dg::IpFamily::V4;
        }
        return a.prefix < b.prefix;
    });
    routes.erase(std::unique(routes.begin(), routes.end(),
                             [](const Route& a, const Route& b) { return a.prefix == b.prefix; }),
                 routes.end());
    if (args.limit > 0 && routes.size() > args.limit) {
        std::shuffle(routes.begin(), routes.end(), rng);
        routes.resize(args.limit);
        std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
            if (a.prefix.family() != b.prefix.family()) {
                return a.prefix.family() == dg::IpFamily::V4;
            }
            return a.prefix < b.prefix;
        });
    }
    std::vector<std::uint32_t> pool;
    for (const auto& r : routes) {
        pool.push_back(r.origin);
    }
    std::sort(pool.begin(), pool.end());
    pool.erase(std::unique(pool.begin(), pool.end()), pool.end());

    std::vector<Peer> peers;
    for (std::uint32_t i = 0; i < args.peers; ++i) {
        Peer p;
        const bool v6 = i % 3 == 2;
        p.address = v6 ? *IpAddress::parse("2001:db8::" + std::to_string(i + 1))
                       : IpAddress::v4(0xC6336400U + i + 1); // 198.51.100.x
        p.asn = Asn(kTransit[i % (sizeof kTransit / sizeof kTransit[0])] + (i / 30) * 100000);
        p.bgp_id = 0xC6336400U + i + 1;
        peers.push_back(p);
    }
    dg::bgp::MrtWriter::Options options;
    options.gzip = args.out.size() > 3 && args.out.substr(args.out.size() - 3) == ".gz";
    options.gzip_level = 6;
    auto writer = dg::bgp::MrtWriter::create(args.out, options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", writer.error().to_string().c_str());
        return 1;
    }
    constexpr std::uint32_t kTime = 1700000000;
    if (auto r = writer->write_peer_index_table(kTime, 0xC0000201U, "bench", peers); !r) {
        std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
        return 1;
    }
    std::vector<RibEntry> entries;
    std::uint64_t total_entries = 0;
    std::uint32_t sequence = 0;
    for (const auto& route : routes) {
        entries.clear();
        const bool moas = rng() % 100 == 0;
        const bool as_set = rng() % 10000 == 0;
        for (std::uint32_t i = 0; i < args.peers; ++i) {
            const bool partial = i >= args.peers - args.peers / 6; // a few partial-table peers
            if ((partial && rng() % 10 >= 3) || (!partial && rng() % 100 == 0)) {
                continue;
            }
            RibEntry e;
            e.peer_index = static_cast<std::uint16_t>(i);
            e.peer = peers[i];
            e.prefix = route.prefix;
            e.originated_time = kTime - static_cast<std::uint32_t>(rng() % 8000000);
            std::uint32_t origin = route.origin;
            if (moas && i % 4 == 3) {
                origin = pool[(route.origin * 40503U) % pool.size()];
            }
            auto& attrs = e.attributes;
            attrs.origin =
                rng() % 10 == 0 ? dg::bgp::OriginType::Incomplete : dg::bgp::OriginType::Igp;
            attrs.as_path.segments.push_back(
                {SegmentType::AsSequence, make_path(peers[i].asn.value(), origin, pool, rng)});
            if (as_set) {
                attrs.as_path.segments.push_back(
                    {SegmentType::AsSet, {origin, pool[origin % pool.size()]}});
            }
            if (route.prefix.family() == dg::IpFamily::V4) {
                attrs.next_hop =
                    peers[i].address.is_v4() ? peers[i].address : IpAddress::v4(0xC6336401U);
            } else {
                attrs.mp_next_hops.push_back(peers[i].address.is_v4()
                                                 ? *IpAddress::parse("2001:db8::ffff")
                                                 : peers[i].address);
            }
            if (rng() % 3 == 0) {
                attrs.med = static_cast<std::uint32_t>(rng() % 1000);
            }
            const auto communities = rng() % 5;
            for (std::uint64_t c = 0; c < communities; ++c) {
                attrs.communities.push_back((peers[i].asn.value() << 16) |
                                            static_cast<std::uint32_t>(rng() % 4000));
            }
            entries.push_back(std::move(e));
        }
        if (entries.empty()) {
            continue;
        }
        total_entries += entries.size();
        if (auto r = writer->write_rib(kTime, sequence++, route.prefix, entries); !r) {
            std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
            return 1;
        }
    }
    if (auto r = writer->close(); !r) {
        std::fprintf(stderr, "%s\n", r.error().to_string().c_str());
        return 1;
    }
    std::fprintf(stderr, "wrote %s: %u prefixes, %llu RIB entries, %u peers\n", args.out.c_str(),
                 sequence, static_cast<unsigned long long>(total_entries), args.peers);
    return 0;
}
