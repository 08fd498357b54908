#pragma once
// A validated DNS domain name in canonical ASCII form (lower case, A-labels, no trailing dot).

#include "dg/core/result.hpp"

#include <compare>
#include <string>
#include <string_view>

namespace dg {

inline constexpr std::size_t kMaxLabelLength = 63;   // RFC 1035 §2.3.4
inline constexpr std::size_t kMaxDomainLength = 253; // presentation form without the root dot

class DomainName {
public:
    /// Validates and canonicalises `text`: trims one trailing dot, maps Unicode through
    /// IDNA 2008 / UTS #46 (libidn2, non-transitional) to A-labels, lower-cases, and checks RFC
    /// 1035/1123 LDH syntax (letters, digits, hyphen; no leading or trailing hyphen; labels 1-63
    /// octets; at most 253 octets). With `allow_underscore`, '_' is accepted in labels (service
    /// names such as _dmarc). Errors: InvalidArgument with the reason.
    static Result<DomainName> parse(std::string_view text, bool allow_underscore = false);

    /// Canonical ASCII form, e.g. "xn--bcher-kva.example".
    [[nodiscard]] const std::string& text() const { return text_; }
    /// Unicode form for display (U-labels), or the ASCII form when it cannot be decoded.
    [[nodiscard]] std::string unicode() const;
    /// Number of labels ("www.example.com" has 3).
    [[nodiscard]] std::size_t label_count() const;

    auto operator<=>(const DomainName&) const = default;

private:
    explicit DomainName(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

} // namespace dg
