#include "dg/cli/commands.hpp"

namespace dg::cli {

void register_lookup_command(CLI::App& app, Runner& selected) {
    (void)app;
    (void)selected;
}

} // namespace dg::cli
