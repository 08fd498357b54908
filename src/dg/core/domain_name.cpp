#include "dg/core/domain_name.hpp"

#include <algorithm>
#include <cstdlib>
#include <idn2.h>
#include <memory>

namespace dg {
namespace {

struct FreeDeleter {
    void operator()(char* p) const { idn2_free(p); }
};

Error invalid(std::string_view text, const std::string& why) {
    return make_error(ErrorCode::InvalidArgument,
                      "invalid domain name '" + std::string(text.substr(0, 80)) + "': " + why);
}

bool is_ldh(char c, bool allow_underscore) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           (allow_underscore && c == '_');
}

Result<void> check_ascii(std::string_view original, const std::string& name,
                         bool allow_underscore) {
    if (name.empty()) {
        return invalid(original, "empty name");
    }
    if (name.size() > kMaxDomainLength) {
        return invalid(original, "longer than 253 octets");
    }
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('.', start);
        if (end == std::string::npos) {
            end = name.size();
        }
        const std::string_view label(name.data() + start, end - start);
        if (label.empty()) {
            return invalid(original, "empty label");
        }
        if (label.size() > kMaxLabelLength) {
            return invalid(original, "label longer than 63 octets");
        }
        if (label.front() == '-' || label.back() == '-') {
            return invalid(original, "label starts or ends with a hyphen");
        }
        for (char c : label) {
            if (!is_ldh(c, allow_underscore)) {
                return invalid(original, std::string("character '") + c + "' not allowed");
            }
        }
        start = end + 1;
    }
    return ok();
}

/// Every "xn--" label must be the A-label of a valid U-label (RFC 5891 §5.4, RFC 5890 §2.3.2.1):
/// it decodes (Punycode, RFC 3492), the U-label passes IDNA 2008 (libidn2), and encoding it
/// again gives the same label. Before, "xn--abc" passed because it merely decoded.
Result<void> check_a_labels(std::string_view original, const std::string& name) {
    std::size_t start = 0;
    while (start < name.size()) {
        auto end = name.find('.', start);
        if (end == std::string::npos) {
            end = name.size();
        }
        const std::string label = name.substr(start, end - start);
        start = end + 1;
        if (label.size() < 4 || label.compare(0, 4, "xn--") != 0) {
            continue;
        }
        char* decoded = nullptr;
        int rc = idn2_to_unicode_8z8z(label.c_str(), &decoded, 0);
        const std::unique_ptr<char, FreeDeleter> decoded_holder(decoded);
        if (rc != IDN2_OK) {
            return invalid(original, "bad A-label '" + label + "': " + idn2_strerror(rc));
        }
        char* again = nullptr;
        rc = idn2_to_ascii_8z(decoded, &again, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        const std::unique_ptr<char, FreeDeleter> again_holder(again);
        if (rc != IDN2_OK) {
            return invalid(original,
                           "bad A-label '" + label + "' (IDNA 2008): " + idn2_strerror(rc));
        }
        if (label != again) {
            return invalid(original, "bad A-label '" + label +
                                         "': not the canonical encoding of its U-label (that is '" +
                                         again + "')");
        }
    }
    return ok();
}

} // namespace

Result<DomainName> DomainName::parse(std::string_view text, bool allow_underscore) {
    std::string_view s = text;
    if (!s.empty() && s.back() == '.') {
        s.remove_suffix(1);
    }
    if (s.empty()) {
        return invalid(text, "empty name");
    }
    if (s.size() > 1024) {
        return invalid(text, "far too long");
    }
    const bool ascii = std::all_of(s.begin(), s.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    std::string name;
    if (ascii) {
        name.assign(s);
        for (char& c : name) {
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<char>(c - 'A' + 'a');
            }
        }
        // A-labels must be IDNA 2008 A-labels, otherwise "xn--garbage" would pass.
        DG_TRY_VOID(check_a_labels(text, name));
    } else {
        const std::string input(s);
        char* out = nullptr;
        const int rc = idn2_to_ascii_8z(input.c_str(), &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        std::unique_ptr<char, FreeDeleter> holder(out);
        if (rc != IDN2_OK) {
            return invalid(text, std::string("IDNA: ") + idn2_strerror(rc));
        }
        name = out;
    }
    DG_TRY_VOID(check_ascii(text, name, allow_underscore));
    return DomainName(std::move(name));
}

std::string DomainName::unicode() const {
    char* out = nullptr;
    const int rc = idn2_to_unicode_8z8z(text_.c_str(), &out, 0);
    std::unique_ptr<char, FreeDeleter> holder(out);
    return rc == IDN2_OK ? std::string(out) : text_;
}

std::size_t DomainName::label_count() const {
    return static_cast<std::size_t>(std::count(text_.begin(), text_.end(), '.')) + 1;
}

} // namespace dg
