"""Loads a GEXF or GraphML file with networkx and prints its nodes and edges as JSON.

Used by src/dg/export/export_test. Usage: read_graph.py gexf|graphml FILE
networkx is used as installed (Debian's 2.8 for /usr/bin/python3), unpatched: domaingraph's
default GEXF is 1.2draft, which every common reader opens (issue 12).
"""
import json
import sys

import networkx as nx

fmt, path = sys.argv[1], sys.argv[2]
G = nx.read_gexf(path) if fmt == "gexf" else nx.read_graphml(path)
nodes = [dict(d, id=n) for n, d in G.nodes(data=True)]
edges = [dict(d, source=u, target=v) for u, v, d in G.edges(data=True)]
print(json.dumps({"directed": G.is_directed(), "nodes": nodes, "edges": edges}))
