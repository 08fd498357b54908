#pragma once
// Whether a SQLite database is still the file a long-running process opened (issue 19 item 7):
// a file removed or replaced while a server or a scan holds it open takes every later write with
// it (they go to the unlinked inode, and a new connection would create an empty database), and a
// file system remounted read-only refuses them. Checked with system calls only (thread-safe,
// cheap); PostgreSQL stores are always "ok" here (their errors come back from the server).

#include "dg/core/result.hpp"

#include <string>
#include <sys/stat.h>
#include <sys/types.h>

namespace dg::store {

class FileWatch {
public:
    /// Remembers the identity of the file at `path` (a watch of a path that does not exist, or
    /// of "", is always ok: in-memory databases).
    static FileWatch of_path(const std::string& path);

    /// Ok while the path still names the same file on a writable file system with room.
    /// Errors: Unavailable, saying what happened ("removed", "replaced", "read-only", "full").
    [[nodiscard]] Result<void> check() const;
    /// Ok while the path still names the same file (reads may go on from a read-only or full
    /// file system; a new connection to a removed file would create an empty database).
    [[nodiscard]] Result<void> check_identity() const;

    /// Records that a write to the database at `path` failed for want of space (SQLite's
    /// SQLITE_FULL, ENOSPC). When that file system has less than 64 MiB free, every watch of a
    /// file on it reports "full" from then on until it has 1 MiB more free than at the failure
    /// (process-wide, thread-safe; with more free the failure came from elsewhere: a temporary
    /// file on another disk, a page-count limit).
    static void note_full(const std::string& path);
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    /// The removed/replaced checks; fills `st` with the file's status.
    Result<void> identity(struct stat& st) const;
    std::string path_; ///< "" = not a file (always ok)
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

} // namespace dg::store
