// domaingraph tags ...  (docs/cli/tags.md): taxonomies, measurements, migration from tag2domain.
// The logic lives in src/dg/tags/; this file only parses options and prints.
#include "dg/cli/commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/cli/scan_ref.hpp"
#include "dg/core/output_file.hpp"
#include "dg/store/store.hpp"
#include "dg/tags/api.hpp"
#include "dg/tags/bulk.hpp"
#include "dg/tags/formats.hpp"
#include "dg/tags/infra_stats.hpp"
#include "dg/tags/migrate.hpp"
#include "dg/tags/tag2domain_pg.hpp"
#include "dg/tags/tag_store.hpp"
#include "dg/tags/taggers.hpp"

#include <cinttypes>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

using nlohmann::json;

int fail(const char* cmd, const Error& e) {
    std::fprintf(stderr, "domaingraph tags %s: %s\n", cmd, e.to_string().c_str());
    return e.code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
}

/// The store and its tag tables; nullptr (after a message) when the database cannot be opened.
struct Db {
    std::unique_ptr<store::Store> store;
    std::optional<tags::TagStore> tags;
};

bool open_db(const char* cmd, const std::string& url, Db& db) {
    auto s = store::Store::open(url);
    if (!s) { // the URL is not repeated: it may hold a password
        std::fprintf(stderr, "domaingraph tags %s: cannot open the database: %s\n", cmd,
                     s.error().message.c_str());
        return false;
    }
    db.store = std::move(*s);
    auto ts = tags::TagStore::open(*db.store);
    if (!ts) {
        fail(cmd, ts.error());
        return false;
    }
    db.tags.emplace(*ts);
    return true;
}

bool write_text(const char* cmd, const std::string& path, const std::string& text) {
    auto w = write_output_file(path.empty() ? "-" : path, text);
    if (!w) {
        std::fprintf(stderr, "domaingraph tags %s: cannot write %s: %s\n", cmd,
                     path.empty() || path == "-" ? "stdout" : path.c_str(),
                     w.error().message.c_str());
        return false;
    }
    return true;
}

void add_db(CLI::App* cmd, std::string& url) {
    cmd->add_option("--db", url,
                    "database: sqlite:///path.db, a path, or postgresql://... (default: SQLite "
                    "in the user data directory)");
}

// --- tags import ---

struct ImportOptions {
    std::vector<std::string> files;
    std::string db;
    bool strict = false;
    bool quiet = false;
};

int run_import(const ImportOptions& o) {
    Db db;
    if (!open_db("import", o.db, db)) {
        return kExitFailure;
    }
    tags::BulkReport total;
    for (const auto& file : o.files.empty() ? std::vector<std::string>{"-"} : o.files) {
        auto text = tags::read_text_file(file);
        if (!text) {
            return fail("import", text.error().at(file));
        }
        const std::string name = file == "-" ? "stdin" : file;
        auto report = tags::import_measurements(
            *db.tags, *text, name, o.strict, [&](std::uint64_t line, const Error& why) {
                if (!o.quiet) {
                    std::fprintf(stderr, "domaingraph tags import: %s:%llu: %s\n", name.c_str(),
                                 static_cast<unsigned long long>(line), why.message.c_str());
                }
            });
        if (!report) {
            fail("import", report.error());
            return report.error().code == ErrorCode::Malformed ? kExitDataErrors : kExitFailure;
        }
        total.total += report->total;
        total.applied += report->applied;
        total.stale += report->stale;
        total.invalid += report->invalid;
        total.inserted += report->inserted;
        total.prolonged += report->prolonged;
        total.ended += report->ended;
    }
    std::fprintf(stderr,
                 "domaingraph tags import: %llu measurements: %llu applied (%llu tags opened, "
                 "%llu extended, %llu ended), %llu stale (skipped), %llu invalid\n",
                 static_cast<unsigned long long>(total.total),
                 static_cast<unsigned long long>(total.applied),
                 static_cast<unsigned long long>(total.inserted),
                 static_cast<unsigned long long>(total.prolonged),
                 static_cast<unsigned long long>(total.ended),
                 static_cast<unsigned long long>(total.stale),
                 static_cast<unsigned long long>(total.invalid));
    return total.invalid > 0 ? kExitDataErrors : kExitOk;
}

// --- tags migrate-from-tag2domain ---

struct MigrateOptions {
    std::string json_file;
    std::string postgres;
    std::vector<std::string> sets;
    std::string schema = "tag2domain";
    std::string db;
};

int run_migrate(const MigrateOptions& o) {
    json doc;
    if (o.postgres.empty()) {
        auto text = tags::read_text_file(o.json_file);
        if (!text) {
            return fail("migrate-from-tag2domain", text.error().at(o.json_file));
        }
        doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
        if (doc.is_discarded()) {
            return fail("migrate-from-tag2domain",
                        make_error(ErrorCode::Malformed, "not valid JSON").at(o.json_file));
        }
    }
    Db db;
    if (!open_db("migrate-from-tag2domain", o.db, db)) {
        return kExitFailure;
    }
    // PostgreSQL streams row by row into the store (flat memory); a JSON file is one document.
    auto r = o.postgres.empty() ? tags::migrate_tag2domain_json(*db.tags, doc, o.sets)
                                : tags::migrate_tag2domain_postgres(*db.tags, o.postgres, o.schema);
    if (!r) {
        return fail("migrate-from-tag2domain",
                    r.error().at(o.postgres.empty() ? o.json_file : "postgres"));
    }
    for (const auto& w : r->warnings) {
        std::fprintf(stderr, "domaingraph tags migrate-from-tag2domain: warning: %s\n", w.c_str());
    }
    std::string types;
    for (const auto& t : r->tag_types) {
        types += (types.empty() ? "" : ", ") + t;
    }
    std::fprintf(stderr,
                 "domaingraph tags migrate-from-tag2domain: %zu taxonomies, %zu tags, %zu values, "
                 "%zu domains, %zu mappings added (%zu already there), %zu filter rows; tag "
                 "types: %s\n",
                 r->taxonomies, r->tags, r->values, r->entities, r->mappings, r->mappings_skipped,
                 r->filters, types.c_str());
    return kExitOk;
}

// --- tags taxonomies list|import|export ---

struct TaxonomyOptions {
    std::vector<std::string> files;
    std::string name;
    std::string format = "misp";
    std::string output;
    std::string db;
    bool other = false;
    bool json_output = false;
};

int run_tax_list(const TaxonomyOptions& o) {
    Db db;
    if (!open_db("taxonomies list", o.db, db)) {
        return kExitFailure;
    }
    auto all = db.tags->taxonomies();
    if (!all) {
        return fail("taxonomies list", all.error());
    }
    std::string out;
    for (const auto& t : *all) {
        auto def = db.tags->load_taxonomy(t.id);
        if (!def) {
            return fail("taxonomies list", def.error());
        }
        std::size_t values = 0;
        for (const auto& tag : def->tags) {
            values += tag.values.size();
        }
        if (o.json_output) {
            out += json{{"id", t.id},         {"name", t.name},
                        {"origin", t.origin}, {"tags", def->tags.size()},
                        {"values", values},   {"description", t.description.value_or("")}}
                       .dump() +
                   "\n";
        } else {
            out += std::to_string(t.id) + "\t" + t.name + "\t" + t.origin + "\t" +
                   std::to_string(def->tags.size()) + " tags\t" + std::to_string(values) +
                   " values\n";
        }
    }
    return write_text("taxonomies list", "-", out) ? kExitOk : kExitFailure;
}

int run_tax_import(const TaxonomyOptions& o) {
    Db db;
    if (!open_db("taxonomies import", o.db, db)) {
        return kExitFailure;
    }
    for (const auto& file : o.files) {
        auto def = tags::read_taxonomy_file(file);
        if (!def) {
            return fail("taxonomies import", def.error());
        }
        auto id = db.tags->import_taxonomy(*def);
        if (!id) {
            return fail("taxonomies import", id.error().at(file));
        }
        if (o.other) {
            auto other = db.tags->ensure_other_tag(*id);
            if (!other) {
                return fail("taxonomies import", other.error());
            }
        }
        std::fprintf(stderr,
                     "domaingraph tags taxonomies import: %s: taxonomy '%s' (id %lld), "
                     "%zu tags\n",
                     file.c_str(), def->taxonomy.name.c_str(), static_cast<long long>(*id),
                     def->tags.size());
    }
    return kExitOk;
}

int run_tax_export(const TaxonomyOptions& o) {
    Db db;
    if (!open_db("taxonomies export", o.db, db)) {
        return kExitFailure;
    }
    auto t = db.tags->find_taxonomy(o.name);
    if (!t) {
        return fail("taxonomies export", t.error());
    }
    if (!*t) {
        return fail("taxonomies export",
                    make_error(ErrorCode::NotFound, "no taxonomy '" + o.name + "'"));
    }
    auto def = db.tags->load_taxonomy((*t)->id);
    if (!def) {
        return fail("taxonomies export", def.error());
    }
    const std::string text =
        o.format == "yaml" ? tags::to_taxonomy_yaml(*def) : tags::to_misp(*def).dump(2) + "\n";
    return write_text("taxonomies export", o.output, text) ? kExitOk : kExitFailure;
}

// --- tags show ---

struct ShowOptions {
    std::string domain;
    std::string at;
    bool history = false;
    std::string format = "text";
    std::string db;
};

int run_show(const ShowOptions& o) {
    Db db;
    if (!open_db("show", o.db, db)) {
        return kExitFailure;
    }
    tags::QueryParams q;
    if (!o.at.empty()) {
        q.emplace_back("at_time", o.at);
    }
    q.emplace_back("limit", "1000000000");
    const auto r = tags::domain_tags(*db.tags, o.domain, q, o.history);
    if (r.status != 200) {
        std::fprintf(stderr, "domaingraph tags show: %s\n", r.body.dump().c_str());
        return r.status == 422 ? kExitUsage : kExitFailure;
    }
    std::string out;
    if (o.format == "json") {
        out = r.body.dump(2) + "\n";
    } else {
        for (const auto& e : r.body) {
            out += e["taxonomy_name"].get<std::string>() + "\t" + e["tag_name"].get<std::string>() +
                   "\t" + (e["value"].is_null() ? "-" : e["value"].get<std::string>()) + "\t" +
                   e["tag_type"].get<std::string>() + "\t" + e["start_time"].get<std::string>() +
                   "\t" + (e["end_time"].is_null() ? "open" : e["end_time"].get<std::string>()) +
                   "\n";
        }
    }
    return write_text("show", "-", out) ? kExitOk : kExitFailure;
}

void register_taxonomies(CLI::App& tags_cmd, Runner& selected) {
    CLI::App* tax = tags_cmd.add_subcommand("taxonomies", "Taxonomies: list, import, export");
    tax->require_subcommand(1);

    auto list = std::make_shared<TaxonomyOptions>();
    CLI::App* l = tax->add_subcommand("list", "List the stored taxonomies: id, name, origin, "
                                              "number of tags and values");
    add_db(l, list->db);
    l->add_flag("--json", list->json_output, "One JSON object per line");
    l->callback([list, &selected] { selected = [list] { return run_tax_list(*list); }; });

    auto imp = std::make_shared<TaxonomyOptions>();
    CLI::App* i = tax->add_subcommand(
        "import",
        "Import taxonomies: MISP machinetag.json files or tag2domain YAML definitions\n"
        "(.yml/.yaml). Importing again updates; tags are never removed.\n"
        "Example:\n  domaingraph tags taxonomies import misp-taxonomies/tlp/machinetag.json");
    i->add_option("files", imp->files, "machinetag.json or .yml files")->required();
    i->add_flag("--other", imp->other,
                "Add an OTHER tag: measurements naming unknown tags land there");
    add_db(i, imp->db);
    i->callback([imp, &selected] { selected = [imp] { return run_tax_import(*imp); }; });

    auto exp = std::make_shared<TaxonomyOptions>();
    CLI::App* e = tax->add_subcommand("export", "Export a taxonomy as MISP machinetag.json or "
                                                "tag2domain YAML");
    e->add_option("name", exp->name, "taxonomy name (or id)")->required();
    e->add_option("--format", exp->format, "misp or yaml")
        ->check(CLI::IsMember({"misp", "yaml"}))
        ->capture_default_str();
    e->add_option("-o,--output", exp->output, "output file (default: stdout)");
    add_db(e, exp->db);
    e->callback([exp, &selected] { selected = [exp] { return run_tax_export(*exp); }; });
}

// --- tags run TAGGER ---

struct RunOptions {
    std::string tagger;
    std::string scan;
    std::vector<std::string> regexes;
    std::string regex_file;
    std::string dictionary;
    std::size_t min_word_length = 3;
    std::string taxonomy;
    std::string db;
};

Result<tags::TaggerOptions> tagger_options(const RunOptions& o) {
    tags::TaggerOptions t;
    t.taxonomy = o.taxonomy;
    for (const auto& spec : o.regexes) {
        DG_TRY(auto r, tags::parse_regex_spec(spec));
        t.regexes.push_back(std::move(r));
    }
    if (!o.regex_file.empty()) {
        DG_TRY(auto text, tags::read_text_file(o.regex_file));
        auto file = tags::parse_regex_file(text);
        if (!file) {
            return file.error().at(o.regex_file);
        }
        t.regexes.insert(t.regexes.end(), file->begin(), file->end());
    }
    if (!o.dictionary.empty()) {
        DG_TRY(auto text, tags::read_text_file(o.dictionary));
        auto dict = tags::parse_dictionary(text, o.min_word_length);
        if (!dict) {
            return dict.error().at(o.dictionary);
        }
        t.dictionary = std::make_shared<tags::Dictionary>(std::move(*dict));
    }
    return t;
}

int run_tagger_cmd(const RunOptions& o) {
    auto options = tagger_options(o);
    if (!options) {
        return fail("run", options.error());
    }
    auto tagger = tags::make_tagger(o.tagger, *options);
    if (!tagger) {
        return fail("run", tagger.error());
    }
    Db db;
    if (!open_db("run", o.db, db)) {
        return kExitFailure;
    }
    auto scan = resolve_scan_ref(*db.store, o.scan);
    if (!scan) {
        return fail("run", scan.error());
    }
    auto r = tags::run_tagger(*db.tags, *db.store, *tagger, *scan);
    if (!r) {
        return fail("run", r.error());
    }
    if (r->taxonomy_created) {
        std::fprintf(stderr, "domaingraph tags run: created taxonomy '%s'\n", r->taxonomy.c_str());
    }
    if (r->invalid > 0) {
        std::fprintf(stderr, "domaingraph tags run: first refused measurement: %s\n",
                     r->first_invalid.c_str());
    }
    std::fprintf(stderr,
                 "domaingraph tags run %s: scan %" PRId64 ", %" PRIu64 " domains: %" PRIu64
                 " applied (%" PRIu64 " tags opened, %" PRIu64 " extended, %" PRIu64
                 " ended), %" PRIu64 " stale (skipped), %" PRIu64 " refused\n",
                 o.tagger.c_str(), *scan, r->domains, r->applied, r->inserted, r->prolonged,
                 r->ended, r->stale, r->invalid);
    return r->invalid > 0 ? kExitDataErrors : kExitOk;
}

// --- tags stats TAXONOMY --scan ID ---

struct StatsOptions {
    std::string taxonomy;
    std::string scan;
    std::string at;
    bool json_output = false;
    std::size_t top = 5;
    std::string db;
};

std::string stats_text(const tags::InfraStats& s, std::size_t top) {
    std::string out;
    char buf[512];
    for (const auto& t : s.tags) {
        std::snprintf(buf, sizeof buf,
                      "%s\t%" PRIu64 " tagged\t%" PRIu64 " in scan\t%" PRIu64 " routed\n",
                      t.tag.c_str(), t.tagged, t.in_scan, t.routed);
        out += buf;
        for (std::size_t i = 0; i < t.asns.size() && i < top; ++i) {
            const auto& a = t.asns[i];
            std::snprintf(buf, sizeof buf, "  AS%u\t%" PRIu64 "\t%.1f%%\t%s\n", a.asn, a.domains,
                          a.share, a.org.empty() ? "-" : a.org.c_str());
            out += buf;
        }
        if (t.asns.size() > top) {
            out += "  (" + std::to_string(t.asns.size() - top) + " more ASes)\n";
        }
    }
    return out;
}

int run_stats(const StatsOptions& o) {
    std::optional<tags::Micros> at;
    if (!o.at.empty()) {
        auto t = tags::parse_time(o.at);
        if (!t) {
            return fail("stats", t.error());
        }
        at = *t;
    }
    Db db;
    if (!open_db("stats", o.db, db)) {
        return kExitFailure;
    }
    auto scan = resolve_scan_ref(*db.store, o.scan);
    if (!scan) {
        return fail("stats", scan.error());
    }
    auto s = tags::infrastructure_stats(*db.tags, *db.store, o.taxonomy, *scan, at);
    if (!s) {
        return fail("stats", s.error());
    }
    const std::string text =
        o.json_output ? tags::to_json(*s).dump(2) + "\n" : stats_text(*s, o.top);
    return write_text("stats", "-", text) ? kExitOk : kExitFailure;
}

void register_run_and_stats(CLI::App& tags_cmd, Runner& selected) {
    auto run = std::make_shared<RunOptions>();
    CLI::App* r = tags_cmd.add_subcommand(
        "run",
        "Tag the domains of a stored scan with a built-in tagger (measured at the scan's start,\n"
        "producer domaingraph:TAGGER; the taxonomy is created on first use). Running it on a\n"
        "later scan extends tags still present and ends the others.\n"
        "Taggers: asn, org, ns-provider, risk, regex (--regex/--regex-file), words "
        "(--dictionary).\n"
        "Example:\n  domaingraph tags run asn --scan 3\n"
        "  domaingraph tags run regex --scan 3 --regex shop='shop|store' --regex bank=bank");
    r->add_option("tagger", run->tagger, "asn, org, ns-provider, risk, regex, words")
        ->required()
        ->check(CLI::IsMember(tags::tagger_names()));
    r->add_option("--scan", run->scan, kScanRefHelp)->required();
    r->add_option("--regex", run->regexes,
                  "NAME=PATTERN (ECMAScript, case-insensitive, "
                  "searched in the name); repeatable");
    r->add_option("--regex-file", run->regex_file, "lines NAME=PATTERN ('#' comments)");
    r->add_option("--dictionary", run->dictionary, "word list, one lower-case word a line");
    r->add_option("--min-word-length", run->min_word_length, "shorter dictionary words ignored")
        ->capture_default_str();
    r->add_option("--taxonomy", run->taxonomy, "taxonomy name (default: domaingraph-TAGGER)");
    add_db(r, run->db);
    r->callback([run, &selected] { selected = [run] { return run_tagger_cmd(*run); }; });

    auto st = std::make_shared<StatsOptions>();
    CLI::App* s = tags_cmd.add_subcommand(
        "stats", "Per tag of TAXONOMY valid at --at (default: the scan's start), the AS and\n"
                 "organisation distribution of its domains' A/AAAA addresses in --scan.\n"
                 "Example:\n  domaingraph tags stats domaingraph-ns-provider --scan 3 --json");
    s->add_option("taxonomy", st->taxonomy, "taxonomy name (or id)")->required();
    s->add_option("--scan", st->scan, kScanRefHelp)->required();
    s->add_option("--at", st->at, "a time: 2020-06-01T12:00:00 (UTC) or with Z/+HH:MM");
    s->add_flag("--json", st->json_output, "the API's JSON document");
    s->add_option("--top", st->top, "ASes listed per tag (text)")->capture_default_str();
    add_db(s, st->db);
    s->callback([st, &selected] { selected = [st] { return run_stats(*st); }; });
}

} // namespace

void register_tags_commands(CLI::App& app, Runner& selected) {
    CLI::App* tags_cmd = app.add_subcommand(
        "tags", "Tags on domains and IPs over time (tag2domain model): taxonomies, measurements,\n"
                "migration from tag2domain. See docs/cli/tags.md.");
    tags_cmd->require_subcommand(1);

    auto imp = std::make_shared<ImportOptions>();
    CLI::App* i = tags_cmd->add_subcommand(
        "import",
        "Import measurements (tag2domain msm2tag format): JSON Lines, a JSON array, or one\n"
        "JSON object per file; '-' or nothing reads stdin. Each measurement is a full snapshot\n"
        "of one taxonomy for one entity: present tags are opened or extended, missing ones\n"
        "ended. Stale measurements are skipped; invalid ones are reported (exit 3).\n"
        "Example:\n  domaingraph tags import measurements.jsonl --db sqlite:///tags.db");
    i->add_option("files", imp->files, "measurement files (default: stdin)");
    i->add_flag("--strict", imp->strict, "Stop at the first invalid measurement");
    i->add_flag("-q,--quiet", imp->quiet, "Do not print each skipped measurement");
    add_db(i, imp->db);
    i->callback([imp, &selected] { selected = [imp] { return run_import(*imp); }; });

    auto mig = std::make_shared<MigrateOptions>();
    CLI::App* m = tags_cmd->add_subcommand(
        "migrate-from-tag2domain",
        "Copy a tag2domain database (taxonomies, tags, values, domains, intersection tables,\n"
        "filters) into domaingraph's store, keeping the IDs the API shows. Running it again\n"
        "adds nothing.\n"
        "Example:\n  domaingraph tags migrate-from-tag2domain --json fixtures_as_tables.json "
        "--set basic --db t.db");
    auto* json_opt = m->add_option("--json", mig->json_file,
                                   "the tables as JSON rows (fixtures_as_tables.json format)");
    auto* pg_opt = m->add_option("--postgres", mig->postgres,
                                 "an upstream tag2domain PostgreSQL database (libpq URI), read "
                                 "through cursors (flat memory); producers come from the "
                                 "intersection tables");
    json_opt->excludes(pg_opt);
    m->add_option("--schema", mig->schema, "schema of the tag2domain tables (with --postgres)")
        ->capture_default_str();
    m->add_option("--set", mig->sets, "named state(s) in the JSON file")->delimiter(',');
    add_db(m, mig->db);
    m->callback([mig, &selected] {
        if (mig->json_file.empty() && mig->postgres.empty()) {
            throw CLI::RequiredError("--json or --postgres");
        }
        selected = [mig] { return run_migrate(*mig); };
    });

    register_taxonomies(*tags_cmd, selected);
    register_run_and_stats(*tags_cmd, selected);

    auto show = std::make_shared<ShowOptions>();
    CLI::App* s = tags_cmd->add_subcommand(
        "show", "Tags of one domain: open ones, those valid at --at TIME, or --history.\n"
                "Text: taxonomy, tag, value, tag type, start, end (or 'open').");
    s->add_option("domain", show->domain, "domain name (exact)")->required();
    s->add_option("--at", show->at, "a time: 2020-06-01T12:00:00 (UTC) or with Z/+HH:MM");
    s->add_flag("--history", show->history, "every row ever stored");
    s->add_option("--format", show->format, "text or json")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    add_db(s, show->db);
    s->callback([show, &selected] { selected = [show] { return run_show(*show); }; });
}

} // namespace dg::cli
