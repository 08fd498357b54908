// domaingraph analytics [SCAN] | cluster [SCAN] --by K | trends ASN --days N
// (docs/cli/analytics.md)
#include "dg/analytics/analytics.hpp"
#include "dg/analytics/report_json.hpp"
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/core/asn.hpp"
#include "dg/diff/diff.hpp"
#include "dg/model/json.hpp"

#include <cstdio>
#include <fmt/format.h>
#include <string>

namespace dg::cli {
namespace {

int fail(const char* cmd, const Error& e) {
    std::fprintf(stderr, "domaingraph %s: %s\n", cmd, e.to_string().c_str());
    return e.code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
}

void print(const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), stdout);
}

struct Common {
    std::string scan = "latest-complete";
    std::string db;
    bool json = false;
};

Result<std::pair<std::unique_ptr<store::Store>, std::int64_t>> open_scan(const Common& c) {
    DG_TRY(auto store, store::Store::open(c.db));
    DG_TRY(std::int64_t id, resolve_scan_ref(*store, c.scan));
    return std::make_pair(std::move(store), id);
}

// --- analytics ---

struct AnalyticsOptions : Common {
    std::size_t top = 20;
};

std::string stats_text(const analytics::ScanStats& s, std::size_t top) {
    std::string o =
        fmt::format("ASN analysis of scan {} ({})\n", s.scan_id, model::format_utc(s.started_at));
    o += fmt::format("  domains {} (with addresses {}), IP mappings {} routed + {} unrouted, "
                     "{} distinct addresses\n",
                     s.domains, s.domains_with_addresses, s.ip_mappings, s.unrouted_mappings,
                     s.unique_ips);
    o += "  " + s.coverage.text(true) + "\n";
    for (const auto& w : s.coverage.warnings(false)) {
        o += "  warning: " + w + "\n";
    }
    o += fmt::format("  unique ASes {}, mappings per AS avg {:.2f} max {} min {}\n", s.unique_asns,
                     s.avg_ips_per_asn, s.max_ips_per_asn, s.min_ips_per_asn);
    o += fmt::format("  concentration: top {} AS(es) (10 %) serve {:.2f} % of mappings\n",
                     s.concentration_k, s.concentration_ratio);
    o += fmt::format("  diversity score {:.2f} ({}), Shannon {:.3f} bits, Gini {:.3f} "
                     "(concentration {})\n",
                     s.diversity.score, s.diversity.level, s.diversity.shannon_entropy,
                     s.diversity.gini, s.diversity.concentration);
    if (s.org_diversity) {
        o += fmt::format("  organisations {}, diversity score {:.2f} ({})\n", s.orgs.size(),
                         s.org_diversity->score, s.org_diversity->level);
    }
    o += "\n  rank  ASN         mappings  share    domains  organisation\n";
    for (std::size_t i = 0; i < s.asns.size() && (top == 0 || i < top); ++i) {
        const auto& a = s.asns[i];
        o += fmt::format("  {:>4}  AS{:<9} {:>9} {:>6.2f} % {:>8}  {}\n", i + 1, a.asn,
                         a.ip_mappings, a.percentage, a.domains, a.org);
    }
    o += fmt::format("\n  name servers: {} domains with NS addresses; {} single points of "
                     "failure\n",
                     s.domains_with_ns_addresses, s.single_points_of_failure.size());
    std::size_t shown = 0;
    for (const auto& p : s.single_points_of_failure) {
        if (++shown > 20) {
            o += fmt::format("    ... {} more (--json lists all)\n",
                             s.single_points_of_failure.size() - 20);
            break;
        }
        o += fmt::format("    {}  {}{}\n", p.domain, p.reason,
                         p.ip ? " " + *p.ip : (p.asn ? " AS" + std::to_string(*p.asn) : ""));
    }
    return o;
}

int run_analytics(const AnalyticsOptions& o) {
    auto opened = open_scan(o);
    if (!opened) {
        return fail("analytics", opened.error());
    }
    auto stats = analytics::scan_stats(*opened->first, opened->second);
    if (!stats) {
        return fail("analytics", stats.error());
    }
    print(o.json ? analytics::to_json(*stats, o.top).dump(2) + "\n" : stats_text(*stats, o.top));
    return kExitOk;
}

// --- cluster ---

/// --limit not given: 20 clusters in text, all in JSON.
constexpr std::size_t kLimitUnset = static_cast<std::size_t>(-1);

struct ClusterCliOptions : Common {
    std::string by = "asn";
    std::uint32_t min_shared = 1;
    std::size_t limit = kLimitUnset;
    std::size_t names = 12;
};

/// `words` after `indent`, wrapped to lines of at most `width` columns (a longer word stands
/// alone on its line).
std::string wrapped(const std::vector<std::string>& words, std::size_t count, std::size_t indent,
                    std::size_t width) {
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < count && i < words.size(); ++i) {
        if (column == 0) {
            out.append(indent, ' ');
            column = indent;
        } else if (column + 1 + words[i].size() > width) {
            out += "\n";
            out.append(indent, ' ');
            column = indent;
        } else {
            out += ' ';
            ++column;
        }
        out += words[i];
        column += words[i].size();
    }
    return out.empty() ? out : out + "\n";
}

int run_cluster(const ClusterCliOptions& o) {
    auto by = analytics::parse_cluster_by(o.by);
    if (!by) {
        return fail("cluster", by.error());
    }
    if (o.min_shared == 0) {
        return fail("cluster", make_error(ErrorCode::InvalidArgument, "--min-shared must be >= 1"));
    }
    auto opened = open_scan(o);
    if (!opened) {
        return fail("cluster", opened.error());
    }
    analytics::ClusterOptions co;
    co.by = *by;
    co.min_shared = o.min_shared;
    auto clusters = analytics::cluster_scan(*opened->first, opened->second, co);
    if (!clusters) {
        return fail("cluster", clusters.error());
    }
    if (o.json) {
        const std::size_t limit = o.limit == kLimitUnset ? 0 : o.limit;
        print(analytics::to_json(*clusters, opened->second, co, limit).dump(2) + "\n");
        return kExitOk;
    }
    // Text is for reading: the first 20 clusters, the first few names of each, wrapped to 100
    // columns (a cluster of an ISP's AS holds thousands of names; --json has them all).
    constexpr std::size_t kWidth = 100;
    const std::size_t limit = o.limit == kLimitUnset ? 20 : o.limit;
    std::string out = fmt::format("{} clusters of domains sharing >= {} {} (scan {})\n",
                                  clusters->size(), o.min_shared, o.by, opened->second);
    std::size_t shown = 0;
    for (; shown < clusters->size() && (limit == 0 || shown < limit); ++shown) {
        const auto& c = (*clusters)[shown];
        out += fmt::format("{:>6} domains  shared: ", c.domains.size());
        const std::string shared = wrapped(c.shared, c.shared.size(), 24, kWidth);
        out += shared.empty() ? "-\n" : shared.substr(24);
        const std::size_t names = o.names == 0 ? c.domains.size() : o.names;
        out += wrapped(c.domains, names, 8, kWidth);
        if (c.domains.size() > names) {
            out += fmt::format("        ... and {} more (--names 0 lists every name)\n",
                               c.domains.size() - names);
        }
    }
    if (shown < clusters->size()) {
        out +=
            fmt::format("({} more clusters: --limit 0 lists them all)\n", clusters->size() - shown);
    }
    print(out);
    return kExitOk;
}

// --- trends ---

struct TrendsOptions {
    std::string asn;
    std::string org;
    std::uint32_t days = 30;
    std::string scan = "latest-complete";
    std::string db;
    bool json = false;
};

int run_trends(const TrendsOptions& o) {
    analytics::TrendRequest req;
    req.days = o.days;
    if (!o.asn.empty()) {
        auto asn = Asn::parse(o.asn);
        if (!asn) {
            return fail("trends", asn.error());
        }
        req.asn = asn->value();
    }
    if (!o.org.empty()) {
        req.org = o.org;
    }
    if (req.asn.has_value() == req.org.has_value()) {
        return fail("trends", make_error(ErrorCode::InvalidArgument,
                                         "give either an ASN or --org NAME (not both)"));
    }
    auto store = store::Store::open(o.db);
    if (!store) {
        return fail("trends", store.error());
    }
    auto reference = diff::resolve_scan(**store, o.scan);
    if (!reference) {
        if (reference.error().code == ErrorCode::NotFound && o.scan == "latest-complete") {
            print("no complete scan in the store: no trend\n");
            return kExitOk;
        }
        return fail("trends", reference.error());
    }
    req.same_input_as = reference->id;
    auto t = analytics::trend(**store, req);
    if (!t) {
        return fail("trends", t.error());
    }
    if (o.json) {
        print(analytics::to_json(*t).dump(2) + "\n");
        return kExitOk;
    }
    std::string out =
        fmt::format("{} over the last {} days: {} complete scans of the same {} names as scan {}\n",
                    req.asn ? "AS" + std::to_string(*req.asn) : *req.org, o.days, t->points.size(),
                    t->names, t->same_input_as);
    out += "  scan  date                  mappings  share     domains  share\n";
    for (const auto& p : t->points) {
        out += fmt::format("  {:>4}  {}  {:>8}  {:>6.2f} %  {:>7}  {:>6.2f} %\n", p.scan_id,
                           model::format_utc(p.started_at), p.ip_mappings, p.ip_share, p.domains,
                           p.domain_share);
    }
    if (t->points.size() >= 2) {
        auto pct = [](const std::optional<double>& v) {
            return v ? fmt::format(" ({:+.2f} %)", *v) : std::string(" (from 0)");
        };
        out += fmt::format("  change: mappings {:+}{}, domains {:+}{}\n", t->ip_mappings_change,
                           pct(t->ip_mappings_change_pct), t->domains_change,
                           pct(t->domains_change_pct));
    }
    print(out);
    return kExitOk;
}

void add_common(CLI::App* cmd, Common& c) {
    cmd->add_option("SCAN", c.scan, std::string(kScanRefHelp) + "; default: latest-complete");
    cmd->add_option("--db", c.db, "store URL (default: SQLite in the user data directory)");
    cmd->add_flag("--json", c.json, "JSON output");
}

} // namespace

void register_analytics_commands(CLI::App& app, Runner& selected) {
    auto a = std::make_shared<AnalyticsOptions>();
    CLI::App* cmd = app.add_subcommand(
        "analytics",
        "AS statistics, concentration, diversity and single points of failure of a scan");
    add_common(cmd, *a);
    cmd->add_option("--top", a->top, "ASes / organisations listed (default 20, 0 = all)");
    cmd->footer("Formulas: docs/cli/analytics.md");
    cmd->callback([a, &selected] { selected = [a] { return run_analytics(*a); }; });

    auto c = std::make_shared<ClusterCliOptions>();
    cmd = app.add_subcommand("cluster", "Groups of domains that share infrastructure");
    add_common(cmd, *c);
    cmd->add_option("--by", c->by, "asn (default), prefix, ip (of A/AAAA) or ns (name servers)");
    cmd->add_option("--min-shared", c->min_shared, "elements a group shares (default 1)");
    cmd->add_option("--limit", c->limit,
                    "clusters listed (default: 20 in text, all with --json; 0 = all)");
    cmd->add_option("--names", c->names,
                    "domain names shown per cluster in text (default 12; 0 = all; --json: all)");
    cmd->callback([c, &selected] { selected = [c] { return run_cluster(*c); }; });

    auto t = std::make_shared<TrendsOptions>();
    cmd = app.add_subcommand("trends", "Share of one AS (or organisation) scan by scan");
    cmd->add_option("ASN", t->asn, "AS number (64496 or AS64496)");
    cmd->add_option("--org", t->org, "an organisation name instead of an ASN");
    cmd->add_option("--days", t->days, "look back this many days (default 30)");
    cmd->add_option("--scan", t->scan,
                    "follow the scans of this scan's input (same set of names): an id, 'latest',\n"
                    "'previous' or 'latest-complete' (default)");
    cmd->add_option("--db", t->db, "store URL");
    cmd->add_flag("--json", t->json, "JSON output");
    cmd->callback([t, &selected] { selected = [t] { return run_trends(*t); }; });
}

} // namespace dg::cli
