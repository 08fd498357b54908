#pragma once
// An IP prefix (network address + length), always stored canonical (host bits cleared).

#include "dg/core/ip_address.hpp"

namespace dg {

class Prefix {
public:
    Prefix() = default;
    /// Builds a prefix; host bits beyond `length` are cleared. `length` must fit the family.
    Prefix(IpAddress network, int length);
    /// Parses "192.0.2.0/24" or "2001:db8::/32". A bare address means a host prefix. Host bits
    /// set past the mask are an error unless `allow_host_bits`. Errors: InvalidArgument.
    static Result<Prefix> parse(std::string_view text, bool allow_host_bits = false);

    [[nodiscard]] const IpAddress& network() const { return network_; }
    [[nodiscard]] int length() const { return length_; }
    [[nodiscard]] IpFamily family() const { return network_.family(); }
    [[nodiscard]] bool contains(const IpAddress& ip) const;
    [[nodiscard]] bool is_default() const { return length_ == 0; }
    [[nodiscard]] std::string to_string() const;

    auto operator<=>(const Prefix&) const = default;

private:
    IpAddress network_;
    int length_ = 0;
};

} // namespace dg
