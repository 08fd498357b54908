#pragma once
// Where an export goes: the shared `-o` helper (dg/core/output_file.hpp): stdout for "-", a FIFO,
// device or /proc/self/fd link written in place, a regular file (symlinks followed) written under
// a temporary name and renamed into place on commit().

#include "dg/core/output_file.hpp"

namespace dg::exports {

using Output = dg::OutputFile;

} // namespace dg::exports
