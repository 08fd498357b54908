-- 0003: tagging (issue 7): taxonomies, their tags and values, tagged entities, and the
-- interval-valid mappings entity -> tag (-> value). Model: src/dg/tags/README.md; time model and
-- differences from tag2domain: docs/design/0007-tags-time-model.md.
-- Shared by SQLite and PostgreSQL. Booleans are INTEGER 0/1 (NULL where upstream allows it).
-- Times here are BIGINT MICROseconds since the Unix epoch, UTC (columns named *_us), because
-- measurements carry fractional seconds. JSON is stored as TEXT.
-- IDs imported from tag2domain (taxonomy, tag, value, domain) are kept as they were.

-- A taxonomy (tag2domain's `taxonomy`, a MISP namespace, a YAML definition).
CREATE TABLE taxonomies (
    id {{serial}} PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    is_actionable DOUBLE PRECISION,             -- 0..1 as upstream (NULL allowed)
    is_automatically_classifiable INTEGER,
    is_stable INTEGER,
    for_numbers INTEGER,                        -- applies to IP addresses
    for_domains INTEGER,
    url TEXT,
    allows_auto_tags INTEGER NOT NULL DEFAULT 0,
    allows_auto_values INTEGER NOT NULL DEFAULT 0,
    exclusive INTEGER NOT NULL DEFAULT 0,       -- MISP: at most one open tag per entity
    version BIGINT,                             -- MISP version
    uuid TEXT,
    expanded TEXT,                              -- MISP display name
    origin TEXT NOT NULL DEFAULT 'tag2domain'
        CHECK (origin IN ('tag2domain', 'misp', 'yaml', 'domaingraph')),
    extras TEXT NOT NULL DEFAULT '{}'           -- keys of the source format we do not model
);

-- A fixed tag of a taxonomy. name may be `category::tag` (category = text before the last
-- `::`, stored for queries). is_other marks the taxonomy's OTHER bucket (at most one).
CREATE TABLE taxonomy_tags (
    id {{serial}} PRIMARY KEY,
    taxonomy_id BIGINT NOT NULL REFERENCES taxonomies (id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    category TEXT NOT NULL DEFAULT '',
    description TEXT,
    extras TEXT NOT NULL DEFAULT '{}',
    expanded TEXT,
    colour TEXT,
    numerical_value DOUBLE PRECISION,
    exclusive INTEGER NOT NULL DEFAULT 0,       -- MISP predicate: at most one open value
    is_other INTEGER NOT NULL DEFAULT 0,
    uuid TEXT,
    UNIQUE (taxonomy_id, name)
);
CREATE INDEX taxonomy_tags_name ON taxonomy_tags (name);
CREATE UNIQUE INDEX taxonomy_tags_other ON taxonomy_tags (taxonomy_id) WHERE is_other = 1;

-- Optional values of a tag (unique per tag, unlike upstream).
CREATE TABLE taxonomy_values (
    id {{serial}} PRIMARY KEY,
    tag_id BIGINT NOT NULL REFERENCES taxonomy_tags (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    expanded TEXT,
    description TEXT,
    colour TEXT,
    numerical_value DOUBLE PRECISION,
    uuid TEXT,
    extras TEXT NOT NULL DEFAULT '{}',
    UNIQUE (tag_id, value)
);

-- What can be tagged: domains (name = canonical domain name) and IP addresses. The id is what the
-- API calls domain_id (kept from tag2domain on migration).
CREATE TABLE tagged_entities (
    id {{serial}} PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('domain', 'ip')),
    name TEXT NOT NULL,
    UNIQUE (kind, name)
);

-- tag2domain's tag types (the names of its intersection tables). Measurements name one; the
-- mappings keep it so migrated data answers as upstream did (one row per tag type).
CREATE TABLE tag_types (
    name TEXT PRIMARY KEY,
    entity_kind TEXT NOT NULL CHECK (entity_kind IN ('domain', 'ip'))
);
INSERT INTO tag_types (name, entity_kind) VALUES ('domain', 'domain');
INSERT INTO tag_types (name, entity_kind) VALUES ('ip', 'ip');

-- One entity carries one tag (and value) over [start_us, end_us); end_us NULL = open/current.
-- measured_us: the last measurement that confirmed (or ended) the row. producer: who opened it.
-- taxonomy_id always equals the tag's (kept for indexing).
CREATE TABLE tag_mappings (
    id {{serial}} PRIMARY KEY,
    entity_id BIGINT NOT NULL REFERENCES tagged_entities (id) ON DELETE CASCADE,
    tag_type TEXT NOT NULL REFERENCES tag_types (name),
    taxonomy_id BIGINT NOT NULL REFERENCES taxonomies (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES taxonomy_tags (id) ON DELETE CASCADE,
    value_id BIGINT REFERENCES taxonomy_values (id) ON DELETE CASCADE,
    start_us BIGINT NOT NULL,
    end_us BIGINT CHECK (end_us IS NULL OR end_us >= start_us),
    measured_us BIGINT NOT NULL,
    producer TEXT
);
-- measurements and bydomain: the rows of one entity (and taxonomy)
CREATE INDEX tag_mappings_entity ON tag_mappings (entity_id, taxonomy_id, end_us);
-- domains/bytag and stats: the rows of one tag
CREATE INDEX tag_mappings_tag ON tag_mappings (tag_id, start_us);
CREATE INDEX tag_mappings_taxonomy ON tag_mappings (taxonomy_id, start_us);
-- never two open rows of the same (entity, tag type, tag, value)
CREATE UNIQUE INDEX tag_mappings_open ON tag_mappings
    (entity_id, tag_type, tag_id, COALESCE(value_id, 0)) WHERE end_us IS NULL;

-- tag2domain's filters (v_tag2domain_domain_filter): a named attribute of an entity with a value,
-- valid over [start_us, end_us), e.g. registrar-id=1.
CREATE TABLE tag_filters (
    id {{serial}} PRIMARY KEY,
    entity_id BIGINT NOT NULL REFERENCES tagged_entities (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    start_us BIGINT NOT NULL,
    end_us BIGINT
);
CREATE INDEX tag_filters_name ON tag_filters (name, value);
