-- tag2domain 0.8.4's schema for bench/tags/run_tags_load_bench, written from
-- ../shared/design/tag2domain-reference.md sections 3.1-3.5 (no upstream code): the three core
-- tables, the operator's domains table, ONE intersection table (tag type 'domain') with the
-- indexes of upstream's intersection template, the glue view v_unified_tags, the (empty) filter
-- placeholder and the 7 glue functions of section 3.4.
-- The reference does not give the functions' volatility. They are declared STABLE here, which
-- lets PostgreSQL inline them into the API's queries and push the WHERE down (the fastest
-- upstream can be). Schema tag2domain_volatile holds the same functions without a volatility
-- (PostgreSQL's default VOLATILE: not inlined), to show what that costs.
CREATE SCHEMA tag2domain;
SET search_path TO tag2domain, public;

CREATE TABLE taxonomy (
    id serial PRIMARY KEY,
    name varchar(300) NOT NULL CONSTRAINT taxonomy_name_key UNIQUE,
    description text,
    is_actionable double precision,
    is_automatically_classifiable boolean,
    is_stable boolean,
    for_numbers boolean,
    for_domains boolean,
    url varchar(500),
    allows_auto_tags boolean DEFAULT false,
    allows_auto_values boolean DEFAULT false
);
CREATE TABLE tags (
    tag_id serial CONSTRAINT pk_tags_tag_id PRIMARY KEY,
    tag_name varchar(200),
    tag_description varchar NOT NULL,
    taxonomy_id integer REFERENCES taxonomy (id),
    extras jsonb,
    UNIQUE (tag_name, taxonomy_id)
);
CREATE TABLE taxonomy_tag_val (
    id serial PRIMARY KEY,
    value text,
    tag_id integer NOT NULL REFERENCES tags (tag_id)
);

-- The operator's entity table (upstream's tests: public.domains). The unique index on the name
-- is ours: the reference names none, and bydomain looks domains up by name.
CREATE TABLE public.domains (
    domain_id serial PRIMARY KEY,
    domain_name varchar(100) NOT NULL
);
CREATE UNIQUE INDEX domains_domain_name ON public.domains (domain_name);

-- Intersection table template (section 3.2): no primary key, btree indexes on entity_id,
-- end_ts DESC, start_ts DESC, tag_id.
CREATE TABLE domain_tags (
    entity_id bigint REFERENCES public.domains (domain_id),
    tag_id integer REFERENCES tags (tag_id),
    start_date integer,
    end_date integer,
    taxonomy_id integer REFERENCES taxonomy (id),
    value_id integer REFERENCES taxonomy_tag_val (id),
    measured_at timestamptz,
    start_ts timestamptz,
    end_ts timestamptz,
    producer varchar(100) DEFAULT NULL
);
CREATE INDEX domain_tags_entity_id ON domain_tags (entity_id);
CREATE INDEX domain_tags_end_ts ON domain_tags (end_ts DESC);
CREATE INDEX domain_tags_start_ts ON domain_tags (start_ts DESC);
CREATE INDEX domain_tags_tag_id ON domain_tags (tag_id);

-- Glue view (section 3.3): one branch per intersection table.
CREATE VIEW v_unified_tags AS
SELECT d.domain_id::bigint AS domain_id, d.domain_name::varchar(100) AS domain_name,
       'domain'::text AS tag_type, i.tag_id, i.value_id, i.start_ts, i.measured_at, i.end_ts
FROM domain_tags i JOIN public.domains d ON d.domain_id = i.entity_id;

-- Filter placeholder (section 3.5, as in create_glue.sql: an empty table).
CREATE TABLE v_tag2domain_domain_filter (
    domain_id bigint, tag_name varchar(200), start_ts timestamptz, end_ts timestamptz, value text
);
