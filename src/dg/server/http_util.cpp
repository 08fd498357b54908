#include "dg/server/internal/impl.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace dg::server {

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Every byte of the longer string is looked at, whatever the content; only the lengths
    // (public: a token's length is not its secret) change the time taken.
    const std::size_t n = std::max(a.size(), b.size());
    unsigned diff = a.size() == b.size() ? 0U : 1U;
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
        const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
        diff |= static_cast<unsigned>(x ^ y);
    }
    return diff == 0;
}

namespace internal {

void send_json(http::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                    "application/json");
}

void send_error(http::Response& res, int status, const std::string& code,
                const std::string& message) {
    send_json(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

int status_of(ErrorCode code) {
    switch (code) {
    case ErrorCode::InvalidArgument:
    case ErrorCode::Malformed:
        return 400;
    case ErrorCode::NotFound:
        return 404;
    case ErrorCode::ResourceExhausted:
        return 429;
    case ErrorCode::Conflict:
        return 409;
    case ErrorCode::Unavailable:
    case ErrorCode::Timeout:
        return 503;
    default:
        return 500;
    }
}

void send_failure(http::Response& res, const Error& e) {
    const int status = status_of(e.code);
    if (status == 500) {
        std::fprintf(stderr, "domaingraph serve: internal error: %s\n", e.to_string().c_str());
        send_error(res, 500, "internal", "internal error (details in the server log)");
        return;
    }
    const char* code = status == 400   ? "bad_request"
                       : status == 404 ? "not_found"
                       : status == 429 ? "too_many_requests"
                                       : "unavailable";
    send_error(res, status, code, e.message);
}

std::optional<std::string> param(const http::Request& req, const char* name) {
    if (!req.has_param(name)) {
        return std::nullopt;
    }
    return req.get_param_value(name);
}

Result<std::vector<dns::Endpoint>> resolvers_of(const nlohmann::json& value) {
    constexpr std::size_t kMaxResolvers = 16;
    const auto bad = [](const std::string& m) { return make_error(ErrorCode::InvalidArgument, m); };
    if (!value.is_array() || value.size() > kMaxResolvers) {
        return bad("'resolvers' must be an array of at most 16 \"IP[:PORT]\" strings");
    }
    std::vector<dns::Endpoint> out;
    for (const auto& e : value) {
        if (!e.is_string()) {
            return bad("resolvers: not a string");
        }
        auto ep = dns::Endpoint::parse(e.get<std::string>());
        if (!ep) {
            return bad("resolvers: " + ep.error().message);
        }
        out.push_back(*ep);
    }
    return out;
}

Result<bool> set_engine_setting(const std::string& key, const nlohmann::json& v,
                                std::uint32_t& concurrency, std::uint32_t& timeout_ms,
                                std::uint32_t& retries) {
    constexpr std::uint64_t kMaxTimeoutMs = 600000;
    if (key != "concurrency" && key != "timeout_ms" && key != "retries") {
        return false;
    }
    const std::uint64_t max = key == "concurrency"  ? dns::kMaxInFlight
                              : key == "timeout_ms" ? kMaxTimeoutMs
                                                    : dns::kMaxRetries;
    const std::uint64_t min = key == "retries" ? 0 : 1;
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() < min || v.get<std::uint64_t>() > max) {
        return make_error(ErrorCode::InvalidArgument, "'" + key + "' must be an integer from " +
                                                          std::to_string(min) + " to " +
                                                          std::to_string(max));
    }
    const auto n = static_cast<std::uint32_t>(v.get<std::uint64_t>());
    (key == "concurrency" ? concurrency : key == "timeout_ms" ? timeout_ms : retries) = n;
    return true;
}

Result<std::string> notes_of(const nlohmann::json& v) {
    constexpr std::size_t kMaxNotes = 4096;
    if (!v.is_string() || v.get<std::string>().size() > kMaxNotes) {
        return make_error(ErrorCode::InvalidArgument,
                          "'notes' must be a string of at most 4096 bytes");
    }
    return v.get<std::string>();
}

std::optional<std::int64_t> positive_id(std::string_view text) {
    std::int64_t id = 0;
    const auto* end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, id);
    if (ec != std::errc{} || p != end || id <= 0) {
        return std::nullopt;
    }
    return id;
}

Result<std::uint64_t> uint_param(const http::Request& req, const char* name, std::uint64_t fallback,
                                 std::uint64_t min, std::uint64_t max) {
    const auto text = param(req, name);
    if (!text) {
        return fallback;
    }
    std::uint64_t v = 0;
    const char* end = text->data() + text->size();
    const auto [p, ec] = std::from_chars(text->data(), end, v);
    if (text->empty() || ec != std::errc() || p != end || v < min || v > max) {
        return make_error(ErrorCode::InvalidArgument,
                          std::string("parameter '") + name + "' must be an integer from " +
                              std::to_string(min) + " to " + std::to_string(max));
    }
    return v;
}

} // namespace internal
} // namespace dg::server
