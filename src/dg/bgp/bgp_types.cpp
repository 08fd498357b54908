#include "dg/bgp/bgp_types.hpp"

#include <algorithm>

namespace dg::bgp {

PathOrigin path_origin(const AsPath& path) {
    PathOrigin out;
    for (auto it = path.segments.rbegin(); it != path.segments.rend(); ++it) {
        if (it->type == SegmentType::ConfedSequence || it->type == SegmentType::ConfedSet ||
            it->asns.empty()) {
            continue;
        }
        if (it->type == SegmentType::AsSet) {
            out.as_set = it->asns;
            std::sort(out.as_set.begin(), out.as_set.end());
            out.as_set.erase(std::unique(out.as_set.begin(), out.as_set.end()), out.as_set.end());
            out.asn = Asn(out.as_set.front());
        } else {
            out.asn = Asn(it->asns.back());
        }
        break;
    }
    return out;
}

} // namespace dg::bgp
