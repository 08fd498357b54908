#include "dg/store/file_watch.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace dg::store {

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

Result<void> FileWatch::check() const {
    if (path_.empty()) {
        return ok();
    }
    struct stat st {};
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
    struct statvfs fs {};
    if ((::statvfs(path_.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0) ||
        ::access(path_.c_str(), W_OK) != 0) {
        return make_error(ErrorCode::Unavailable,
                          "the database file is read-only now (nothing can be stored)")
            .at(path_);
    }
    return ok();
}

} // namespace dg::store
