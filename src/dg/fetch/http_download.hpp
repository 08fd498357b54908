#pragma once
// Resumable HTTP(S) downloads to a file (libcurl adapter).

#include "dg/core/result.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace dg::fetch {

struct DownloadOptions {
    int attempts = 5;                  ///< tries in all; each resumes where the last stopped
    long connect_timeout_s = 20;       ///< per attempt
    long low_speed_limit_bytes = 1024; ///< abort an attempt slower than this ...
    long low_speed_time_s = 60;        ///< ... for this long
    std::function<void(std::uint64_t done, std::uint64_t total)> on_progress; ///< may be empty
};

struct DownloadReport {
    std::uint64_t bytes = 0; ///< final file size
    int attempts = 0;        ///< attempts made
    bool resumed = false;    ///< at least one attempt continued a partial file
};

/// Downloads `url` to `dest`. Data goes to `dest + ".part"` first; an existing `.part` is resumed
/// with an HTTP Range request (a server that ignores Range restarts it); interrupted transfers are
/// retried with backoff. On success the `.part` is checked against the announced length and renamed
/// to `dest`. Errors: Unavailable (network, HTTP 5xx after all attempts), NotFound (HTTP 404), Io.
Result<DownloadReport> download(const std::string& url, const std::string& dest,
                                const DownloadOptions& options = {});

struct PostResponse {
    long status = 0;  ///< HTTP status code
    std::string body; ///< the first 4 KiB of the response
};

/// POSTs `body` to `url` (http or https) with `headers` ("Name: value"). A response of any
/// status is a PostResponse; errors: Unavailable (libcurl missing, connection failed, timeout).
Result<PostResponse> http_post(const std::string& url, const std::string& body,
                               const std::vector<std::string>& headers, long timeout_s = 30);

/// An e-mail for smtp_send: RFC 5322 headers and body, lines ending in CRLF.
struct Mail {
    std::string from;            ///< envelope sender (MAIL FROM)
    std::vector<std::string> to; ///< envelope recipients (RCPT TO)
    std::string message;         ///< the whole message: headers, blank line, body
};

/// Sends `mail` through the SMTP server of `url` (smtp://HOST[:PORT], default port 25), with
/// STARTTLS when the server offers it (smtps:// for TLS from the start). Errors: Unavailable
/// (libcurl missing, connection failed, timeout, a recipient or the message refused).
Result<void> smtp_send(const std::string& url, const Mail& mail, long timeout_s = 30);

} // namespace dg::fetch
