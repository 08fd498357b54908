// GCC 12 reports false -Wmaybe-uninitialized inside libstdc++'s <regex> (std::function in
// _StateT) at -O1 with the sanitizers; the warning is off for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "dg/tags/taggers.hpp"

#include "dg/analytics/analytics.hpp"
#include "dg/core/text.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <regex>
#include <set>

namespace dg::tags {

namespace {

std::vector<std::string> labels_of(std::string_view host) {
    std::vector<std::string> out;
    std::string cur;
    for (char ch : host) {
        if (ch == '.') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        }
    }
    out.push_back(cur);
    while (!out.empty() && out.back().empty()) {
        out.pop_back(); // trailing dot
    }
    return out;
}

bool generic_second_level(const std::string& label) {
    static const std::set<std::string> kGeneric = {"ac", "co",  "com", "edu", "gov", "go",
                                                   "gv", "ltd", "mil", "ne",  "net", "nom",
                                                   "or", "org", "plc", "sch"};
    return kGeneric.count(label) != 0;
}

/// How many trailing labels form the public suffix (1 or 2) under the lite rule.
std::size_t suffix_labels(const std::vector<std::string>& labels) {
    const std::size_t n = labels.size();
    if (n >= 3 && labels[n - 1].size() == 2 && generic_second_level(labels[n - 2])) {
        return 2;
    }
    return 1;
}

std::string join_tail(const std::vector<std::string>& labels, std::size_t count) {
    std::string out;
    for (std::size_t i = labels.size() - count; i < labels.size(); ++i) {
        out += (out.empty() ? "" : ".") + labels[i];
    }
    return out;
}

MeasurementTag tag(std::string name, std::optional<std::string> description = std::nullopt) {
    MeasurementTag t;
    t.tag = std::move(name);
    t.description = std::move(description);
    return t;
}

MeasurementTag tag_value(std::string name, std::string value) {
    MeasurementTag t;
    t.tag = std::move(name);
    t.value = NameOrId(std::move(value));
    return t;
}

Tag declared(const char* name, const char* description) {
    Tag t;
    t.name = name;
    t.description = description;
    return t;
}

Tag other_tag() {
    Tag t;
    t.name = "OTHER";
    t.description = "anything the tagger has no tag for";
    t.is_other = true;
    return t;
}

TaxonomyDef taxonomy(const std::string& name, const std::string& description) {
    TaxonomyDef d;
    d.taxonomy.name = name;
    d.taxonomy.description = description;
    d.taxonomy.for_domains = true;
    d.taxonomy.for_numbers = false;
    d.taxonomy.is_automatically_classifiable = true;
    d.taxonomy.origin = "domaingraph";
    return d;
}

template <typename F> void each_address(const model::DomainResult& r, F&& f) {
    for (const auto* list : {&r.a, &r.aaaa}) {
        for (const auto& m : *list) {
            f(m);
        }
    }
}

bool routed(const model::IpMapping& m) {
    return m.asn && m.asn->value() != 0;
}

/// Tag names may not hold `::` (it would make a category); replaced by `:`.
std::string tag_safe(std::string s) {
    std::size_t pos = 0;
    while ((pos = s.find("::", pos)) != std::string::npos) {
        s.replace(pos, 2, ":");
    }
    return s;
}

Tagger asn_tagger() {
    Tagger t;
    t.name = "asn";
    t.taxonomy =
        taxonomy("domaingraph-asn", "Origin AS of the domain's A/AAAA addresses (tag AS<number>; "
                                    "'unrouted' when an address has no route)");
    t.taxonomy.taxonomy.allows_auto_tags = true;
    t.taxonomy.tags = {declared("unrouted", "an A/AAAA address without a route"), other_tag()};
    t.autogenerate_tags = true;
    t.tags_of = [](const model::DomainResult& r) {
        std::map<std::string, std::optional<std::string>> found;
        each_address(r, [&](const model::IpMapping& m) {
            if (!routed(m)) {
                found.emplace("unrouted", std::nullopt);
                return;
            }
            auto& d = found["AS" + m.asn->to_string()];
            if (!d && m.org) {
                d = *m.org;
            }
        });
        std::vector<MeasurementTag> out;
        for (auto& [name, org] : found) {
            out.push_back(tag(name, org));
        }
        return out;
    };
    return t;
}

Tagger org_tagger() {
    Tagger t;
    t.name = "org";
    t.taxonomy =
        taxonomy("domaingraph-org", "Organisation (as2org) of the origin AS of the domain's A/AAAA "
                                    "addresses; OTHER: routed, organisation unknown");
    t.taxonomy.taxonomy.allows_auto_tags = true;
    t.taxonomy.tags = {other_tag()};
    t.autogenerate_tags = true;
    t.tags_of = [](const model::DomainResult& r) {
        std::set<std::string> found;
        each_address(r, [&](const model::IpMapping& m) {
            if (routed(m)) {
                found.insert(m.org && !m.org->empty() ? tag_safe(*m.org) : "OTHER");
            }
        });
        std::vector<MeasurementTag> out;
        for (const auto& name : found) {
            out.push_back(tag(name, "organisation " + name));
        }
        return out;
    };
    return t;
}

Tagger ns_provider_tagger() {
    Tagger t;
    t.name = "ns-provider";
    t.taxonomy = taxonomy("domaingraph-ns-provider",
                          "Registrable domain of the domain's name-server hosts "
                          "(ns1.cloudflare.com -> cloudflare.com; public-suffix-lite rule)");
    t.taxonomy.taxonomy.allows_auto_tags = true;
    t.taxonomy.tags = {declared("in-bailiwick", "a name server inside the domain itself"),
                       other_tag()};
    t.autogenerate_tags = true;
    t.tags_of = [](const model::DomainResult& r) {
        const std::string own = registrable_domain(r.domain);
        std::set<std::string> found;
        for (const auto& ns : r.ns) {
            std::string provider = registrable_domain(ns.host);
            if (provider.empty()) {
                continue;
            }
            found.insert(provider == own ? "in-bailiwick" : provider);
        }
        std::vector<MeasurementTag> out;
        for (const auto& name : found) {
            out.push_back(tag(name, "name servers under " + name));
        }
        return out;
    };
    return t;
}

Tagger risk_tagger() {
    Tagger t;
    t.name = "risk";
    t.taxonomy =
        taxonomy("domaingraph-risk", "Single points of failure of the domain's infrastructure "
                                     "(analytics' domain diversity)");
    t.taxonomy.tags = {
        declared("single-ns-address", "every name server resolves to the same one address"),
        declared("single-ns-asn", "several name-server addresses, all in one AS"),
        declared("single-ns-host", "one name-server host"),
        declared("single-address-asn", "every A/AAAA address is in one AS"), other_tag()};
    t.tags_of = [](const model::DomainResult& r) {
        const auto d = analytics::domain_diversity(r);
        std::vector<MeasurementTag> out;
        if (d.spof) {
            out.push_back(
                tag(d.spof->reason == "single_ns_address" ? "single-ns-address" : "single-ns-asn"));
        }
        if (d.ns_hosts == 1) {
            out.push_back(tag("single-ns-host"));
        }
        if (d.address_asns == 1) {
            out.push_back(tag("single-address-asn"));
        }
        return out;
    };
    return t;
}

Result<Tagger> regex_tagger(const TaggerOptions& o) {
    if (o.regexes.empty()) {
        return make_error(ErrorCode::InvalidArgument,
                          "the regex tagger needs --regex NAME=PATTERN or --regex-file");
    }
    auto compiled = std::make_shared<std::vector<std::pair<std::string, std::regex>>>();
    for (const auto& [name, pattern] : o.regexes) {
        try {
            compiled->emplace_back(tag_safe(name),
                                   std::regex(pattern, std::regex::ECMAScript | std::regex::icase));
        } catch (const std::regex_error& e) {
            return make_error(ErrorCode::InvalidArgument,
                              "regex '" + name + "': " + std::string(e.what()));
        }
    }
    Tagger t;
    t.name = "regex";
    t.taxonomy = taxonomy("domaingraph-regex",
                          "Domain names matching user patterns (tag = the pattern's NAME)");
    t.taxonomy.taxonomy.allows_auto_tags = true;
    t.taxonomy.tags = {other_tag()};
    t.autogenerate_tags = true;
    std::map<std::string, std::string> descriptions;
    for (const auto& [name, pattern] : o.regexes) {
        descriptions[tag_safe(name)] = "name matches /" + pattern + "/";
    }
    t.tags_of = [compiled, descriptions](const model::DomainResult& r) {
        std::set<std::string> found;
        for (const auto& [name, re] : *compiled) {
            try {
                if (std::regex_search(r.domain, re)) {
                    found.insert(name);
                }
            } catch (const std::regex_error&) { // complexity limits: no match
            }
        }
        std::vector<MeasurementTag> out;
        for (const auto& name : found) {
            out.push_back(tag(name, descriptions.at(name)));
        }
        return out;
    };
    return t;
}

Result<Tagger> words_tagger(const TaggerOptions& o) {
    if (!o.dictionary) {
        return make_error(ErrorCode::InvalidArgument, "the words tagger needs --dictionary FILE");
    }
    Tagger t;
    t.name = "words";
    t.taxonomy = taxonomy("domaingraph-words",
                          "Dictionary words in the labels left of the public suffix "
                          "(contains-word: one value per word; fully-split: every letter is "
                          "covered by words)");
    t.taxonomy.taxonomy.allows_auto_values = true;
    t.taxonomy.tags = {declared("contains-word", "the label contains these dictionary words"),
                       declared("fully-split", "the labels split into dictionary words without "
                                               "a letter left over"),
                       other_tag()};
    t.autogenerate_values = true;
    auto dict = o.dictionary;
    t.tags_of = [dict](const model::DomainResult& r) {
        auto labels = labels_of(r.domain);
        const std::size_t keep =
            labels.size() > suffix_labels(labels) ? labels.size() - suffix_labels(labels) : 0;
        std::set<std::string> words;
        bool full = keep > 0;
        for (std::size_t i = 0; i < keep; ++i) {
            std::size_t letters = 0;
            std::size_t covered = 0;
            for (char ch : labels[i]) {
                letters += std::isalpha(static_cast<unsigned char>(ch)) != 0 ? 1 : 0;
            }
            for (auto& w : split_words(labels[i], *dict)) {
                for (char ch : w) {
                    covered += std::isalpha(static_cast<unsigned char>(ch)) != 0 ? 1 : 0;
                }
                words.insert(std::move(w));
            }
            full = full && covered == letters;
        }
        std::vector<MeasurementTag> out;
        for (const auto& w : words) {
            out.push_back(tag_value("contains-word", w));
        }
        if (full && !words.empty()) {
            out.push_back(tag("fully-split"));
        }
        return out;
    };
    return t;
}

} // namespace

std::string registrable_domain(std::string_view host) {
    const auto labels = labels_of(host);
    if (labels.empty()) {
        return "";
    }
    return join_tail(labels, std::min(labels.size(), suffix_labels(labels) + 1));
}

Result<Dictionary> parse_dictionary(std::string_view text, std::size_t min_length) {
    Dictionary d;
    d.min_length = std::max<std::size_t>(min_length, 1);
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t nl = std::min(text.find('\n', pos), text.size());
        std::string line(trim(text.substr(pos, nl - pos)));
        pos = nl + 1;
        ++line_no;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        for (char& ch : line) {
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            if (std::isalnum(static_cast<unsigned char>(ch)) == 0) {
                return make_error(ErrorCode::Malformed, "dictionary line " +
                                                            std::to_string(line_no) +
                                                            ": not a word of [a-z0-9]");
            }
        }
        if (line.size() >= d.min_length) {
            d.max_length = std::max(d.max_length, line.size());
            d.words.insert(std::move(line));
        }
    }
    return d;
}

std::vector<std::string> split_words(std::string_view label, const Dictionary& dict) {
    // best[i]: (covered characters, -words) of the best segmentation of label[0, i).
    const std::size_t n = label.size();
    struct Cell {
        std::size_t covered = 0;
        std::size_t words = 0;
        std::size_t from = 0;
        bool word = false; ///< label[from, i) is a word (else one skipped character)
    };
    std::vector<Cell> best(n + 1);
    for (std::size_t i = 1; i <= n; ++i) {
        best[i] = Cell{best[i - 1].covered, best[i - 1].words, i - 1, false};
        const std::size_t longest = std::min(dict.max_length, i);
        for (std::size_t len = dict.min_length; len <= longest; ++len) {
            const std::size_t from = i - len;
            if (dict.words.count(std::string(label.substr(from, len))) == 0) {
                continue;
            }
            const Cell c{best[from].covered + len, best[from].words + 1, from, true};
            if (c.covered > best[i].covered ||
                (c.covered == best[i].covered && c.words < best[i].words)) {
                best[i] = c;
            }
        }
    }
    std::vector<std::string> out;
    for (std::size_t i = n; i > 0; i = best[i].from) {
        if (best[i].word) {
            out.emplace_back(label.substr(best[i].from, i - best[i].from));
        }
    }
    std::reverse(out.begin(), out.end());
    return out;
}

Result<std::pair<std::string, std::string>> parse_regex_spec(std::string_view spec) {
    const auto eq = spec.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size()) {
        return make_error(ErrorCode::InvalidArgument,
                          "expected NAME=PATTERN, got '" + std::string(spec) + "'");
    }
    return std::pair<std::string, std::string>(std::string(trim(spec.substr(0, eq))),
                                               std::string(spec.substr(eq + 1)));
}

Result<std::vector<std::pair<std::string, std::string>>> parse_regex_file(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t nl = std::min(text.find('\n', pos), text.size());
        const std::string_view line = trim(text.substr(pos, nl - pos));
        pos = nl + 1;
        ++line_no;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        auto spec = parse_regex_spec(line);
        if (!spec) {
            return make_error(ErrorCode::InvalidArgument,
                              "line " + std::to_string(line_no) + ": " + spec.error().message);
        }
        out.push_back(std::move(*spec));
    }
    return out;
}

const std::vector<std::string>& tagger_names() {
    static const std::vector<std::string> kNames = {"asn",  "org",   "ns-provider",
                                                    "risk", "regex", "words"};
    return kNames;
}

Result<Tagger> make_tagger(std::string_view name, const TaggerOptions& options) {
    Result<Tagger> t =
        make_error(ErrorCode::InvalidArgument, "unknown tagger '" + std::string(name) +
                                                   "' (asn, org, ns-provider, risk, regex, words)");
    if (name == "asn") {
        t = asn_tagger();
    } else if (name == "org") {
        t = org_tagger();
    } else if (name == "ns-provider") {
        t = ns_provider_tagger();
    } else if (name == "risk") {
        t = risk_tagger();
    } else if (name == "regex") {
        t = regex_tagger(options);
    } else if (name == "words") {
        t = words_tagger(options);
    }
    if (t && !options.taxonomy.empty()) {
        t->taxonomy.taxonomy.name = options.taxonomy;
    }
    return t;
}

Result<TaggerReport> run_tagger(TagStore& ts, store::Store& store, const Tagger& tagger,
                                std::int64_t scan_id) {
    DG_TRY(auto scan, store.get_scan(scan_id));
    TaggerReport report;
    report.taxonomy = tagger.taxonomy.taxonomy.name;
    DG_TRY(auto existing, ts.find_taxonomy(report.taxonomy));
    if (!existing) {
        DG_TRY_VOID(ts.import_taxonomy(tagger.taxonomy));
        report.taxonomy_created = true;
    }
    std::vector<std::pair<std::string, std::vector<MeasurementTag>>> todo;
    DG_TRY_VOID(store.results(scan_id, {}, [&](const store::StoredResult& r) {
        todo.emplace_back(r.result.domain, tagger.tags_of(r.result));
        return true;
    }));
    report.domains = todo.size();
    for (auto& [domain, tags] : todo) {
        Measurement m;
        m.entity_name = domain;
        m.taxonomy = NameOrId(report.taxonomy);
        m.producer = tagger.producer();
        m.measured_at = scan.started_at * 1000000;
        m.autogenerate_tags = tagger.autogenerate_tags;
        m.autogenerate_values = tagger.autogenerate_values;
        m.tags = std::move(tags);
        auto out = ts.apply(m);
        if (!out) {
            if (out.error().code != ErrorCode::InvalidArgument) {
                return out.error();
            }
            if (report.invalid++ == 0) {
                report.first_invalid = domain + ": " + out.error().message;
            }
            continue;
        }
        if (out->stale) {
            ++report.stale;
            continue;
        }
        ++report.applied;
        report.inserted += out->inserted;
        report.prolonged += out->prolonged;
        report.ended += out->ended;
    }
    return report;
}

} // namespace dg::tags
