#include "dg/store/file_watch.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace dg::store {
namespace {

/// File systems a write found full: device → bytes free at that moment.
struct FullDisks {
    std::mutex mutex;
    std::map<dev_t, std::uint64_t> free_at_failure;
};

FullDisks& full_disks() {
    static FullDisks disks;
    return disks;
}

std::uint64_t free_bytes(const struct statvfs& fs) {
    return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
}

/// Room again once 1 MiB more is free than when the write failed (a transaction that failed
/// at N bytes free is likely to fail again at N + a few pages).
constexpr std::uint64_t kRoomAgain = 1 << 20;
/// SQLITE_FULL with more free than this on the database's file system came from elsewhere (a
/// temporary file on another disk, a page-count limit): that disk is not marked.
constexpr std::uint64_t kFullBelow = std::uint64_t{64} << 20;

/// The "full" error while `device` is marked full and has not got room again (else unmarks it).
Result<void> check_room(const std::string& path, dev_t device, const struct statvfs& fs) {
    auto& disks = full_disks();
    const std::lock_guard lock(disks.mutex);
    auto it = disks.free_at_failure.find(device);
    if (it == disks.free_at_failure.end()) {
        return ok();
    }
    const std::uint64_t now_free = free_bytes(fs);
    if (now_free >= it->second + kRoomAgain) {
        disks.free_at_failure.erase(it);
        return ok();
    }
    return make_error(ErrorCode::Unavailable,
                      "the disk holding the database is full (" + std::to_string(now_free / 1024) +
                          " KiB free): nothing more can be stored until space is freed (writes "
                          "are accepted again with 1 MiB more free)")
        .at(path);
}

} // namespace

void FileWatch::note_full(const std::string& path) {
    struct stat st {};
    struct statvfs fs {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0 || ::statvfs(path.c_str(), &fs) != 0 ||
        free_bytes(fs) >= kFullBelow) {
        return;
    }
    auto& disks = full_disks();
    const std::lock_guard lock(disks.mutex);
    disks.free_at_failure[st.st_dev] = free_bytes(fs);
}

FileWatch FileWatch::of_path(const std::string& path) {
    FileWatch w;
    struct stat st {};
    if (path.empty() || ::stat(path.c_str(), &st) != 0) {
        return w; // nothing to watch
    }
    w.path_ = path;
    w.device_ = st.st_dev;
    w.inode_ = st.st_ino;
    return w;
}

Result<void> FileWatch::check_identity() const {
    struct stat st {};
    return identity(st);
}

Result<void> FileWatch::check() const {
    struct stat st {};
    DG_TRY_VOID(identity(st));
    if (path_.empty()) {
        return ok();
    }
    struct statvfs fs {};
    const bool have_fs = ::statvfs(path_.c_str(), &fs) == 0;
    if ((have_fs && (fs.f_flag & ST_RDONLY) != 0) || ::access(path_.c_str(), W_OK) != 0) {
        return make_error(ErrorCode::Unavailable,
                          "the database file is read-only now (nothing can be stored)")
            .at(path_);
    }
    return have_fs ? check_room(path_, st.st_dev, fs) : ok();
}

Result<void> FileWatch::identity(struct stat& st) const {
    if (path_.empty()) {
        return ok();
    }
    if (::stat(path_.c_str(), &st) != 0) {
        return make_error(ErrorCode::Unavailable,
                          "the database file was removed while in use (nothing more can be "
                          "stored; restore it and restart)")
            .at(path_);
    }
    if (st.st_dev != device_ || st.st_ino != inode_) {
        return make_error(ErrorCode::Unavailable,
                          "the database file was replaced by another file while in use "
                          "(restart to use the new one)")
            .at(path_);
    }
    return ok();
}

} // namespace dg::store
