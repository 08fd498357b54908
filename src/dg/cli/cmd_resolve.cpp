#include "dg/cli/commands.hpp"

namespace dg::cli {

void register_resolve_command(CLI::App& app, Runner& selected) {
    (void)app;
    (void)selected;
}

} // namespace dg::cli
