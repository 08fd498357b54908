#include "dg/core/output_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace dg {
namespace {

/// Makes a rename durable: the directory entry reaches the disk with the file (best effort: a
/// file system that cannot fsync a directory has nothing more to give).
void sync_parent_directory(const std::string& path) {
    const auto slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "."
                            : slash == 0               ? "/"
                                                       : path.substr(0, slash);
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)::fsync(fd);
        ::close(fd);
    }
}

constexpr int kMaxSymlinkHops = 40; // Linux's MAXSYMLINKS

Error io_error(const std::string& what, const std::string& path) {
    return make_error(ErrorCode::Io, what + ": " + std::strerror(errno)).at(path);
}

bool starts_with(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

/// What `-o PATH` refers to once symlinks are followed.
struct Target {
    std::string path; ///< the final target (for a magic /proc link: the path as given)
    bool in_place = false;
    bool exists = false;
    mode_t mode = 0; ///< permission bits of an existing regular file
};

Result<Target> resolve(const std::string& path) {
    std::string p = path;
    for (int hop = 0; hop <= kMaxSymlinkHops; ++hop) {
        // /proc/self/fd/N and /dev/fd/N are not paths but the open file itself (a pipe, a
        // terminal, a file opened by the shell): write through them, never beside them.
        if (starts_with(p, "/proc/") || starts_with(p, "/dev/fd/")) {
            return Target{p, true, true, 0};
        }
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) {
            if (errno == ENOENT) {
                return Target{p, false, false, 0};
            }
            return io_error("cannot stat", p);
        }
        if (S_ISREG(st.st_mode)) {
            return Target{p, false, true, st.st_mode & 07777};
        }
        if (!S_ISLNK(st.st_mode)) {
            return Target{p, true, true, 0}; // FIFO, device, socket (a directory fails at open)
        }
        std::string link(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
        const ssize_t n = ::readlink(p.c_str(), link.data(), link.size());
        if (n < 0) {
            return io_error("cannot read the symlink", p);
        }
        link.resize(static_cast<std::size_t>(n));
        if (link.empty()) {
            return make_error(ErrorCode::InvalidArgument, "empty symlink").at(p);
        }
        if (link.front() != '/') {
            const auto parent = std::filesystem::path(p).parent_path();
            link = parent.empty() ? link : (parent / link).string();
        }
        p = std::move(link);
    }
    return make_error(ErrorCode::InvalidArgument, "too many levels of symbolic links").at(path);
}

} // namespace

OutputFile::OutputFile(std::string path, std::string target, std::string temp, std::FILE* file)
    : path_(std::move(path)), target_(std::move(target)), temp_(std::move(temp)), file_(file) {}

Result<std::unique_ptr<OutputFile>> OutputFile::open(const std::string& path, Mode mode) {
    if (path == "-") {
        return std::unique_ptr<OutputFile>(new OutputFile(path, "", "", stdout));
    }
    if (path.empty()) {
        return make_error(ErrorCode::InvalidArgument, "empty output path");
    }
    DG_TRY(const Target t, resolve(path));
    if (t.in_place || mode != Mode::Replace) {
        int flags = O_WRONLY | O_CLOEXEC;
        if (!t.in_place) { // a regular file or nothing: streamed in place
            flags |= O_CREAT | (mode == Mode::Append ? O_APPEND : O_TRUNC);
        } else if (mode == Mode::Append) {
            flags |= O_APPEND;
        }
        const int fd = ::open(t.path.c_str(), flags, 0666);
        if (fd < 0) {
            return io_error("cannot open", path);
        }
        std::FILE* f = ::fdopen(fd, mode == Mode::Append ? "ab" : "wb");
        if (f == nullptr) {
            Error e = io_error("cannot open", path);
            ::close(fd);
            return e;
        }
        return std::unique_ptr<OutputFile>(new OutputFile(path, "", "", f));
    }
    std::string temp = t.path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        return io_error("cannot create", temp);
    }
    if (t.exists) {
        (void)::fchmod(fd, t.mode); // the replaced file's permissions
    }
    std::FILE* f = ::fdopen(fd, "wb");
    if (f == nullptr) {
        Error e = io_error("cannot create", temp);
        ::close(fd);
        std::remove(temp.c_str());
        return e;
    }
    std::setvbuf(f, nullptr, _IOFBF, std::size_t{1} << 16);
    return std::unique_ptr<OutputFile>(new OutputFile(path, t.path, std::move(temp), f));
}

std::unique_ptr<OutputFile> OutputFile::to_sink(std::function<bool(std::string_view)> sink) {
    auto out = std::unique_ptr<OutputFile>(new OutputFile("(stream)", "", "", nullptr));
    out->sink_ = std::move(sink);
    return out;
}

Result<void> OutputFile::drain_to_sink() {
    if (!pending_.empty() && !sink_(pending_)) {
        return make_error(ErrorCode::Io, "the reader went away");
    }
    pending_.clear();
    return ok();
}

OutputFile::~OutputFile() {
    if (committed_ || file_ == stdout || sink_) {
        return;
    }
    std::fclose(file_);
    if (!temp_.empty()) {
        std::remove(temp_.c_str());
    }
}

Result<void> OutputFile::write(std::string_view bytes) {
    if (bytes.empty()) {
        return ok();
    }
    if (sink_) {
        constexpr std::size_t kBlock = std::size_t{1} << 16;
        pending_.append(bytes);
        offset_ += bytes.size();
        return pending_.size() >= kBlock ? drain_to_sink() : ok();
    }
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
        return io_error("write failed", is_stdout() ? "stdout" : path_);
    }
    offset_ += bytes.size();
    return ok();
}

Result<void> OutputFile::flush() {
    if (sink_) {
        return drain_to_sink();
    }
    if (!committed_ && std::fflush(file_) != 0) {
        return io_error("write failed", is_stdout() ? "stdout" : path_);
    }
    return ok();
}

Result<void> OutputFile::commit() {
    if (committed_) {
        return ok();
    }
    if (sink_) {
        committed_ = true;
        return drain_to_sink();
    }
    if (file_ == stdout) {
        committed_ = true;
        if (std::fflush(file_) != 0) {
            return io_error("write failed", "stdout");
        }
        return ok();
    }
    bool flushed = std::fflush(file_) == 0;
    if (flushed) {
        struct stat st {};
        // Only a regular file is made durable; fsync on a FIFO or terminal fails with EINVAL.
        if (::fstat(::fileno(file_), &st) == 0 && S_ISREG(st.st_mode)) {
            flushed = ::fsync(::fileno(file_)) == 0;
        }
    }
    const int saved = errno;
    const bool closed = std::fclose(file_) == 0;
    committed_ = true; // the FILE is gone either way
    if (!flushed || !closed) {
        errno = flushed ? errno : saved;
        Error e = io_error("write failed", path_);
        if (!temp_.empty()) {
            std::remove(temp_.c_str());
        }
        return e;
    }
    if (temp_.empty()) {
        return ok();
    }
    if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
        Error e = io_error("cannot rename " + temp_ + " to", target_);
        std::remove(temp_.c_str());
        return e;
    }
    sync_parent_directory(target_);
    return ok();
}

Result<void> write_output_file(const std::string& path, std::string_view text) {
    DG_TRY(auto out, OutputFile::open(path));
    DG_TRY_VOID(out->write(text));
    return out->commit();
}

} // namespace dg
