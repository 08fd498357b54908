#include "dg/cli/commands.hpp"

namespace dg::cli {

void register_rib_commands(CLI::App& app, Runner& selected) {
    (void)app;
    (void)selected;
}

} // namespace dg::cli
