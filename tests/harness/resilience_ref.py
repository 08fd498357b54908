#!/usr/bin/env python3
"""Independent reference for `domaingraph resilience` (issue 16), Python standard library only.

Written in a different style from the C++ module on purpose: the graph is a dict of neighbour
lists keyed by ASN with string relationship labels, the shortest model is a plain BFS over
explicit path states (ASN, stage) with stage in {"U", "P", "D"} (only up/sibling edges so far,
after a peer edge, after a provider->customer edge), failures rebuild nothing but are skipped
during the search, and the routing tree is a path-vector propagation (BGP-style worklist with
AS-path loop detection) run to convergence -- not the 3-stage algorithm.

Rules (../shared/design/resilience-reference.md 2.3): the path, siblings removed, must match
U* P? D* (peer mode one) or U* P* D* (many). Distances count AS-level edges.
"""
import collections
import hashlib

UP, DOWN, PEER, SIB = "up", "down", "peer", "sib"  # the kind of the neighbour's edge from me


def read_as_rel(path):
    """Returns {asn: [(neighbour, kind)]} and the link list [(a, b, code)]."""
    nbrs = collections.defaultdict(list)
    links = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split("|")
            a, b, code = int(parts[0]), int(parts[1]), int(parts[2])
            key = (min(a, b), max(a, b))
            if key in seen:
                continue
            seen.add(key)
            links.append((a, b, code))
            if code == -1:  # a provider of b
                nbrs[a].append((b, DOWN))
                nbrs[b].append((a, UP))
            elif code == 0:
                nbrs[a].append((b, PEER))
                nbrs[b].append((a, PEER))
            elif code == 2:
                nbrs[a].append((b, SIB))
                nbrs[b].append((a, SIB))
            else:
                raise ValueError(f"{path}: unknown code {code}")
    return nbrs, links


def read_ixp(path):
    """{ixp name: set(asn)}: traIXroute '!' lines keyed by long name, or NAME<TAB>ASN lines."""
    out = collections.OrderedDict()
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(", ")
            if len(fields) >= 6 and fields[1] in ("!", "?"):
                if fields[1] != "!":
                    continue
                name = fields[5].strip() or fields[4].strip()
                asn = int(fields[3].strip().upper().removeprefix("AS"))
            else:
                name, _, asn_text = line.rpartition("\t")
                asn = int(asn_text.strip().upper().removeprefix("AS"))
                name = name.strip()
            out.setdefault(name, set()).add(asn)
    return out


def add_mesh(nbrs, links, ixps):
    """Every pair of members present in the graph peers unless related already.
    Returns {ixp: set of frozenset pairs that are p2p between members} and the set of mesh-only
    pairs with their IXP labels."""
    related = {frozenset((a, b)): code for a, b, code in links}
    labels = collections.defaultdict(set)  # pair -> IXPs
    added = set()
    for name, members in ixps.items():
        present = sorted(m for m in members if m in nbrs)
        for i, a in enumerate(present):
            for b in present[i + 1:]:
                pair = frozenset((a, b))
                code = related.get(pair)
                if code is None:
                    related[pair] = 0
                    added.add(pair)
                    labels[pair].add(name)
                elif code == 0:
                    labels[pair].add(name)
    for pair in sorted(added, key=sorted):
        a, b = sorted(pair)
        nbrs[a].append((b, PEER))
        nbrs[b].append((a, PEER))
    return related, labels, added


def ixp_links(ixps, related, labels, added, name, mode):
    members = set(ixps[name])
    out = set()
    for pair, code in related.items():
        if code != 0 or not pair <= members:
            continue
        if mode == "exclusive" and not (pair in added and labels[pair] == {name}):
            continue
        out.add(pair)
    return out


def step(stage, kind, many):
    """Next stage after taking an edge of `kind` from `stage`, or None when invalid."""
    if kind == SIB:
        return stage
    if kind == UP:
        return "U" if stage == "U" else None
    if kind == PEER:
        if stage == "U" or (many and stage == "P"):
            return "P"
        return None
    return "D"  # down is allowed after anything


def bfs(nbrs, source, many=False, max_hops=None, dead_as=frozenset(), dead_links=frozenset()):
    """{asn: shortest valid distance} over explicit (asn, stage) states."""
    if source in dead_as or source not in nbrs:
        return {}
    moves = {(stage, kind): step(stage, kind, many)
             for stage in "UPD" for kind in (UP, DOWN, PEER, SIB)}
    dead_pairs = set()
    for pair in dead_links:
        a, b = tuple(pair)
        dead_pairs.add((a, b))
        dead_pairs.add((b, a))
    best = {source: 0}
    seen = {(source, "U")}
    queue = collections.deque([(source, "U", 0)])
    while queue:
        asn, stage, d = queue.popleft()
        if max_hops is not None and d >= max_hops:
            continue
        for nb, kind in nbrs[asn]:
            nxt = moves[(stage, kind)]
            if nxt is None or (nb, nxt) in seen or nb in dead_as:
                continue
            if dead_pairs and (asn, nb) in dead_pairs:
                continue
            seen.add((nb, nxt))
            if nb not in best:
                best[nb] = d + 1
            queue.append((nb, nxt, d + 1))
    return best


def interior(nbrs, source, many=False):
    """ASes and links lying on some shortest valid path from `source` as a non-final element:
    a failure of anything else cannot change a distance from `source` (it only removes the element
    itself). Computed backwards over the states of a BFS."""
    dist = {}
    order = []
    start = (source, "U")
    dist[start] = 0
    queue = collections.deque([start])
    while queue:
        st = queue.popleft()
        order.append(st)
        asn, stage = st
        for nb, kind in nbrs[asn]:
            nxt = step(stage, kind, many)
            if nxt is not None and (nb, nxt) not in dist:
                dist[(nb, nxt)] = dist[st] + 1
                queue.append((nb, nxt))
    ases, links = set(), set()
    for st in order:
        asn, stage = st
        for nb, kind in nbrs[asn]:
            nxt = step(stage, kind, many)
            if nxt is not None and dist.get((nb, nxt)) == dist[st] + 1:
                ases.add(asn)  # asn has a child on a shortest path
                links.add(frozenset((asn, nb)))
    return ases, links


RANK = {"cust": 0, "peer": 1, "prov": 2}


def routing_tree(nbrs, dest, dead_as=frozenset(), dead_links=frozenset()):
    """Path-vector propagation to convergence: {asn: path (tuple from asn to dest)} under
    Gao-Rexford. Every AS keeps the route each neighbour currently offers it (Adj-RIB-In), picks
    the best (customer > peer > provider, shorter, lowest next-hop ASN), and re-offers on change;
    AS-path loop detection as in BGP."""
    if dest in dead_as or dest not in nbrs:
        return {}
    rib_in = collections.defaultdict(dict)  # v -> {u: (class, path)}
    best = {dest: ("cust", (dest,))}

    def key(route):
        cls, path = route
        return (RANK[cls], len(path), path[1] if len(path) > 1 else -1)

    def offer(u, v, kind_from_u):
        """What u currently offers v, or None."""
        if u not in best:
            return None
        ucls, upath = best[u]
        if v in upath:
            return None
        if ucls != "cust" and kind_from_u not in (DOWN, SIB):
            return None
        vcls = {SIB: ucls, DOWN: "prov", UP: "cust", PEER: "peer"}[kind_from_u]
        return (vcls, (v,) + upath)

    work = collections.deque([dest])
    queued = {dest}
    while work:
        u = work.popleft()
        queued.discard(u)
        for v, kind_from_u in nbrs[u]:
            if v == dest or v in dead_as or (dead_links and frozenset((u, v)) in dead_links):
                continue
            route = offer(u, v, kind_from_u)
            if route is None:
                rib_in[v].pop(u, None)
            else:
                rib_in[v][u] = route
            new = min(rib_in[v].values(), key=key) if rib_in[v] else None
            if new != best.get(v):
                if new is None:
                    del best[v]
                else:
                    best[v] = new
                if v not in queued:
                    queued.add(v)
                    work.append(v)
    return {v: p for v, (c, p) in best.items()}


def dist_sha256(dist, targets):
    text = "".join(f"{t} {dist[t]}\n" for t in sorted(targets) if t in dist)
    return hashlib.sha256(text.encode()).hexdigest()
