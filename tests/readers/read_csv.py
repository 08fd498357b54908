"""Reads a CSV file with pandas (all cells as strings, empty = "") and prints the rows as JSON.

Used by src/dg/export/export_test. Usage: read_csv.py FILE
"""
import json
import sys

import pandas

frame = pandas.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
print(json.dumps({"columns": list(frame.columns), "rows": frame.to_dict(orient="records")}))
