#pragma once
// Whether a SQLite database is still the file a long-running process opened (issue 19 item 7):
// a file removed or replaced while a server or a scan holds it open takes every later write with
// it (they go to the unlinked inode, and a new connection would create an empty database), and a
// file system remounted read-only refuses them. Checked with system calls only (thread-safe,
// cheap); PostgreSQL stores are always "ok" here (their errors come back from the server).

#include "dg/core/result.hpp"

#include <string>
#include <sys/types.h>

namespace dg::store {

class FileWatch {
public:
    /// Remembers the identity of the file at `path` (a watch of a path that does not exist, or
    /// of "", is always ok: in-memory databases).
    static FileWatch of_path(const std::string& path);

    /// Ok while the path still names the same file on a writable file system. Errors:
    /// Unavailable, saying what happened ("removed", "replaced", "read-only").
    [[nodiscard]] Result<void> check() const;
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    std::string path_; ///< "" = not a file (always ok)
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

} // namespace dg::store
