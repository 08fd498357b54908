// The HTTP engine (internal/http.hpp): Boost.Beast sessions on Asio I/O threads, handlers on
// bounded worker lanes. Only this file includes Beast (its headers are slow to compile).

#include "dg/server/internal/http.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/resource.h>
#include <thread>

namespace dg::server::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// --- values -----------------------------------------------------------------------------------

bool HeaderNameLess::operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) <
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string Request::get_param_value(const char* name, std::size_t index) const {
    auto [it, end] = params.equal_range(name);
    for (; it != end && index > 0; ++it, --index) {
    }
    return it == end ? std::string() : it->second;
}

std::string Request::get_header_value(const char* name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

void Response::set_header(const std::string& name, const std::string& value) {
    if (name.find_first_of("\r\n") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
        return; // never let a value split the answer's head
    }
    headers.erase(name);
    headers.emplace(name, value);
}

void Response::set_content(std::string content, const char* type) {
    body = std::move(content);
    content_type = type;
}

void Response::set_content(const char* data, std::size_t size, const char* type) {
    body.assign(data, size);
    content_type = type;
}

void Response::set_stream(const char* type, std::function<bool(DataSink&)> producer) {
    content_type = type;
    body.clear();
    stream = std::move(producer);
}

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

} // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return out;
}

Params parse_query(std::string_view query) {
    Params out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) {
            continue;
        }
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        auto k = percent_decode(key, true);
        auto v = percent_decode(value, true);
        out.emplace(k ? *k : std::string(key), v ? *v : std::string(value));
    }
    return out;
}

// --- lanes ------------------------------------------------------------------------------------

namespace {

/// Threads taking tasks from a bounded queue.
class WorkerLane {
public:
    WorkerLane(std::size_t threads, std::size_t capacity) : capacity_(capacity) {
        for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i) {
            threads_.emplace_back([this] { work(); });
        }
    }
    ~WorkerLane() { shutdown(); }
    WorkerLane(const WorkerLane&) = delete;
    WorkerLane& operator=(const WorkerLane&) = delete;

    /// False when the queue is full or the lane is shut down.
    bool submit(std::function<void()> task) {
        {
            const std::lock_guard lock(mutex_);
            if (closed_ || queue_.size() >= capacity_) {
                return false;
            }
            queue_.push_back(std::move(task));
        }
        cv_.notify_one();
        return true;
    }
    /// Waits until no task is queued or running.
    void drain() {
        std::unique_lock lock(mutex_);
        idle_cv_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
    }
    void shutdown() {
        {
            const std::lock_guard lock(mutex_);
            closed_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_) {
            if (t.joinable()) {
                t.join();
            }
        }
        threads_.clear();
    }

private:
    void work() {
        for (;;) {
            std::function<void()> task;
            {
                std::unique_lock lock(mutex_);
                cv_.wait(lock, [this] { return closed_ || !queue_.empty(); });
                if (queue_.empty()) {
                    return;
                }
                task = std::move(queue_.front());
                queue_.pop_front();
                ++running_;
            }
            task();
            {
                const std::lock_guard lock(mutex_);
                --running_;
            }
            idle_cv_.notify_all();
        }
    }
    std::size_t capacity_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<std::function<void()>> queue_;
    std::size_t running_ = 0;
    bool closed_ = false;
    std::vector<std::thread> threads_;
};

struct Route {
    std::string method;
    std::regex pattern;
    std::string name;
    Lane lane;
    Handler handler;
    Guard guard;
};

const char* reason_code(int status) {
    switch (status) {
    case 400:
        return "bad_request";
    case 404:
        return "not_found";
    case 405:
        return "method_not_allowed";
    case 408:
        return "request_timeout";
    case 413:
        return "payload_too_large";
    case 421:
        return "misdirected_request";
    case 429:
        return "too_many_requests";
    case 431:
        return "request_header_fields_too_large";
    case 503:
        return "unavailable";
    default:
        return status >= 500 ? "internal" : "bad_request";
    }
}

/// The engine's own error answers, in the API's error shape.
void set_error(Response& res, int status, std::string_view message) {
    const nlohmann::json body = {
        {"error", {{"code", reason_code(status)}, {"message", std::string(message)}}}};
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
}

bool is_loopback_name(std::string host) {
    std::transform(host.begin(), host.end(), host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (!host.empty() && host.back() == '.') {
        host.pop_back();
    }
    if (host == "localhost" || (host.size() > 10 && host.ends_with(".localhost")) ||
        host == "[::1]" || host == "::1") {
        return true;
    }
    boost::system::error_code ec;
    const auto a = asio::ip::make_address_v4(host, ec);
    return !ec && a.is_loopback();
}

/// The host name of a Host header value (without the port; brackets kept for IPv6).
std::string host_of(std::string_view value) {
    if (!value.empty() && value.front() == '[') {
        const auto close = value.find(']');
        return std::string(
            value.substr(0, close == std::string_view::npos ? value.size() : close + 1));
    }
    return std::string(value.substr(0, value.find(':')));
}

} // namespace

// --- the engine's state -----------------------------------------------------------------------

struct Engine::State {
    EngineOptions options;
    std::vector<Route> routes;
    std::atomic<std::size_t> connections{0};
    std::atomic<std::size_t> heavy_running{0};
    std::atomic<std::size_t> answering{0}; ///< requests between their head and their answer sent
    std::atomic<bool> stopping{false};
    std::mutex stop_mutex;
    std::condition_variable stop_cv;
    bool stop_requested = false;
    WorkerLane* workers = nullptr; ///< set while run() runs
    WorkerLane* light = nullptr;
    // Declared last: destroyed first, with the sessions its pending handlers hold.
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};

    explicit State(EngineOptions o) : options(std::move(o)) {}

    [[nodiscard]] bool host_allowed(const Request& req) const;
    /// The route for the request (matches filled in), or the status to answer: 404, or 405 with
    /// the methods allowed in `allow`.
    const Route* find_route(Request& req, int& status, std::string& allow) const;
    /// Builds the Request from a parsed message. False (with `res` set) when it is unusable.
    bool build_request(bhttp::request<bhttp::string_body>& msg, Request& req, Response& res) const;
    /// Runs a handler, turning exceptions into 500.
    void call(const Route& route, const Request& req, Response& res) const;
    void apply_defaults(Response& res) const {
        for (const auto& [k, v] : options.default_headers) {
            if (res.headers.count(k) == 0) {
                res.headers.emplace(k, v);
            }
        }
    }
};

bool Engine::State::host_allowed(const Request& req) const {
    if (!options.check_host) {
        return true;
    }
    auto it = req.headers.find("Host");
    if (it == req.headers.end()) {
        return true; // HTTP/1.0 without Host: nothing a browser sends
    }
    const std::string host = host_of(it->second);
    if (is_loopback_name(host)) {
        return true;
    }
    return std::any_of(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                       [&](const std::string& h) {
                           return h.size() == host.size() &&
                                  std::equal(h.begin(), h.end(), host.begin(), [](char a, char b) {
                                      return std::tolower(static_cast<unsigned char>(a)) ==
                                             std::tolower(static_cast<unsigned char>(b));
                                  });
                       });
}

const Route* Engine::State::find_route(Request& req, int& status, std::string& allow) const {
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    std::vector<std::string> methods;
    for (const auto& r : routes) {
        if (!std::regex_match(req.path, req.matches, r.pattern)) {
            continue;
        }
        if (r.method == method) {
            return &r;
        }
        if (std::find(methods.begin(), methods.end(), r.method) == methods.end()) {
            methods.push_back(r.method);
        }
    }
    req.matches = {};
    if (methods.empty()) {
        status = 404;
        return nullptr;
    }
    if (std::find(methods.begin(), methods.end(), "GET") != methods.end()) {
        methods.emplace_back("HEAD");
    }
    methods.emplace_back("OPTIONS");
    for (const auto& m : methods) {
        allow += (allow.empty() ? "" : ", ") + m;
    }
    status = req.method == "OPTIONS" ? 204 : 405;
    return nullptr;
}

bool Engine::State::build_request(bhttp::request<bhttp::string_body>& msg, Request& req,
                                  Response& res) const {
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    const auto q = req.target.find('?');
    auto path = percent_decode(std::string_view(req.target).substr(0, q), false);
    if (!path || path->empty() || path->front() != '/' || path->find('\0') != std::string::npos) {
        set_error(res, 400, "the request target is not a valid path");
        return false;
    }
    req.path = std::move(*path);
    if (q != std::string::npos) {
        req.params = parse_query(std::string_view(req.target).substr(q + 1));
    }
    for (const auto& field : msg) {
        req.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    const auto hosts = req.headers.count("Host");
    if ((msg.version() >= 11 && hosts == 0) || hosts > 1) {
        set_error(res, 400, "an HTTP/1.1 request needs one Host header");
        return false;
    }
    if (!host_allowed(req)) {
        set_error(res, 421,
                  "this server answers only requests addressed to its own names (Host header); "
                  "see serve --allowed-host");
        return false;
    }
    return true;
}

void Engine::State::call(const Route& route, const Request& req, Response& res) const {
    try {
        route.handler(req, res);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "domaingraph serve: exception in %s: %s\n", route.name.c_str(),
                     e.what());
        res = Response();
        set_error(res, 500, "internal error (details in the server log)");
    } catch (...) {
        std::fprintf(stderr, "domaingraph serve: unknown exception in %s\n", route.name.c_str());
        res = Response();
        set_error(res, 500, "internal error (details in the server log)");
    }
}

namespace {

/// The head and body of an answer, serialized.
std::string serialize(const Response& res, unsigned version, bool keep_alive, bool head_only,
                      bool chunked) {
    bhttp::response<bhttp::string_body> msg{static_cast<bhttp::status>(res.status), version};
    for (const auto& [k, v] : res.headers) {
        msg.insert(k, v);
    }
    if (!res.content_type.empty()) {
        msg.set(bhttp::field::content_type, res.content_type);
    }
    msg.keep_alive(keep_alive);
    if (chunked) {
        msg.chunked(true);
    } else {
        msg.body() = res.body;
        msg.prepare_payload();
    }
    std::ostringstream out;
    if (head_only || chunked) {
        out << msg.base(); // the start line and the fields, with the blank line after them
        return out.str();
    }
    out << msg;
    return out.str();
}

} // namespace

// --- sessions ---------------------------------------------------------------------------------

namespace {

/// Bytes a streamed answer may have queued before its producer waits for the client.
constexpr std::size_t kStreamWindow = 1u << 20;

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, Engine::State& state) : stream_(std::move(socket)), state_(state) {
        ++state_.connections;
        boost::system::error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        if (!ec) {
            remote_ = ep.address().to_string();
        }
    }
    ~Session() { --state_.connections; }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() { read_head(); }

    struct Streamed; // a streamed answer's queue, shared by the worker and the I/O strand

private:
    void read_head() {
        if (state_.stopping) {
            close();
            return;
        }
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(state_.options.max_header_bytes));
        parser_->body_limit(state_.options.max_body_bytes);
        stream_.expires_after(served_ == 0 ? state_.options.header_timeout
                                           : state_.options.idle_timeout);
        bhttp::async_read_header(stream_, buffer_, *parser_,
                                 beast::bind_front_handler(&Session::on_head, shared_from_this()));
    }

    void on_head(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec == bhttp::error::body_limit) { // a Content-Length beyond the limit
            refuse(413, "the request body is too large (at most " +
                            std::to_string(state_.options.max_body_bytes) + " bytes)");
            return;
        }
        if (ec == bhttp::error::header_limit) {
            refuse(431, "the request head is larger than " +
                            std::to_string(state_.options.max_header_bytes) + " bytes");
            return;
        }
        if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
            ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
            ec == asio::error::eof) {
            close();
            return;
        }
        if (ec) {
            refuse(400, "the request could not be read: " + ec.message());
            return;
        }
        started_ = Clock::now();
        const auto length = parser_->content_length();
        if (length && *length > state_.options.max_body_bytes) {
            refuse(413, "the request body is too large (at most " +
                            std::to_string(state_.options.max_body_bytes) + " bytes)");
            return;
        }
        if (parser_->is_done()) {
            on_request();
            return;
        }
        stream_.expires_after(state_.options.body_timeout);
        const auto expect = parser_->get()[bhttp::field::expect];
        if (beast::iequals(expect, "100-continue")) {
            static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
            asio::async_write(stream_, asio::buffer(kContinue),
                              [self = shared_from_this()](beast::error_code wec, std::size_t) {
                                  if (wec) {
                                      self->close();
                                      return;
                                  }
                                  self->read_body();
                              });
            return;
        }
        read_body();
    }

    void read_body() {
        bhttp::async_read(stream_, buffer_, *parser_,
                          beast::bind_front_handler(&Session::on_body, shared_from_this()));
    }

    void on_body(beast::error_code ec, std::size_t /*bytes*/) {
        if (ec == bhttp::error::body_limit) {
            refuse(413, "the request body is too large (at most " +
                            std::to_string(state_.options.max_body_bytes) + " bytes)");
            return;
        }
        if (ec) {
            close();
            return;
        }
        on_request();
    }

    /// Answers an unreadable request and closes the connection.
    void refuse(int status, const std::string& message) {
        Response res;
        set_error(res, status, message);
        state_.apply_defaults(res);
        keep_alive_ = false;
        version_ = 11;
        ++state_.answering;
        write(std::make_shared<std::string>(serialize(res, version_, false, false, false)));
    }

    void on_request() {
        stream_.expires_never();
        auto msg = parser_->release();
        parser_.reset();
        ++served_;
        version_ = msg.version();
        head_only_ = msg.method() == bhttp::verb::head;
        keep_alive_ = msg.keep_alive() && served_ < state_.options.max_requests_per_connection &&
                      !state_.stopping;
        auto req = std::make_shared<Request>();
        req->remote_addr = remote_;
        ++state_.answering;
        Response res;
        if (!state_.build_request(msg, *req, res)) {
            finish(req, "unmatched", std::move(res));
            return;
        }
        int status = 0;
        std::string allow;
        const Route* route = state_.find_route(*req, status, allow);
        if (route == nullptr) {
            if (status == 204) {
                res.status = 204;
            } else {
                set_error(res, status,
                          status == 404
                              ? "no such route"
                              : req->method + " is not allowed here (Allow: " + allow + ")");
            }
            if (!allow.empty()) {
                res.set_header("Allow", allow);
            }
            finish(req, "unmatched", std::move(res));
            return;
        }
        if (route->guard && !route->guard(*req, res)) {
            finish(req, route->name, std::move(res));
            return;
        }
        dispatch(*route, req);
    }

    void dispatch(const Route& route, const std::shared_ptr<Request>& req) {
        const bool heavy = route.lane == Lane::Heavy;
        if (heavy && state_.heavy_running.fetch_add(1) >= state_.options.max_heavy) {
            --state_.heavy_running;
            Response res;
            set_error(res, 429,
                      "too many expensive requests at once (at most " +
                          std::to_string(state_.options.max_heavy) + "); retry later");
            res.set_header("Retry-After", "2");
            finish(req, route.name, std::move(res));
            return;
        }
        auto task = [self = shared_from_this(), &route, req, heavy] {
            Response res;
            self->state_.call(route, *req, res);
            const bool streamed = static_cast<bool>(res.stream);
            if (streamed) { // the slot is held while the producer runs
                self->stream_answer(route.name, req, std::move(res));
            }
            // A plain answer's slot is free before the answer leaves: a client that sends its
            // next request as soon as it has read this answer must not find it still taken (a
            // spurious 429).
            if (heavy) {
                --self->state_.heavy_running;
            }
            if (!streamed) {
                self->finish(req, route.name, std::move(res));
            }
        };
        WorkerLane* lane = route.lane == Lane::Light ? state_.light : state_.workers;
        if (lane == nullptr || !lane->submit(std::move(task))) {
            if (heavy) {
                --state_.heavy_running;
            }
            Response res;
            set_error(res, 503, "the server is busy; retry later");
            res.set_header("Retry-After", "1");
            finish(req, route.name, std::move(res));
        }
    }

    /// Hands a whole answer to the I/O strand (from any thread).
    void finish(const std::shared_ptr<Request>& req, const std::string& route, Response res) {
        state_.apply_defaults(res);
        report(route, *req, res.status);
        auto bytes =
            std::make_shared<std::string>(serialize(res, version_, keep_alive_, head_only_, false));
        asio::post(stream_.get_executor(),
                   [self = shared_from_this(), bytes] { self->write(bytes); });
    }

    void report(const std::string& route, const Request& req, int status) const {
        if (state_.options.on_answer) {
            const double secs = std::chrono::duration<double>(Clock::now() - started_).count();
            state_.options.on_answer(route, req, status, secs);
        }
    }

    void write(const std::shared_ptr<std::string>& bytes) {
        stream_.expires_after(state_.options.write_timeout);
        asio::async_write(stream_, asio::buffer(*bytes),
                          [self = shared_from_this(), bytes](beast::error_code ec, std::size_t) {
                              --self->state_.answering;
                              if (ec || !self->keep_alive_) {
                                  self->close();
                                  return;
                              }
                              self->read_head();
                          });
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
        stream_.close();
    }

    // Streamed answers: the worker queues chunks; the strand writes them one at a time.
    void stream_answer(const std::string& route, const std::shared_ptr<Request>& req, Response res);

    beast::tcp_stream stream_;
    Engine::State& state_;
    beast::flat_buffer buffer_;
    std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
    std::string remote_;
    std::size_t served_ = 0;
    unsigned version_ = 11;
    bool keep_alive_ = false;
    bool head_only_ = false;
    Clock::time_point started_{};
};

struct Session::Streamed {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::string> chunks;
    std::size_t queued = 0;
    bool writing = false;
    bool failed = false;
};

class StreamSink : public DataSink {
public:
    StreamSink(std::shared_ptr<Session::Streamed> q, std::function<void()> pump,
               std::chrono::milliseconds timeout)
        : q_(std::move(q)), pump_(std::move(pump)), timeout_(timeout) {}

    bool write(const char* data, std::size_t size) override {
        if (size == 0) {
            return !failed();
        }
        char head[24];
        std::snprintf(head, sizeof head, "%zx\r\n", size);
        std::string chunk(head);
        chunk.append(data, size);
        chunk += "\r\n";
        return push(std::move(chunk));
    }
    bool push(std::string bytes) {
        std::unique_lock lock(q_->mutex);
        if (q_->failed) {
            return false;
        }
        q_->queued += bytes.size();
        q_->chunks.push_back(std::move(bytes));
        const bool start = !q_->writing;
        q_->writing = true;
        if (start) {
            lock.unlock();
            pump_();
            lock.lock();
        }
        const bool drained = q_->cv.wait_for(
            lock, timeout_, [this] { return q_->failed || q_->queued <= kStreamWindow; });
        if (!drained) {
            q_->failed = true;
        }
        return !q_->failed;
    }
    /// Waits until everything queued is written (or failed).
    bool flush() {
        std::unique_lock lock(q_->mutex);
        const bool done =
            q_->cv.wait_for(lock, timeout_, [this] { return q_->failed || !q_->writing; });
        if (!done) {
            q_->failed = true;
        }
        return !q_->failed;
    }
    bool failed() {
        const std::lock_guard lock(q_->mutex);
        return q_->failed;
    }

private:
    std::shared_ptr<Session::Streamed> q_;
    std::function<void()> pump_;
    std::chrono::milliseconds timeout_;
};

} // namespace

void Session::stream_answer(const std::string& route, const std::shared_ptr<Request>& req,
                            Response res) {
    state_.apply_defaults(res);
    report(route, *req, res.status);
    auto q = std::make_shared<Streamed>();
    auto self = shared_from_this();
    // Writes the queue's front chunk on the strand, then the next, until the queue is empty.
    auto pump = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weak_pump = pump;
    *pump = [self, q, weak_pump] {
        asio::post(self->stream_.get_executor(), [self, q, weak_pump] {
            std::string* front = nullptr;
            {
                const std::lock_guard lock(q->mutex);
                front = &q->chunks.front();
            }
            self->stream_.expires_after(self->state_.options.write_timeout);
            asio::async_write(self->stream_, asio::buffer(*front),
                              [self, q, weak_pump](beast::error_code ec, std::size_t) {
                                  bool more = false;
                                  {
                                      const std::lock_guard lock(q->mutex);
                                      q->queued -= q->chunks.front().size();
                                      q->chunks.pop_front();
                                      if (ec) {
                                          q->failed = true;
                                          q->chunks.clear();
                                          q->queued = 0;
                                      }
                                      more = !q->chunks.empty();
                                      q->writing = more;
                                  }
                                  q->cv.notify_all();
                                  if (more) {
                                      if (auto p = weak_pump.lock()) {
                                          (*p)();
                                          return;
                                      }
                                      const std::lock_guard lock(q->mutex);
                                      q->failed = true;
                                      q->writing = false;
                                      q->cv.notify_all();
                                  }
                              });
        });
    };
    StreamSink sink(
        q, [pump] { (*pump)(); }, state_.options.write_timeout);
    bool ok = sink.push(serialize(res, version_, keep_alive_, false, true));
    if (ok && !head_only_) {
        try {
            ok = res.stream(sink);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "domaingraph serve: exception while streaming %s: %s\n",
                         route.c_str(), e.what());
            ok = false;
        }
    }
    if (ok && !head_only_) {
        ok = sink.push("0\r\n\r\n");
    }
    ok = sink.flush() && ok;
    const bool keep = ok && keep_alive_;
    asio::post(stream_.get_executor(), [self, keep] {
        --self->state_.answering;
        if (keep && !self->state_.stopping) {
            self->read_head();
        } else {
            self->close();
        }
    });
}

// --- the engine -------------------------------------------------------------------------------

Engine::Engine(EngineOptions options) : state_(std::make_unique<State>(std::move(options))) {}

Engine::~Engine() {
    stop();
}

void Engine::add(const std::string& method, const std::string& pattern, const std::string& name,
                 Lane lane, Handler handler, Guard guard) {
    state_->routes.push_back(
        Route{method, std::regex(pattern), name, lane, std::move(handler), std::move(guard)});
}

namespace {

/// Raises the soft limit on open files to the hard one: idle connections are cheap here, and
/// the default 1,024 would make them the limit.
std::size_t raise_file_limit() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        return 1024;
    }
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)::setrlimit(RLIMIT_NOFILE, &rl);
        (void)::getrlimit(RLIMIT_NOFILE, &rl);
    }
    return static_cast<std::size_t>(rl.rlim_cur);
}

void do_accept(Engine::State& st) {
    st.acceptor.async_accept(asio::make_strand(st.ioc), [&st](beast::error_code ec,
                                                              tcp::socket socket) {
        if (ec) {
            if (ec == asio::error::operation_aborted || !st.acceptor.is_open()) {
                return;
            }
            // EMFILE and the like: keep accepting after a pause rather than spin.
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            do_accept(st);
            return;
        }
        if (st.connections.load() >= st.options.max_connections) {
            static const std::string kFull =
                "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                "Retry-After: 1\r\nConnection: close\r\nContent-Length: 90\r\n\r\n"
                R"({"error": {"code": "unavailable", "message": "too many connections; retry later"}})"
                "\n";
            boost::system::error_code wec;
            socket.non_blocking(true, wec);
            (void)socket.write_some(asio::buffer(kFull), wec);
            socket.close(wec);
        } else {
            socket.set_option(tcp::no_delay(true), ec);
            std::make_shared<Session>(std::move(socket), st)->start();
        }
        do_accept(st);
    });
}

} // namespace

Result<int> Engine::bind(const std::string& host, int port) {
    auto& st = *state_;
    const std::size_t files = raise_file_limit();
    st.options.max_connections =
        std::min(st.options.max_connections, files > 256 ? files - 128 : files / 2);
    boost::system::error_code ec;
    const std::string name = host == "localhost" ? "127.0.0.1" : host;
    auto address = asio::ip::make_address(name, ec);
    const std::string where = host + (port == 0 ? "" : ":" + std::to_string(port));
    if (ec) {
        return make_error(ErrorCode::Io, "cannot listen on " + where + ": not an IP address");
    }
    const tcp::endpoint ep(address, static_cast<unsigned short>(port));
    st.acceptor.open(ep.protocol(), ec);
    if (!ec) {
        st.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        st.acceptor.bind(ep, ec);
    }
    if (ec == asio::error::address_in_use) {
        return make_error(ErrorCode::Unavailable,
                          "cannot listen on " + where +
                              ": address already in use (another server listens there; stop it "
                              "or choose another --listen port)");
    }
    if (!ec) {
        st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        return make_error(ErrorCode::Io, "cannot listen on " + where + ": " + ec.message());
    }
    return static_cast<int>(st.acceptor.local_endpoint().port());
}

void Engine::run() {
    auto& st = *state_;
    WorkerLane workers(st.options.workers, st.options.queue);
    WorkerLane light(1, 256);
    st.workers = &workers;
    st.light = &light;
    do_accept(st);
    constexpr int kIoThreads = 2;
    std::vector<std::thread> io;
    for (int i = 0; i < kIoThreads; ++i) {
        io.emplace_back([&st] { st.ioc.run(); });
    }
    {
        std::unique_lock lock(st.stop_mutex);
        st.stop_cv.wait(lock, [&st] { return st.stop_requested; });
    }
    st.stopping = true;
    asio::post(st.ioc, [&st] {
        boost::system::error_code ec;
        st.acceptor.close(ec);
    });
    // Handlers that started finish; their answers go out (bounded by the write timeout).
    workers.drain();
    light.drain();
    const auto deadline = Clock::now() + st.options.write_timeout;
    while (st.answering.load() > 0 && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    st.ioc.stop();
    for (auto& t : io) {
        t.join();
    }
    workers.shutdown();
    light.shutdown();
    st.workers = nullptr;
    st.light = nullptr;
}

void Engine::stop() {
    {
        const std::lock_guard lock(state_->stop_mutex);
        state_->stop_requested = true;
    }
    state_->stop_cv.notify_all();
}

// --- one request on the calling thread (fuzzing, tests) ---------------------------------------

std::string Engine::answer_raw(std::string_view request_bytes) {
    auto& st = *state_;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.eager(true);
    parser.header_limit(static_cast<std::uint32_t>(st.options.max_header_bytes));
    parser.body_limit(st.options.max_body_bytes);
    beast::error_code ec;
    std::size_t used = 0;
    while (used < request_bytes.size() && !parser.is_done()) {
        const auto n =
            parser.put(asio::buffer(request_bytes.data() + used, request_bytes.size() - used), ec);
        if (ec == bhttp::error::need_more) {
            ec = {};
            break;
        }
        if (ec || n == 0) {
            break;
        }
        used += n;
    }
    if (!ec && !parser.is_done()) {
        parser.put_eof(ec);
    }
    Response res;
    if (ec || !parser.is_done()) {
        const int status = ec == bhttp::error::header_limit ? 431
                           : ec == bhttp::error::body_limit ? 413
                                                            : 400;
        set_error(res, status, "the request could not be read");
        st.apply_defaults(res);
        return serialize(res, 11, false, false, false);
    }
    auto msg = parser.release();
    const bool head_only = msg.method() == bhttp::verb::head;
    Request req;
    if (st.build_request(msg, req, res)) {
        int status = 0;
        std::string allow;
        if (const Route* route = st.find_route(req, status, allow)) {
            if (!route->guard || route->guard(req, res)) {
                st.call(*route, req, res);
            }
        } else if (status == 204) {
            res.status = 204;
        } else {
            set_error(res, status, "no such route");
        }
        if (!allow.empty()) {
            res.set_header("Allow", allow);
        }
    }
    st.apply_defaults(res);
    if (!res.stream) {
        return serialize(res, msg.version(), false, head_only, false);
    }
    struct StringSink : DataSink {
        std::string out;
        bool write(const char* data, std::size_t size) override {
            out.append(data, size);
            return out.size() < (64u << 20);
        }
    } sink;
    const bool ok = res.stream(sink);
    return serialize(res, msg.version(), false, true, true) + (ok ? sink.out : std::string());
}

} // namespace dg::server::http
