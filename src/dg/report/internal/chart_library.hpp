#pragma once
// The minified Chart.js UMD build, embedded at build time (cmake/embed_text.cmake).

#include <string>
#include <string_view>

namespace dg::report::internal {

/// The library's source; empty when the build found no web/report/node_modules/chart.js.
const std::string& chart_library();

} // namespace dg::report::internal
