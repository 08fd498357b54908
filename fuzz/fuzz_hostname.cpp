// Router hostname tokenizer/decoder (both methods) and the rules-file parser over arbitrary bytes.
// Input: lines; the first byte picks the mode ('g' GINIE, 'r' rules file, else default method).
// Invariants: a refused name has an error and no tokens; every token and the location token lie
// inside the lower-cased name, in order; the JSON line is one line, braces balanced, no control
// bytes; a parsed rules file prints to text that parses to the same text.

#include "dg/core/assert.hpp"
#include "dg/hostnames/decoder.hpp"
#include "dg/hostnames/dictionary.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

const dg::hostnames::Dictionary& dictionary() {
    static const dg::hostnames::Dictionary d = [] {
        auto r = dg::hostnames::Dictionary::open(std::string(DG_HOSTNAMES_DATA_DIR) +
                                                 "/hostnames.dict.gz");
        DG_REQUIRE(r.has_value());
        return *r;
    }();
    return d;
}

void check(const dg::hostnames::Decoded& d) {
    if (!d.error.empty()) {
        DG_REQUIRE(d.tokens.empty());
    } else {
        DG_REQUIRE(d.host.size() <= dg::hostnames::kMaxNameLength);
        DG_REQUIRE(d.suffix_start <= d.host.size());
        std::size_t last = 0;
        for (const auto& t : d.tokens) {
            DG_REQUIRE(t.start < t.end && t.end <= d.host.size());
            DG_REQUIRE(t.start >= last);
            last = t.end;
        }
        if (d.has_location) {
            DG_REQUIRE(d.location.token_start < d.location.token_end);
            DG_REQUIRE(d.location.token_end <= d.host.size());
            DG_REQUIRE(d.location.confidence > 0 && d.location.confidence <= 1.0F);
        }
        if (d.has_router_id) {
            DG_REQUIRE(d.router_id_start <= d.host.size());
        }
    }
    std::string json;
    dg::hostnames::append_json(d, json);
    DG_REQUIRE(!json.empty() && json.front() == '{' && json.back() == '\n');
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i + 1 < json.size(); ++i) {
        const auto c = static_cast<unsigned char>(json[i]);
        DG_REQUIRE(c >= 0x20 && c < 0x7f);
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    DG_REQUIRE(depth == 0 && !in_string);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (!text.empty() && text[0] == 'r') {
        auto rules = dg::hostnames::Rules::parse(text.substr(1), "fuzz");
        if (rules) {
            const std::string once = rules->to_text();
            auto again = dg::hostnames::Rules::parse(once, "fuzz");
            DG_REQUIRE(again.has_value());
            DG_REQUIRE(again->to_text() == once);
            (void)rules->to_hoiho_regex();
        }
        return 0;
    }
    const auto method = !text.empty() && text[0] == 'g' ? dg::hostnames::Method::Ginie
                                                        : dg::hostnames::Method::Default;
    dg::hostnames::Decoder decoder(dictionary(), nullptr, method);
    dg::hostnames::Learner learner(dictionary());
    dg::hostnames::Decoded d;
    std::size_t p = text.empty() ? 0 : 1;
    while (p <= text.size()) {
        std::size_t e = text.find('\n', p);
        e = e == std::string_view::npos ? text.size() : e;
        std::string_view line = text.substr(p, e - p);
        std::string_view ip;
        const std::size_t tab = line.find('\t');
        if (tab != std::string_view::npos) {
            ip = line.substr(0, tab);
            line = line.substr(tab + 1);
        }
        decoder.decode(line, ip, d);
        check(d);
        learner.add(line);
        p = e + 1;
    }
    const auto rules = learner.finish();
    dg::hostnames::Decoder with_rules(dictionary(), &rules);
    p = text.empty() ? 0 : 1;
    while (p <= text.size()) {
        std::size_t e = text.find('\n', p);
        e = e == std::string_view::npos ? text.size() : e;
        with_rules.decode(text.substr(p, e - p), {}, d);
        check(d);
        p = e + 1;
    }
    return 0;
}
