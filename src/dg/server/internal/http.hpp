#pragma once
// The server's HTTP engine (docs/design/0008-server-http.md): Boost.Beast on Asio, event-driven.
// Idle and slow clients cost a socket and a buffer, never a thread: requests are read by the I/O
// threads (with header and body timeouts and size limits), then handled on one of three lanes:
//  - Light (health, readiness, metrics): a thread of its own, never behind other work;
//  - Normal: a bounded pool of workers with a bounded queue (503 + Retry-After beyond it);
//  - Heavy (whole-scan analytics, exports, clusters, reports): the same workers, but at most
//    `max_heavy` at once (429 + Retry-After beyond it), so they cannot take every worker.
// Route handlers see Request and Response, plain values (no socket): the engine writes the
// answer, or streams it in chunks when the handler gives a Response::stream producer.

#include "dg/core/result.hpp"

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace dg::server::http {

/// Case-insensitive ordering for header names (RFC 9110: field names are case-insensitive).
struct HeaderNameLess {
    bool operator()(const std::string& a, const std::string& b) const;
};
using Headers = std::multimap<std::string, std::string, HeaderNameLess>;
using Params = std::multimap<std::string, std::string>;

struct Request {
    std::string method; ///< upper case, as sent
    std::string target; ///< path and query, as sent
    std::string path;   ///< percent-decoded path, without the query
    Params params;      ///< decoded query parameters
    Headers headers;
    std::string body;
    std::string remote_addr;
    std::smatch matches; ///< the route pattern's groups over `path`

    [[nodiscard]] bool has_param(const char* name) const { return params.count(name) > 0; }
    /// The `index`th value of a query parameter ("" when there is none).
    [[nodiscard]] std::string get_param_value(const char* name, std::size_t index = 0) const;
    [[nodiscard]] std::size_t get_param_value_count(const char* name) const {
        return params.count(name);
    }
    [[nodiscard]] bool has_header(const char* name) const { return headers.count(name) > 0; }
    [[nodiscard]] std::string get_header_value(const char* name) const;
};

/// Where a streamed answer's bytes go. write() blocks while the client is slow to read (up to the
/// engine's write timeout) and answers false when the client is gone: stop producing then.
class DataSink {
public:
    virtual ~DataSink() = default;
    virtual bool write(const char* data, std::size_t size) = 0;
    bool write(std::string_view bytes) { return write(bytes.data(), bytes.size()); }
};

struct Response {
    int status = 200;
    Headers headers;
    std::string body;
    std::string content_type;
    /// When set, the answer is sent with chunked transfer encoding from what this writes (on the
    /// worker thread; `body` is ignored). Answering false aborts the connection (the client sees
    /// a truncated answer, never a complete-looking wrong one).
    std::function<bool(DataSink&)> stream;

    void set_header(const std::string& name, const std::string& value);
    void set_content(std::string content, const char* type);
    void set_content(const char* data, std::size_t size, const char* type);
    /// A streamed answer (see `stream`).
    void set_stream(const char* type, std::function<bool(DataSink&)> producer);
};

enum class Lane { Light, Normal, Heavy };
using Handler = std::function<void(const Request&, Response&)>;
/// Runs on the I/O thread before a route's handler is queued: answers false after writing the
/// refusal into the Response (e.g. 401), so refused requests never take a worker.
using Guard = std::function<bool(const Request&, Response&)>;

struct EngineOptions {
    std::size_t workers = 8;              ///< Normal and Heavy handlers run on these
    std::size_t queue = 512;              ///< requests waiting for a worker (503 beyond)
    std::size_t max_heavy = 2;            ///< Heavy handlers at once (429 beyond)
    std::size_t max_connections = 10000;  ///< open connections (503 and close beyond)
    std::size_t max_header_bytes = 32768; ///< request line + header fields (431 beyond)
    std::size_t max_body_bytes = 16u << 20;
    std::size_t max_requests_per_connection = 10000; ///< then `Connection: close`
    std::chrono::milliseconds header_timeout{10000}; ///< to read a whole request head
    std::chrono::milliseconds body_timeout{30000};   ///< to read a whole body
    std::chrono::milliseconds idle_timeout{15000};   ///< between keep-alive requests
    std::chrono::milliseconds write_timeout{30000};  ///< per write to the client
    /// When true, only these Host header names (without the port) are answered, besides
    /// `localhost`, `*.localhost` and loopback addresses; others get 421. A server bound to a
    /// loopback address sets it: a page from elsewhere cannot reach the API by DNS rebinding.
    bool check_host = false;
    std::vector<std::string> allowed_hosts;
    std::vector<std::pair<std::string, std::string>> default_headers;
    /// Called for every answer (metrics, log): the route's name ("unmatched" when none matched),
    /// the request, the status and the seconds from the end of the request head to the answer.
    std::function<void(const std::string& route, const Request&, int status, double seconds)>
        on_answer;
};

class Engine {
public:
    explicit Engine(EngineOptions options);
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    /// Registers a route: `pattern` is a regular expression over the whole decoded path; the
    /// first route whose method and pattern match answers. Before bind().
    void add(const std::string& method, const std::string& pattern, const std::string& name,
             Lane lane, Handler handler, Guard guard = {});
    /// Binds and listens (SO_REUSEADDR, never SO_REUSEPORT). Port 0: any free port. Returns the
    /// bound port. Errors: Unavailable (address in use), Io.
    Result<int> bind(const std::string& host, int port);
    /// Serves until stop(): then stops accepting, lets handlers that started finish and their
    /// answers go out (bounded by the write timeout), closes the connections and returns.
    void run();
    /// Thread-safe, returns at once.
    void stop();
    /// Answers one raw HTTP/1.1 request (bytes as a client sends them) through the same parsing,
    /// limits, routing and handlers, on the calling thread, and returns the raw answer. For the
    /// fuzz target and tests; a streamed answer is returned whole (chunked).
    std::string answer_raw(std::string_view request_bytes);

    struct State;

private:
    std::unique_ptr<State> state_;
};

/// Decodes %XX (and '+' as a space when `plus_is_space`); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);
/// The query string's parameters, decoded (malformed escapes are kept as sent).
Params parse_query(std::string_view query);

} // namespace dg::server::http
