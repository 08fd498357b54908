#pragma once
// `domaingraph serve` as a plugin: the server and cpp-httplib (with the OpenSSL and Brotli it is
// built against) live in domaingraph-serve.so, which the CLI opens only for `serve`. Linked into
// the executable they cost every domaingraph process ~4 ms before main (docs/architecture.md).
//
// The CLI and the plugin come from the same build (the CLI looks beside its own executable
// first); the options' size is checked as a guard against a stale plugin.

#include "dg/server/server.hpp"

#include <cstddef>

namespace dg::server {

inline constexpr const char* kServePluginFile = "domaingraph-serve.so";
inline constexpr const char* kServePluginEntry = "dg_serve_plugin_run";
/// The plugin's entry point: serve_until_signalled(*options); `options_size` =
/// sizeof(ServerOptions).
using ServePluginEntry = int (*)(const ServerOptions* options, std::size_t options_size);

/// Runs a server as `domaingraph serve` does: prints where it listens on stderr and serves until
/// SIGINT or SIGTERM, then stops gracefully (requests finish, scans are left resumable).
/// Returns the process exit code: 0, or 1 with the reason on stderr.
int serve_until_signalled(const ServerOptions& options);

} // namespace dg::server
