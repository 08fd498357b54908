"""Loads a GEXF or GraphML file with networkx and prints its nodes and edges as JSON.

Used by src/dg/export/export_test. Usage: read_graph.py gexf|graphml FILE
networkx 2.8 knows GEXF 1.1draft/1.2draft only; 1.3 (namespace http://gexf.net/1.3) has the
same structure for what domaingraph writes, so the reader is told the 1.3 namespace.
"""
import json
import sys

import networkx as nx
from networkx.readwrite import gexf

fmt, path = sys.argv[1], sys.argv[2]
if fmt == "gexf":
    gexf.GEXF.versions["1.3"] = {
        "NS_GEXF": "http://gexf.net/1.3",
        "NS_VIZ": "http://gexf.net/1.3/viz",
        "NS_XSI": "http://www.w3.org/2001/XMLSchema-instance",
        "SCHEMALOCATION": "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd",
        "VERSION": "1.3",
    }
    G = nx.read_gexf(path, version="1.3")
else:
    G = nx.read_graphml(path)
nodes = [dict(d, id=n) for n, d in G.nodes(data=True)]
edges = [dict(d, source=u, target=v) for u, v, d in G.edges(data=True)]
print(json.dumps({"directed": G.is_directed(), "nodes": nodes, "edges": edges}))
