#pragma once
// RTT constraints on decoded locations (sc_hoiho's `-R rtts.txt`): a vantage point that reaches a
// router in R ms rules out every place farther than light in fibre travels there and back in that
// time (2/3 c: 100 km per ms of RTT). `hostnames decode --rtt FILE --vps FILE`.

#include "dg/core/result.hpp"
#include "dg/hostnames/decoder.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace dg::hostnames {

class RttConstraints {
public:
    static constexpr double kKmPerMs = 100; ///< 200 km/ms in fibre, halved for the round trip

    /// `rtts`: `N<node> VP ms` lines (sc_hoiho's format; `#` comments); `vps`: where the vantage
    /// points are, `vp NAME lat lng` lines (sc_hoiho's geohints file; other lines are skipped).
    /// Errors: NotFound/Io, Malformed (file:line: a bad line, a VP without a location).
    static Result<RttConstraints> load(const std::string& rtts, const std::string& vps);

    /// Drops `d`'s location when a vantage point's RTT to `node` rules it out, and says why in
    /// d.location_ruled_out. True when it was dropped.
    bool apply(std::uint64_t node, Decoded& d) const;
    [[nodiscard]] std::size_t nodes() const { return by_node_.size(); }

private:
    struct Vp {
        std::string name;
        double lat = 0;
        double lon = 0;
    };
    struct Rtt {
        std::uint32_t vp = 0; ///< index into vps_
        double ms = 0;
    };
    std::vector<Vp> vps_;
    std::unordered_map<std::uint64_t, std::vector<Rtt>> by_node_; ///< the smallest RTT per VP
};

} // namespace dg::hostnames
