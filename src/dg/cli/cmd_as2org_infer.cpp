// domaingraph as2org infer DUMP... -o FILE   (AS -> organisation families from WHOIS bulk dumps)
// domaingraph as2org validate --truth FILE (-f FILE | DUMP...) [--against CAIDA_FILE] [--json]
// domaingraph as2org diff OLD NEW
// Docs: docs/cli/as2org.md.
#include "dg/cli/as2org_commands.hpp"
#include "dg/cli/exit_codes.hpp"
#include "dg/core/output_file.hpp"
#include "dg/org/as2org_compare.hpp"
#include "dg/org/as2org_write.hpp"
#include "dg/org/infer.hpp"
#include "dg/org/org_table.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace dg::cli {
namespace {

constexpr std::size_t kWarningsShown = 20;

struct InferCli {
    std::vector<std::string> dumps;
    std::string fields = "always";
    std::string generic = "min50sqrt";
    std::string as_of;
    std::string output;
    std::string format = "caida";
    std::string explain;
    std::string family_org = "most-ases";
    std::string charset = "auto";
    bool lacnic_ownerid = false;
    std::uint64_t max_errors = 1000;
    bool quiet = false;
};

bool write_output(const std::string& path, const std::string& text) {
    return write_output_file(path, text).has_value();
}

/// Builds the inference from the options; prints problems. nullptr on failure (exit code set).
std::unique_ptr<org::Inference> infer(const InferCli& o, int& exit_code) {
    org::InferOptions opts;
    auto fields = org::parse_field_list(o.fields);
    auto generic = org::parse_generic_rule(o.generic);
    if (!fields || !generic) {
        std::fprintf(stderr, "domaingraph as2org infer: %s\n",
                     (!fields ? fields.error() : generic.error()).message.c_str());
        exit_code = kExitUsage;
        return nullptr;
    }
    opts.fields = *fields;
    opts.generic = *generic;
    opts.as_of = o.as_of;
    opts.lacnic_ownerid = o.lacnic_ownerid;
    opts.family_org = o.family_org == "smallest-id" ? org::FamilyOrgRule::SmallestId
                      : o.family_org == "newest"    ? org::FamilyOrgRule::Newest
                                                    : org::FamilyOrgRule::MostAses;
    opts.reader.charset = o.charset == "latin1" ? org::whois::Charset::Latin1
                          : o.charset == "utf8" ? org::whois::Charset::Utf8
                                                : org::whois::Charset::Auto;
    opts.reader.max_record_errors = o.max_errors;
    auto inf = std::make_unique<org::Inference>(opts);
    bool damaged = false;
    for (const std::string& path : o.dumps) {
        auto r = inf->add_file(path);
        const auto& files = inf->report().files;
        if (!files.empty() && files.back().source == path) {
            const auto& rep = files.back();
            for (std::size_t i = 0; i < rep.warnings.size() && i < kWarningsShown; ++i) {
                std::fprintf(stderr, "domaingraph as2org infer: %s\n",
                             rep.warnings[i].to_string().c_str());
            }
            if (!o.quiet) {
                std::fprintf(stderr, "domaingraph as2org infer: %s: %llu objects, %llu broken\n",
                             path.c_str(), static_cast<unsigned long long>(rep.objects),
                             static_cast<unsigned long long>(rep.record_errors));
            }
            damaged = damaged || rep.record_errors > 0;
        }
        if (!r) {
            std::fprintf(stderr, "domaingraph as2org infer: %s\n", r.error().to_string().c_str());
            exit_code = kExitFailure;
            return nullptr;
        }
    }
    auto run = inf->run();
    if (!run) {
        std::fprintf(stderr, "domaingraph as2org infer: %s\n", run.error().to_string().c_str());
        exit_code = run.error().code == ErrorCode::InvalidArgument ? kExitUsage : kExitFailure;
        return nullptr;
    }
    const auto& rep = inf->report();
    if (!o.quiet) {
        std::fprintf(stderr,
                     "domaingraph as2org infer: %llu ASes in %llu families; %llu AS records, "
                     "%llu orgs, %llu contacts, %llu mntners, %llu as-blocks (%llu from block "
                     "aut-nums); %llu conflicts "
                     "(%llu by as-block, %llu non-authoritative dropped); %llu orgs synthesised; "
                     "%llu records pruned; %llu generic values; %llu duplicates merged\n",
                     static_cast<unsigned long long>(rep.ases),
                     static_cast<unsigned long long>(rep.families),
                     static_cast<unsigned long long>(rep.aut_records),
                     static_cast<unsigned long long>(rep.org_records),
                     static_cast<unsigned long long>(rep.contact_records),
                     static_cast<unsigned long long>(rep.mntner_records),
                     static_cast<unsigned long long>(rep.as_blocks),
                     static_cast<unsigned long long>(rep.block_aut_nums),
                     static_cast<unsigned long long>(rep.conflicts),
                     static_cast<unsigned long long>(rep.decided_by_block),
                     static_cast<unsigned long long>(rep.nonauth_dropped),
                     static_cast<unsigned long long>(rep.synthesized_orgs),
                     static_cast<unsigned long long>(rep.pruned),
                     static_cast<unsigned long long>(rep.generic_values),
                     static_cast<unsigned long long>(rep.consolidated));
    }
    exit_code = damaged ? kExitDataErrors : kExitOk;
    return inf;
}

int run_infer(const InferCli& o) {
    if (o.output.empty() && o.explain.empty()) {
        std::fprintf(stderr, "domaingraph as2org infer: -o FILE is required (or --explain ASN)\n");
        return kExitUsage;
    }
    if (o.format != "caida" && o.format != "jsonl") {
        std::fprintf(stderr, "domaingraph as2org infer: --format is caida or jsonl\n");
        return kExitUsage;
    }
    std::optional<Asn> explain_asn;
    if (!o.explain.empty()) {
        auto a = Asn::parse(o.explain);
        if (!a) {
            std::fprintf(stderr, "domaingraph as2org infer: invalid AS number '%s'\n",
                         o.explain.c_str());
            return kExitUsage;
        }
        explain_asn = *a;
    }
    int code = kExitOk;
    auto inf = infer(o, code);
    if (!inf) {
        return code;
    }
    if (!o.output.empty()) {
        const std::string text = o.format == "jsonl" ? org::write_caida_jsonl(inf->rows())
                                                     : org::write_caida_text(inf->rows());
        if (!write_output(o.output, text)) {
            std::fprintf(stderr, "domaingraph as2org infer: cannot write %s\n", o.output.c_str());
            return kExitFailure;
        }
    }
    if (explain_asn) {
        auto e = inf->explain(*explain_asn);
        if (!e) {
            std::fprintf(stderr, "domaingraph as2org infer: %s\n", e.error().message.c_str());
            return kExitFailure;
        }
        std::FILE* out = o.output == "-" ? stderr : stdout;
        std::fputs(e->c_str(), out);
        std::fflush(out);
    }
    return code;
}

// ---- validate -----------------------------------------------------------------------------

struct ValidateCli {
    std::string truth;
    std::string file;
    std::string against;
    bool json = false;
};

std::optional<org::OrgTable> load_table(const std::string& path, const char* cmd) {
    org::LoadReport report;
    auto t = org::OrgTable::load(path, &report);
    if (!t) {
        std::fprintf(stderr, "domaingraph as2org %s: cannot load %s: %s\n", cmd, path.c_str(),
                     t.error().to_string().c_str());
        return std::nullopt;
    }
    return std::move(t).value();
}

int run_validate(const ValidateCli& o) {
    auto mapping = load_table(o.file, "validate");
    if (!mapping) {
        return kExitFailure;
    }
    nlohmann::ordered_json j;
    std::string text;
    char buf[512];
    if (!o.truth.empty()) {
        auto truth = org::load_truth(o.truth);
        if (!truth) {
            std::fprintf(stderr, "domaingraph as2org validate: %s\n",
                         truth.error().to_string().c_str());
            return kExitFailure;
        }
        const org::TruthSummary s = org::score_truth(*truth, *mapping);
        auto rows = nlohmann::ordered_json::array();
        text += "organisation\tASes\tpairs\tfamilies\tTP\tFN\tFP(ASes)\tmissing\n";
        for (const auto& r : s.rows) {
            rows.push_back({{"organisation", r.name},
                            {"ases", r.ases},
                            {"pairs", r.pairs},
                            {"families", r.families},
                            {"tp", r.tp},
                            {"fn", r.fn},
                            {"fp_ases", r.fp_ases},
                            {"missing", r.missing}});
            std::snprintf(
                buf, sizeof buf, "%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n", r.name.c_str(),
                static_cast<unsigned long long>(r.ases), static_cast<unsigned long long>(r.pairs),
                static_cast<unsigned long long>(r.families), static_cast<unsigned long long>(r.tp),
                static_cast<unsigned long long>(r.fn), static_cast<unsigned long long>(r.fp_ases),
                static_cast<unsigned long long>(r.missing));
            text += buf;
        }
        j["truth"] = {{"file", o.truth},
                      {"groups", s.rows.size()},
                      {"pairs", s.pairs},
                      {"tp", s.tp},
                      {"fp_ases", s.fp_ases},
                      {"recall", s.recall},
                      {"precision", s.precision},
                      {"predicted_pairs", s.predicted_pairs},
                      {"rows", rows}};
        std::snprintf(buf, sizeof buf,
                      "total: %zu groups, %llu pairs, TP %llu, FP(ASes) %llu; pairwise recall "
                      "%.4f, precision %.4f (%llu same-family pairs among truth ASes)\n",
                      s.rows.size(), static_cast<unsigned long long>(s.pairs),
                      static_cast<unsigned long long>(s.tp),
                      static_cast<unsigned long long>(s.fp_ases), s.recall, s.precision,
                      static_cast<unsigned long long>(s.predicted_pairs));
        text += buf;
    }
    if (!o.against.empty()) {
        auto ref = load_table(o.against, "validate");
        if (!ref) {
            return kExitFailure;
        }
        const org::Agreement a = org::compare_mappings(*mapping, *ref);
        j["against"] = {{"file", o.against},           {"common_ases", a.common_ases},
                        {"pairs_inferred", a.pairs_a}, {"pairs_reference", a.pairs_b},
                        {"pairs_both", a.pairs_both},  {"precision", a.precision},
                        {"recall", a.recall},          {"same_sibling_sets", a.same_sibling_sets},
                        {"only_inferred", a.only_a},   {"only_reference", a.only_b}};
        std::snprintf(buf, sizeof buf,
                      "against %s: %llu common ASes; same-organisation pairs: precision %.4f, "
                      "recall %.4f; sibling sets equal for %llu ASes\n",
                      o.against.c_str(), static_cast<unsigned long long>(a.common_ases),
                      a.precision, a.recall, static_cast<unsigned long long>(a.same_sibling_sets));
        text += buf;
        for (const auto& [src, n] : a.only_a) {
            std::snprintf(buf, sizeof buf, "  only in %s: %llu ASes of %s\n", o.file.c_str(),
                          static_cast<unsigned long long>(n), src.c_str());
            text += buf;
        }
        for (const auto& [src, n] : a.only_b) {
            std::snprintf(buf, sizeof buf, "  only in %s: %llu ASes of %s\n", o.against.c_str(),
                          static_cast<unsigned long long>(n), src.c_str());
            text += buf;
        }
    }
    if (o.json) {
        const std::string s = j.dump() + "\n";
        std::fwrite(s.data(), 1, s.size(), stdout);
    } else {
        std::fwrite(text.data(), 1, text.size(), stdout);
    }
    return kExitOk;
}

// ---- diff ---------------------------------------------------------------------------------

struct DiffCli {
    std::string old_file;
    std::string new_file;
};

int run_diff(const DiffCli& o) {
    auto old_t = load_table(o.old_file, "diff");
    auto new_t = load_table(o.new_file, "diff");
    if (!old_t || !new_t) {
        return kExitFailure;
    }
    const org::MappingDiff d = org::diff_mappings(*old_t, *new_t);
    std::string out;
    auto line = [&out](const nlohmann::ordered_json& j) {
        out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        out += '\n';
    };
    for (const std::uint32_t a : d.added) {
        line({{"change", "added"}, {"asn", a}, {"org_id", new_t->as_of(Asn(a))->org_id}});
    }
    for (const std::uint32_t a : d.removed) {
        line({{"change", "removed"}, {"asn", a}, {"org_id", old_t->as_of(Asn(a))->org_id}});
    }
    for (const auto& m : d.moved) {
        line({{"change", "moved"},
              {"asn", m.asn},
              {"old_org_id", m.old_org},
              {"new_org_id", m.new_org},
              {"old_family_size", m.old_family_size},
              {"new_family_size", m.new_family_size}});
    }
    for (const auto& m : d.merged) {
        line({{"change", "merged"}, {"org_id", m.org}, {"from", m.others}});
    }
    for (const auto& s : d.split) {
        line({{"change", "split"}, {"org_id", s.org}, {"into", s.others}});
    }
    for (const auto& r : d.renamed_orgs) {
        line({{"change", "org_renamed"},
              {"org_id", r.id},
              {"old_name", r.old_name},
              {"new_name", r.new_name}});
    }
    for (const auto& r : d.renamed_ases) {
        line({{"change", "as_renamed"},
              {"asn", r.id.substr(2)},
              {"old_name", r.old_name},
              {"new_name", r.new_name}});
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fprintf(stderr,
                 "domaingraph as2org diff: %zu added, %zu removed, %zu moved, %zu merged, %zu "
                 "split, %zu organisations renamed, %zu ASes renamed\n",
                 d.added.size(), d.removed.size(), d.moved.size(), d.merged.size(), d.split.size(),
                 d.renamed_orgs.size(), d.renamed_ases.size());
    return kExitOk;
}

} // namespace

void register_as2org_infer(CLI::App& group, Runner& selected) {
    auto o = std::make_shared<InferCli>();
    CLI::App* cmd = group.add_subcommand(
        "infer",
        "Infer AS -> organisation families from RIR WHOIS bulk dumps (CAIDA's method,\n"
        "see docs/cli/as2org.md) and write CAIDA's as-org2info format.\n"
        "DUMP: RPSL split files (ripe.db.aut-num, ripe.db.organisation, apnic.db.role ...),\n"
        "whole afrinic.db / lacnic.db, ARIN's arin_db.txt (ARIN bulk data needs an agreement\n"
        "with ARIN: extract arin_db.txt from the zip you receive and pass it by path); plain or\n"
        "gz/bz2/zst. Public RIPE dumps are dummified (contacts removed), so families found on\n"
        "them are fewer than CAIDA's.\n"
        "Example:\n"
        "  domaingraph as2org infer ripe.db.aut-num.gz ripe.db.organisation.gz afrinic.db.gz \\\n"
        "      -o 20240101.as-org2info.txt --explain 64496");
    cmd->add_option("dumps", o->dumps, "WHOIS bulk dump files")->required();
    cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)");
    cmd->add_option("--format", o->format, "caida (text, default) or jsonl");
    cmd->add_option("--fields", o->fields,
                    "Fields linking ASes into families: names (aut.org_id, org.email, aut.mnt_by "
                    "...) and presets always (default), less-efficient, table1, excluded, all; "
                    "'-name' removes");
    cmd->add_option("--generic-threshold", o->generic,
                    "min50sqrt (default: generic when count > min(50, sqrt(N_field))), "
                    "min<N>sqrt, fixed:<N>, off; then ,ge ,per-registry ,before-pruning");
    cmd->add_option("--as-of", o->as_of,
                    "YYYYMMDD: ignore records created later; the output's date");
    cmd->add_option("--explain", o->explain,
                    "Print why this AS is in its family (to stdout; to stderr with -o -)");
    cmd->add_option("--family-org", o->family_org,
                    "Org naming a family with several registry orgs: most-ases (default), "
                    "smallest-id, newest");
    cmd->add_flag("--lacnic-ownerid", o->lacnic_ownerid,
                  "Use LACNIC's ownerid as an org link (off: CAIDA parity)");
    cmd->add_option("--charset", o->charset,
                    "Bytes >= 0x80: auto (default: UTF-8 when valid, else ISO-8859-1), latin1, "
                    "utf8");
    cmd->add_option("--max-errors", o->max_errors,
                    "Broken objects tolerated per file before stopping (default 1000)");
    cmd->add_flag("-q,--quiet", o->quiet, "No per-file and summary lines on stderr");
    cmd->callback([o, &selected] { selected = [o] { return run_infer(*o); }; });
}

void register_as2org_validate(CLI::App& group, Runner& selected) {
    auto o = std::make_shared<ValidateCli>();
    CLI::App* cmd = group.add_subcommand(
        "validate",
        "Score an AS -> organisation file: per ground-truth organisation the seed's Table 1\n"
        "columns (ASes, pairs, families, TP pairs, FN, FP ASes) with pairwise recall and\n"
        "precision; against a reference file (e.g. CAIDA's), pairwise precision/recall of\n"
        "same-organisation pairs, per-AS sibling-set agreement and coverage by registry.\n"
        "Example:\n"
        "  domaingraph as2org validate -f inferred.txt --truth siblings.txt --against "
        "20240101.as-org2info.txt.gz");
    cmd->add_option("-f,--file", o->file, "The mapping to score (as2org text or JSON Lines)")
        ->required();
    cmd->add_option("--truth", o->truth,
                    "Sibling lists: one group of ASNs per line, '# name' lines name groups");
    cmd->add_option("--against", o->against, "A reference mapping (CAIDA's file)");
    cmd->add_flag("--json", o->json, "One JSON object instead of text");
    cmd->callback([o, &selected] {
        selected = [o] {
            if (o->truth.empty() && o->against.empty()) {
                std::fprintf(stderr,
                             "domaingraph as2org validate: give --truth and/or --against\n");
                return kExitUsage;
            }
            return run_validate(*o);
        };
    });
}

void register_as2org_diff(CLI::App& group, Runner& selected) {
    auto o = std::make_shared<DiffCli>();
    CLI::App* cmd = group.add_subcommand(
        "diff",
        "What changed between two AS -> organisation files: one JSON object per line with\n"
        "\"change\": added, removed, moved (the AS's set of siblings changed), merged, split,\n"
        "org_renamed, as_renamed; a summary on stderr.\n"
        "Example:\n"
        "  domaingraph as2org diff 20240101.as-org2info.txt.gz 20240401.as-org2info.txt.gz");
    cmd->add_option("old", o->old_file, "The older file")->required();
    cmd->add_option("new", o->new_file, "The newer file")->required();
    cmd->callback([o, &selected] { selected = [o] { return run_diff(*o); }; });
}

} // namespace dg::cli
