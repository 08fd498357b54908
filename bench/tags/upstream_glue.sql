-- The 7 glue functions of tag2domain 0.8.4 (../shared/design/tag2domain-reference.md section 3.4),
-- written from the reference's semantics. psql variables: :fn_schema (where they are created) and
-- :volatility (STABLE, or VOLATILE = PostgreSQL's default when none is declared).
SET search_path TO :fn_schema, tag2domain, public;

CREATE FUNCTION tag2domain_get_open_tags()
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.end_ts IS NULL
$$;

CREATE FUNCTION tag2domain_get_tags_at_time(at_time timestamp)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.start_ts <= $1 AND (v.end_ts > $1 OR v.end_ts IS NULL)
$$;

CREATE FUNCTION tag2domain_get_open_tags_filtered(filter_type text, filter_value text)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.end_ts IS NULL
      AND v.domain_id IN (SELECT f.domain_id FROM v_tag2domain_domain_filter f
                          WHERE f.tag_name = $1 AND f.value = $2 AND f.end_ts IS NULL)
$$;

CREATE FUNCTION tag2domain_get_tags_at_time_filtered(at_time timestamp, filter_type text,
                                                     filter_value text)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.start_ts <= $1 AND (v.end_ts > $1 OR v.end_ts IS NULL)
      AND v.domain_id IN (SELECT f.domain_id FROM v_tag2domain_domain_filter f
                          WHERE f.tag_name = $2 AND f.value = $3
                            AND f.start_ts AT TIME ZONE 'UTC' <= $1
                            AND (f.end_ts AT TIME ZONE 'UTC' > $1 OR f.end_ts IS NULL))
$$;

CREATE FUNCTION tag2domain_get_open_tags_domain(domain_name varchar)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.end_ts IS NULL AND v.domain_name = $1
$$;

CREATE FUNCTION tag2domain_get_tags_at_time_domain(at_time timestamp, domain_name varchar)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.start_ts <= $1 AND (v.end_ts > $1 OR v.end_ts IS NULL) AND v.domain_name = $2
$$;

CREATE FUNCTION tag2domain_get_all_tags_domain(domain_name varchar)
RETURNS TABLE (domain_id bigint, domain_name varchar(100), tag_type text, tag_id int, value_id int,
               start_time timestamptz, measured_at timestamptz, end_time timestamptz)
LANGUAGE sql :volatility AS $$
    SELECT v.domain_id, v.domain_name, v.tag_type, v.tag_id, v.value_id, v.start_ts,
           v.measured_at, v.end_ts
    FROM v_unified_tags v
    WHERE v.domain_name = $1
$$;
