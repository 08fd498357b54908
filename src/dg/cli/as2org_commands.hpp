#pragma once
// `as2org infer|validate|diff` (cmd_as2org_infer.cpp), registered by cmd_as2org.cpp into the
// `as2org` group.

#include "dg/cli/commands.hpp"

namespace dg::cli {

void register_as2org_infer(CLI::App& group, Runner& selected);
void register_as2org_fetch(CLI::App& group, Runner& selected); // cmd_as2org_fetch.cpp
void register_as2org_validate(CLI::App& group, Runner& selected);
void register_as2org_diff(CLI::App& group, Runner& selected);

} // namespace dg::cli
