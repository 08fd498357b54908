#pragma once
// TagStore: the tagging tables (schema/0002_tags.sql) in the same database as the Store, either
// backend. Thread safety: as the Store it was opened from (one thread at a time); the Store must
// outlive it.

#include "dg/core/result.hpp"
#include "dg/store/internal/connection.hpp"
#include "dg/store/store.hpp"
#include "dg/tags/model.hpp"

#include <optional>
#include <vector>

namespace dg::tags {

/// The one form an entity name is stored and looked up in, as scans store names: a domain
/// through DomainName::parse with '_' allowed (lower case, A-labels checked against IDNA 2008,
/// no trailing dot, RFC 1035 lengths), an address as IpAddress prints it. Errors: InvalidArgument
/// (with the reason; NUL and control characters included).
Result<std::string> canonical_entity_name(EntityKind kind, std::string_view name);

class TagStore {
public:
    /// Errors: Unsupported when the store has no SQL connection.
    static Result<TagStore> open(store::Store& store);
    explicit TagStore(store::internal::Connection& c) : c_(&c) {}

    [[nodiscard]] store::internal::Connection& conn() const { return *c_; }

    // --- taxonomies ---
    /// Stores a taxonomy with its tags and values in one transaction. An existing taxonomy of
    /// the same name is updated: its fields are replaced, tags and values are added or updated by
    /// name, and none are removed (mappings may use them). Ids set in `def` are kept (migration)
    /// when free. Returns the taxonomy id.
    Result<std::int64_t> import_taxonomy(const TaxonomyDef& def);
    /// import_taxonomy without a transaction of its own (for callers that hold one).
    Result<std::int64_t> store_taxonomy(const TaxonomyDef& def);
    /// All taxonomies ordered by id (without tags).
    Result<std::vector<Taxonomy>> taxonomies();
    /// By name, or by id when `key` is all digits and no taxonomy has that name.
    Result<std::optional<Taxonomy>> find_taxonomy(const std::string& key);
    Result<std::optional<Taxonomy>> taxonomy_by_id(std::int64_t id);
    /// The taxonomy with tags and values (for export). Errors: NotFound.
    Result<TaxonomyDef> load_taxonomy(std::int64_t id);
    /// Deletes a taxonomy with its tags, values and mappings. Errors: NotFound.
    Result<void> delete_taxonomy(std::int64_t id);
    /// Adds the OTHER tag to a taxonomy (idempotent); returns its id.
    Result<std::int64_t> ensure_other_tag(std::int64_t taxonomy_id);

    // --- entities ---
    /// The entity's id, created when `create` (else NotFound when absent). `name` is
    /// canonicalised first (canonical_entity_name). Errors: InvalidArgument, NotFound.
    Result<std::int64_t> entity_id(EntityKind kind, const std::string& name, bool create);
    /// Stores an entity with a wished id (migration): returns the id it has (an existing entity
    /// of that name keeps its own). Errors: InvalidArgument when the id belongs to another name.
    Result<std::int64_t> put_entity(EntityKind kind, const std::string& name, std::int64_t id);
    /// Registers a tag type (upstream intersection table name) for entities of `kind`.
    Result<void> add_tag_type(const std::string& name, EntityKind kind);

    // --- mappings ---
    /// Applies one measurement with msm2tag's semantics, in one transaction:
    /// present tags opened or prolonged, missing open ones ended, only the opening producer may
    /// touch a row, measurements not newer than an open row are stale (outcome.stale, nothing
    /// written). Errors: InvalidArgument (unknown tag type, taxonomy, entity, tag, value; producer
    /// conflict; autogeneration the taxonomy forbids; exclusivity violated).
    Result<MeasurementOutcome> apply(const Measurement& m);
    /// Every mapping row of an entity (any time), ordered by tag_id, tag_type, start.
    Result<std::vector<Mapping>> mappings_of(std::int64_t entity_id);
    /// Inserts a mapping row as given (migration). Skips (returns false) an identical row.
    Result<bool> insert_mapping(const Mapping& m);

    /// Adds a filter row (tag2domain's v_tag2domain_domain_filter); skips an identical one.
    Result<bool> insert_filter(std::int64_t entity_id, const std::string& name,
                               const std::string& value, Micros start, std::optional<Micros> end);

    /// PostgreSQL: moves the id sequences past the highest id (after inserts with explicit ids).
    Result<void> sync_sequences();

private:
    Result<std::int64_t> upsert_taxonomy(const Taxonomy& t);
    Result<std::int64_t> upsert_tag(std::int64_t taxonomy_id, const Tag& tag);
    Result<std::int64_t> upsert_value(std::int64_t tag_id, const TagValue& v);
    Result<std::vector<Tag>> load_tags(std::int64_t taxonomy_id);

    store::internal::Connection* c_;
};

} // namespace dg::tags
