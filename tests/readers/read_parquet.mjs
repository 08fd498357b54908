// Reads a Parquet file with DuckDB (npm @duckdb/node-api) and prints, as one JSON object, its
// column types, row groups, codecs and rows (BIGINTs as numbers). Used by src/dg/export/export_test.
// Usage: node read_parquet.mjs FILE
import { DuckDBInstance } from '@duckdb/node-api';

const path = process.argv[2].replaceAll("'", "''");
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const describe = await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
const types = describe.getRowObjectsJson().map((r) => [r.column_name, r.column_type]);
const meta = await conn.runAndReadAll(
  `SELECT DISTINCT row_group_id, compression FROM parquet_metadata('${path}') ORDER BY 1`);
const groups = meta.getRowObjectsJson();
const data = await conn.runAndReadAll(`SELECT * FROM read_parquet('${path}')`);
const rows = data.getRowObjectsJson().map((r) => {
  if (r.asn !== null && r.asn !== undefined) r.asn = Number(r.asn);
  return r;
});
process.stdout.write(JSON.stringify({
  types,
  row_groups: new Set(groups.map((g) => g.row_group_id)).size,
  codecs: [...new Set(groups.map((g) => g.compression))],
  rows,
}));
