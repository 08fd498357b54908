#pragma once
// Where a command's `-o PATH` goes, the way every Unix tool treats PATH (docs/cli/output-files.md):
//   "-"                      stdout;
//   a FIFO, a character or block device, a socket, or anything reached through /proc/self/fd or
//   /dev/fd                  opened and written in place (it keeps its type);
//   a symlink                followed to its final target, which is then treated as below;
//   a regular file or nothing written under a temporary name beside the (resolved) target and
//                            renamed over it on commit(), so a failed or interrupted write never
//                            leaves a half-written file (the old file's permissions are kept).
// A symlink therefore stays a symlink and its target gets the bytes.

#include "dg/core/result.hpp"

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace dg {

class OutputFile {
public:
    enum class Mode : std::uint8_t {
        Replace, ///< a regular target is replaced atomically on commit() (the default)
        Append,  ///< streamed and appended in place (resumable outputs); never renamed
        Truncate ///< streamed in place from the start (readers see progress); never renamed
    };

    /// Opens `path` for writing (see above). Errors: InvalidArgument (empty path, too many
    /// symlinks), Io.
    static Result<std::unique_ptr<OutputFile>> open(const std::string& path,
                                                    Mode mode = Mode::Replace);
    /// No file: bytes go to `sink` in blocks of 64 KiB (the rest on flush() and commit()); a
    /// false answer is an Io error ("the reader went away"). The server streams exports so.
    static std::unique_ptr<OutputFile> to_sink(std::function<bool(std::string_view)> sink);
    ~OutputFile();
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    /// Appends bytes. Errors: Io (disk full, closed pipe).
    Result<void> write(std::string_view bytes);
    /// Bytes written so far (the offset of the next byte).
    [[nodiscard]] std::uint64_t offset() const { return offset_; }
    /// Hands buffered bytes to the kernel (streamed outputs; a temporary file stays temporary).
    /// Errors: Io.
    Result<void> flush();
    /// Flushes (and fsyncs a regular file); a temporary file is renamed onto its target.
    /// Without commit() the temporary file is removed and the target left as it was. Errors: Io.
    Result<void> commit();
    [[nodiscard]] bool is_stdout() const { return path_ == "-" && !sink_; }
    /// The path as given.
    [[nodiscard]] const std::string& path() const { return path_; }

private:
    OutputFile(std::string path, std::string target, std::string temp, std::FILE* file);
    std::string path_;
    std::string target_; ///< the resolved rename target ("" when written in place)
    std::string temp_;   ///< "" when written in place
    std::FILE* file_ = nullptr;
    std::function<bool(std::string_view)> sink_;
    std::string pending_; ///< bytes not yet handed to sink_
    Result<void> drain_to_sink();
    std::uint64_t offset_ = 0;
    bool committed_ = false;
};

/// Writes `text` to `path` through an OutputFile and commits it. Errors: as OutputFile.
Result<void> write_output_file(const std::string& path, std::string_view text);

} // namespace dg
