#pragma once
// Test helpers: running commands, temporary directories, shared data and external tools.

#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace dg::test {

struct CommandResult {
    int exit_code = -1; ///< exit status, or 128+signal when killed
    std::string out;
    std::string err;
};

/// Runs argv[0] (searched in PATH) with `input` on stdin; captures stdout and stderr.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "");
/// Path of the domaingraph binary under test (env DG_BIN).
std::string dg_binary();
/// Whether an executable is on PATH (or is an existing path).
bool tool_available(const std::string& name);
/// ../shared/data/<rel>, or "" when missing.
std::string shared_data(const std::string& rel);
/// Whether CI demands that integration prerequisites exist (DG_REQUIRE_INTEGRATION=1).
bool integration_required();
/// Reads a whole file (binary). Empty on failure.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data);
/// Splits on '\n' (no trailing empty element).
std::vector<std::string> split_lines(const std::string& text);

/// A directory removed with its contents on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return path_; }
    [[nodiscard]] std::string file(const std::string& name) const { return path_ + "/" + name; }

private:
    std::string path_;
};

} // namespace dg::test

/// Skips (or fails under DG_REQUIRE_INTEGRATION=1) when a shared data file is missing.
#define DG_SHARED_OR_SKIP(var, rel)                                                                \
    std::string var = ::dg::test::shared_data(rel);                                                \
    if (var.empty()) {                                                                             \
        if (::dg::test::integration_required()) {                                                  \
            FAIL() << "missing ../shared/data/" << (rel);                                          \
        }                                                                                          \
        GTEST_SKIP() << "missing ../shared/data/" << (rel)                                         \
                     << " (clone shared/ beside the project)";                                     \
    }

/// Skips (or fails under DG_REQUIRE_INTEGRATION=1) when a peer tool is not installed.
#define DG_TOOL_OR_SKIP(name)                                                                      \
    if (!::dg::test::tool_available(name)) {                                                       \
        if (::dg::test::integration_required()) {                                                  \
            FAIL() << (name) << " is not installed (scripts/setup installs it)";                   \
        }                                                                                          \
        GTEST_SKIP() << (name) << " is not installed (scripts/setup installs it)";                 \
    }
