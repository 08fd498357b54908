#include "dg/fetch/http_download.hpp"

#include "dg/core/shared_library.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <curl/curl.h>
#include <filesystem>
#include <memory>
#include <thread>

namespace dg::fetch {
namespace {

/// libcurl, opened on first use (dg/core/shared_library.hpp): `rib fetch` needs it, nothing else.
#define DG_LIBCURL_FUNCTIONS(X)                                                                    \
    X(curl_global_init)                                                                            \
    X(curl_easy_init)                                                                              \
    X(curl_easy_setopt)                                                                            \
    X(curl_easy_perform)                                                                           \
    X(curl_easy_getinfo)                                                                           \
    X(curl_easy_strerror)                                                                          \
    X(curl_easy_cleanup)                                                                           \
    X(curl_slist_append)                                                                           \
    X(curl_slist_free_all)

struct LibCurl {
    DG_LIBCURL_FUNCTIONS(DG_API_MEMBER)
};

void bind_libcurl(SharedLibrary& library, LibCurl& api) {
    DG_LIBCURL_FUNCTIONS(DG_API_BIND)
}

const Result<LibCurl>& libcurl() {
    return load_once<LibCurl, bind_libcurl>(DG_LIBCURL_SONAME);
}

/// The loaded library: only after download() checked libcurl().
const LibCurl& curl() {
    return libcurl().value();
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl().curl_easy_cleanup(c); }
};

/// libcurl loaded and globally initialised (once). Errors: Unavailable.
Result<void> curl_ready() {
    if (!libcurl()) {
        return libcurl().error();
    }
    static const bool initialised = curl().curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (!initialised) {
        return make_error(ErrorCode::Unavailable, "libcurl could not be initialised");
    }
    return ok();
}
struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

struct Transfer {
    std::FILE* out = nullptr;
    long status = 0;
    bool write_failed = false;
    const DownloadOptions* options = nullptr;
    std::uint64_t base = 0;
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (std::fwrite(data, 1, n, t->out) != n) {
        t->write_failed = true;
        return 0;
    }
    return n;
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t /*ultotal*/,
                curl_off_t /*ulnow*/) {
    auto* t = static_cast<Transfer*>(user);
    if (t->options->on_progress && total > 0) {
        t->options->on_progress(t->base + static_cast<std::uint64_t>(now),
                                t->base + static_cast<std::uint64_t>(total));
    }
    return 0;
}

std::uint64_t file_size_or_zero(const std::string& path) {
    std::error_code ec;
    const auto s = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(s);
}

struct AttemptOutcome {
    CURLcode code = CURLE_OK;
    long status = 0;
    curl_off_t expected = -1; ///< Content-Length of this response
    bool write_failed = false;
};

AttemptOutcome attempt(const std::string& url, const std::string& part,
                       const DownloadOptions& options, std::uint64_t have) {
    AttemptOutcome out;
    std::unique_ptr<CURL, CurlDeleter> handle(curl().curl_easy_init());
    std::unique_ptr<std::FILE, FileCloser> file(std::fopen(part.c_str(), have > 0 ? "ab" : "wb"));
    if (!handle || !file) {
        out.write_failed = true;
        return out;
    }
    Transfer t{file.get(), 0, false, &options, have};
    CURL* c = handle.get();
    curl().curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl().curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl().curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl().curl_easy_setopt(c, CURLOPT_FAILONERROR, 0L);
    curl().curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl().curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
    curl().curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl().curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl().curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
    curl().curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options.connect_timeout_s);
    curl().curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_limit_bytes);
    curl().curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options.low_speed_time_s);
    curl().curl_easy_setopt(c, CURLOPT_USERAGENT, "domaingraph/0.1 (rib fetch)");
    if (have > 0) {
        curl().curl_easy_setopt(c, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(have));
    }
    out.code = curl().curl_easy_perform(c);
    curl().curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
    curl().curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &out.expected);
    out.write_failed = t.write_failed;
    return out;
}

} // namespace

Result<DownloadReport> download(const std::string& url, const std::string& dest,
                                const DownloadOptions& options) {
    DG_TRY_VOID(curl_ready());
    const std::string part = dest + ".part";
    DownloadReport report;
    std::string last_problem;
    for (int i = 0; i < options.attempts; ++i) {
        if (i > 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200 << std::min(i, 5)));
        }
        const std::uint64_t have = file_size_or_zero(part);
        report.resumed = report.resumed || have > 0;
        ++report.attempts;
        auto out = attempt(url, part, options, have);
        if (out.write_failed) {
            return Error{ErrorCode::Io, "cannot write the download", part, {}, {}};
        }
        if (out.status == 404) {
            std::filesystem::remove(part);
            return Error{ErrorCode::NotFound, "HTTP 404: no such dump", url, {}, {}};
        }
        if (have > 0 && out.status == 200) {
            // The server ignored the Range request and sent everything again: the part file now
            // holds old bytes followed by a full copy. Start over cleanly.
            std::filesystem::remove(part);
            last_problem = "server does not support resuming; restarted";
            continue;
        }
        if (out.code == CURLE_RANGE_ERROR || out.status == 416) {
            std::filesystem::remove(part);
            last_problem = "server rejected the resume range; restarted";
            continue;
        }
        if (out.code != CURLE_OK) {
            last_problem = curl().curl_easy_strerror(out.code);
            continue;
        }
        if (out.status >= 400) {
            last_problem = "HTTP " + std::to_string(out.status);
            if (out.status < 500) {
                std::filesystem::remove(part);
                return Error{ErrorCode::Unavailable, last_problem, url, {}, {}};
            }
            continue;
        }
        const std::uint64_t size = file_size_or_zero(part);
        if (out.expected >= 0 && size != have + static_cast<std::uint64_t>(out.expected)) {
            last_problem = "short transfer";
            continue;
        }
        std::error_code ec;
        std::filesystem::rename(part, dest, ec);
        if (ec) {
            return Error{ErrorCode::Io, "cannot rename download: " + ec.message(), dest, {}, {}};
        }
        report.bytes = size;
        return report;
    }
    return Error{ErrorCode::Unavailable,
                 "download failed after " + std::to_string(report.attempts) + " attempts (last: " +
                     last_problem + "); the partial file is kept and " + "the next run resumes it",
                 url,
                 {},
                 {}};
}

namespace {

std::size_t on_response(char* data, std::size_t size, std::size_t count, void* user) {
    auto* body = static_cast<std::string*>(user);
    const std::size_t n = size * count;
    if (body->size() < 4096) { // enough for an error message
        body->append(data, std::min<std::size_t>(n, 4096 - body->size()));
    }
    return n;
}

struct SlistDeleter {
    void operator()(curl_slist* l) const { curl().curl_slist_free_all(l); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// A new easy handle, libcurl loaded and initialised first. Errors: Unavailable.
Result<std::unique_ptr<CURL, CurlDeleter>> new_transfer() {
    DG_TRY_VOID(curl_ready());
    std::unique_ptr<CURL, CurlDeleter> c(curl().curl_easy_init());
    if (!c) {
        return make_error(ErrorCode::Unavailable, "libcurl could not start a transfer");
    }
    return c;
}

/// `items` as a curl_slist (headers, recipients). Errors: Internal.
Result<Slist> string_list(const std::vector<std::string>& items) {
    Slist list;
    for (const std::string& item : items) {
        curl_slist* grown = curl().curl_slist_append(list.get(), item.c_str());
        if (grown == nullptr) {
            return make_error(ErrorCode::Internal, "libcurl could not make a list");
        }
        (void)list.release();
        list.reset(grown);
    }
    return list;
}

} // namespace

Result<PostResponse> http_post(const std::string& url, const std::string& body,
                               const std::vector<std::string>& headers, long timeout_s) {
    DG_TRY(const auto c, new_transfer());
    DG_TRY(const auto list, string_list(headers));
    PostResponse response;
    CURL* h = c.get();
    curl().curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl().curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl().curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
    curl().curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl().curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
    curl().curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_response);
    curl().curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl().curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    curl().curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout_s, 10L));
    curl().curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl().curl_easy_setopt(h, CURLOPT_USERAGENT, "domaingraph/0.1 (alerts)");
    const CURLcode rc = curl().curl_easy_perform(h);
    if (rc != CURLE_OK) {
        return make_error(ErrorCode::Unavailable,
                          "POST " + url + ": " + curl().curl_easy_strerror(rc));
    }
    curl().curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
}

namespace {

/// Feeds an upload from a string (CURLOPT_READFUNCTION).
struct Upload {
    const std::string* data = nullptr;
    std::size_t offset = 0;
};

std::size_t on_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* u = static_cast<Upload*>(user);
    const std::size_t n = std::min(size * count, u->data->size() - u->offset);
    std::copy_n(u->data->data() + u->offset, n, buffer);
    u->offset += n;
    return n;
}

} // namespace

Result<void> smtp_send(const std::string& url, const Mail& mail, long timeout_s) {
    DG_TRY(const auto c, new_transfer());
    std::vector<std::string> to;
    for (const std::string& address : mail.to) {
        to.push_back("<" + address + ">");
    }
    DG_TRY(const auto recipients, string_list(to));
    const std::string from = "<" + mail.from + ">";
    Upload upload{&mail.message, 0};
    CURL* h = c.get();
    curl().curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl().curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
    curl().curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
    curl().curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY));
    curl().curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl().curl_easy_setopt(h, CURLOPT_READFUNCTION, on_upload);
    curl().curl_easy_setopt(h, CURLOPT_READDATA, &upload);
    curl().curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE,
                            static_cast<curl_off_t>(mail.message.size()));
    curl().curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout_s);
    curl().curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, std::min(timeout_s, 10L));
    curl().curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    const CURLcode rc = curl().curl_easy_perform(h);
    if (rc != CURLE_OK) {
        return make_error(ErrorCode::Unavailable,
                          "SMTP " + url + ": " + curl().curl_easy_strerror(rc));
    }
    return ok();
}

} // namespace dg::fetch
