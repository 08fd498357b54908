// domaingraph-serve.so: the entry point the CLI's `serve` command calls (plugin.hpp).
#include "dg/server/plugin.hpp"

#include "dg/shards/lake.hpp"

#include <cstdio>
#include <exception>

extern "C" __attribute__((visibility("default"))) int
dg_serve_plugin_run(const dg::server::ServerOptions* options, std::size_t options_size) {
    if (options == nullptr || options_size != sizeof(dg::server::ServerOptions)) {
        std::fprintf(stderr,
                     "domaingraph serve: %s is from another build of domaingraph "
                     "(rebuild or reinstall both)\n",
                     dg::server::kServePluginFile);
        return 1;
    }
    dg::shards::register_lake_results(); // lake scans read like any other
    try {
        return dg::server::serve_until_signalled(*options);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "domaingraph serve: %s\n", e.what());
        return 1;
    }
}
