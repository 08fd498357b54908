#pragma once
// Migration from tag2domain: its tables (taxonomy, tags, taxonomy_tag_val, the domains, the
// intersection tables and the filter view) as JSON rows, the format of
// ../shared/data/tag2domain/fixtures/fixtures_as_tables.json. IDs visible in the API (taxonomy,
// tag, value, domain) are kept; running it again adds nothing.

#include "dg/core/result.hpp"
#include "dg/tags/tag_store.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dg::tags {

struct MigrationReport {
    std::size_t taxonomies = 0;
    std::size_t tags = 0;
    std::size_t values = 0;
    std::size_t entities = 0;
    std::size_t mappings = 0;         ///< rows inserted
    std::size_t mappings_skipped = 0; ///< identical rows already stored
    std::size_t filters = 0;
    std::vector<std::string> tag_types;
    std::vector<std::string> warnings; ///< ids that could not be kept, rows left out
};

/// A migration fed row by row, so that a reader can stream its source (the PostgreSQL reader
/// reads through cursors: memory stays flat, but for the domain id map, 16 bytes per domain).
/// Use: begin(core tables) -> domain() for every domain -> tag_type() then mapping() for its
/// rows -> filter() -> commit(). One transaction; destroyed before commit(), it rolls back.
class Tag2domainMigration {
public:
    explicit Tag2domainMigration(TagStore& ts);
    ~Tag2domainMigration();
    Tag2domainMigration(const Tag2domainMigration&) = delete;
    Tag2domainMigration& operator=(const Tag2domainMigration&) = delete;

    /// Begins the transaction and stores the taxonomies with their tags and values: `core` is
    /// an object with the tables `taxonomy`, `tags` and `taxonomy_tag_val` (small).
    Result<void> begin(const nlohmann::json& core);
    /// One `domains` row {domain_id, domain_name}.
    Result<void> domain(const nlohmann::json& row);
    /// Registers a tag type before its rows.
    Result<void> tag_type(const std::string& name);
    /// One intersection row {tag_id, value_id, start_ts, measured_at, end_ts, producer} of
    /// `tag_type` for upstream domain `domain_id` (as the rows' entity resolves).
    Result<void> mapping(const std::string& tag_type, const nlohmann::json& row,
                         std::optional<std::int64_t> domain_id);
    /// One `v_tag2domain_domain_filter` row {domain_id, tag_name, value, start_ts, end_ts}.
    Result<void> filter(const nlohmann::json& row);
    /// Moves the id sequences on and commits.
    Result<MigrationReport> commit();

private:
    struct State;
    std::unique_ptr<State> s_;
};

/// One tag2domain state: an object with the keys `taxonomy`, `tags`, `taxonomy_tag_val`,
/// `domains`, `intersections.<TAG TYPE> (table T, entity = <table>.<column>)` (entity table
/// `domains`, or a table whose rows carry `domain_id`, e.g. delegations) and
/// `v_tag2domain_domain_filter ...`. One transaction. Errors: Malformed (shape), InvalidArgument
/// (an id already used by something else).
Result<MigrationReport> migrate_tag2domain_state(TagStore& ts, const nlohmann::json& state);

/// A document of named states (fixtures_as_tables.json) or one state. `sets` picks states by
/// name (applied in order); empty: the document is one state, or has exactly one.
Result<MigrationReport> migrate_tag2domain_json(TagStore& ts, const nlohmann::json& doc,
                                                const std::vector<std::string>& sets);

} // namespace dg::tags
