#pragma once
// Text renderings of decoded MRT records: `bgpdump -m` pipe lines and JSON lines.

#include "dg/bgp/mrt_reader.hpp"

#include <string>

namespace dg::bgp {

/// Appends the `bgpdump -m` lines of `rec` (one per RIB entry, announced or withdrawn prefix,
/// state change) to `out`. Records bgpdump prints nothing for append nothing.
void append_bgpdump_lines(const MrtRecord& rec, std::string& out);

/// Appends one JSON object per line for the same units, with every decoded field.
void append_jsonl_lines(const MrtRecord& rec, std::string& out);

/// An AS_PATH in bgpdump notation: "1 2 {3,4} (5 6) [7,8]".
void append_as_path(const AsPath& path, std::string& out);

/// An address the way inet_ntop / bgpdump print it.
void append_ip(const IpAddress& ip, std::string& out);

} // namespace dg::bgp
