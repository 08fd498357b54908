#pragma once
// A small subset of std::expected<T, Error> (docs/design/0001-result-type.md).

#include "dg/core/assert.hpp"
#include "dg/core/error.hpp"

#include <utility>
#include <variant>

namespace dg {

template <class T> class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}     // NOLINT
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {} // NOLINT

    [[nodiscard]] bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }

    T& value() & {
        DG_REQUIRE(has_value());
        return std::get<0>(v_);
    }
    const T& value() const& {
        DG_REQUIRE(has_value());
        return std::get<0>(v_);
    }
    T&& value() && {
        DG_REQUIRE(has_value());
        return std::get<0>(std::move(v_));
    }
    const Error& error() const& {
        DG_REQUIRE(!has_value());
        return std::get<1>(v_);
    }
    Error&& error() && {
        DG_REQUIRE(!has_value());
        return std::get<1>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    template <class U> T value_or(U&& fallback) const& {
        return has_value() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
    }

private:
    std::variant<T, Error> v_;
};

template <> class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), failed_(true) {} // NOLINT

    [[nodiscard]] bool has_value() const { return !failed_; }
    explicit operator bool() const { return has_value(); }
    void value() const { DG_REQUIRE(has_value()); }
    const Error& error() const {
        DG_REQUIRE(!has_value());
        return error_;
    }

private:
    Error error_;
    bool failed_ = false;
};

/// The success value of a Result<void>.
inline Result<void> ok() {
    return {};
}

} // namespace dg

/// Propagates an error: `DG_TRY(auto x, parse(s));`
#define DG_TRY_CONCAT_(a, b) a##b
#define DG_TRY_NAME_(line) DG_TRY_CONCAT_(dg_try_result_, line)
#define DG_TRY(decl, expr)                                                                         \
    auto DG_TRY_NAME_(__LINE__) = (expr);                                                          \
    if (!DG_TRY_NAME_(__LINE__)) {                                                                 \
        return std::move(DG_TRY_NAME_(__LINE__)).error();                                          \
    }                                                                                              \
    decl = std::move(DG_TRY_NAME_(__LINE__)).value()
/// Propagates the error of a Result<void>.
#define DG_TRY_VOID(expr)                                                                          \
    do {                                                                                           \
        auto dg_try_void_ = (expr);                                                                \
        if (!dg_try_void_) {                                                                       \
            return dg_try_void_.error();                                                           \
        }                                                                                          \
    } while (false)
