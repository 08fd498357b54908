// Reads a distributed scan's Parquet lake with DuckDB (npm @duckdb/node-api) and compares it with
// a single-process scan's Parquet export. Prints one JSON object:
//   {lake_rows, reference_rows, lake_domains, reference_domains, differing_rows,
//    domains_in_two_files, hive_rows, hive_files, hive_scan_ids}
// Usage: node compare_lake.mjs REFERENCE.parquet LAKE_DIR FILE...   (FILE: the manifest's files)
// differing_rows counts rows in one side and not the other (as multisets); the hive_* figures
// read LAKE_DIR as a Hive-partitioned dataset (scan_date=.../scan_id=.../*.parquet).
import { DuckDBInstance } from '@duckdb/node-api';

const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const [reference, lakeDir, ...files] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const one = async (sql) => {
  const r = await conn.runAndReadAll(sql);
  return Number(Object.values(r.getRowObjectsJson()[0])[0]);
};
await conn.run(`CREATE VIEW ref AS SELECT * FROM read_parquet(${quote(reference)})`);
await conn.run(`CREATE VIEW lake AS SELECT * FROM read_parquet([${files.map(quote).join(',')}], filename = true, hive_partitioning = false)`);
const out = {
  lake_rows: await one('SELECT count(*) FROM lake'),
  reference_rows: await one('SELECT count(*) FROM ref'),
  lake_domains: await one('SELECT count(DISTINCT domain) FROM lake'),
  reference_domains: await one('SELECT count(DISTINCT domain) FROM ref'),
  differing_rows: await one(`SELECT count(*) FROM (
      (SELECT * EXCLUDE (filename) FROM lake EXCEPT ALL SELECT * FROM ref)
      UNION ALL (SELECT * FROM ref EXCEPT ALL SELECT * EXCLUDE (filename) FROM lake))`),
  domains_in_two_files: await one(`SELECT count(*) FROM (SELECT domain FROM lake GROUP BY domain
      HAVING count(DISTINCT filename) > 1)`),
};
const hive = `read_parquet(${quote(lakeDir + '/**/*.parquet')}, hive_partitioning = true, filename = true)`;
out.hive_rows = await one(`SELECT count(*) FROM ${hive}`);
out.hive_files = await one(`SELECT count(DISTINCT filename) FROM ${hive}`);
out.hive_scan_ids = await one(`SELECT count(DISTINCT scan_id) FROM ${hive}`);
process.stdout.write(JSON.stringify(out));
