#!/usr/bin/python3
"""Helper of pyasn_parity_test.cpp (run with /usr/bin/python3, Debian python3-pyasn).

  pyasn_helper.py trim SRC OUT.gz    decompress SRC as far as possible, keep the complete MRT
                                     records, write them gzipped (pyasn aborts on truncated input)
  pyasn_helper.py lookup DAT IPS OUT  pyasn.lookup() of every IP of IPS: ip<TAB>prefix<TAB>asn
                                     ('-' when unrouted)
  pyasn_helper.py names DAT NAMES IPS OUT  pyasn.lookup() + get_as_name() (asnames.json) of every
                                     IP: ip<TAB>asn<TAB>name ('-' when unknown); gzip inputs ok
  pyasn_helper.py prefixes DAT ASNS OUT  pyasn.get_as_prefixes() of every AS of ASNS (one per
                                     line): prefix<TAB>ASAsn lines, sorted
"""
import bz2
import gzip
import sys
import zlib


def read_partial(path):
    data = open(path, 'rb').read()
    if data[:3] == b'BZh':
        out = bytearray()
        while data:
            d = bz2.BZ2Decompressor()
            try:
                out += d.decompress(data)
            except (OSError, EOFError, ValueError):
                break
            if not d.eof:
                break
            data = d.unused_data
        return bytes(out)
    if data[:2] == b'\x1f\x8b':
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return d.decompress(data)
        except zlib.error:
            return b''
    return data


def trim(src, dst):
    data = read_partial(src)
    off = 0
    while off + 12 <= len(data):
        length = int.from_bytes(data[off + 8:off + 12], 'big')
        if off + 12 + length > len(data):
            break
        off += 12 + length
    with gzip.open(dst, 'wb') as f:
        f.write(data[:off])


def lookup(dat, ips, out):
    import pyasn
    db = pyasn.pyasn(dat)
    with open(ips) as f, open(out, 'w') as w:
        for line in f:
            ip = line.strip()
            if not ip:
                continue
            asn, prefix = db.lookup(ip)
            w.write('%s\t%s\t%s\n' % (ip, prefix if prefix else '-',
                                      asn if asn is not None else '-'))


def prefixes(dat, asns, out):
    import pyasn
    db = pyasn.pyasn(dat)
    lines = []
    for line in open(asns):
        if line.strip():
            asn = int(line)
            for p in db.get_as_prefixes(asn) or ():
                lines.append('%s\tAS%d' % (p, asn))
    with open(out, 'w') as w:
        w.write(''.join(l + '\n' for l in sorted(lines)))


def plain(path, tmpdir):
    """`path` itself, or its gunzipped copy in tmpdir, without the .gz (pyasn reads plain files,
    the AS names only from a name ending in .json)."""
    if open(path, 'rb').read(2) != b'\x1f\x8b':
        return path
    import os
    name = os.path.basename(path)
    out = os.path.join(tmpdir, name[:-3] if name.endswith('.gz') else name)
    with gzip.open(path, 'rb') as f, open(out, 'wb') as w:
        w.write(f.read())
    return out


def names(dat, names_file, ips, out):
    import pyasn
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        db = pyasn.pyasn(plain(dat, tmp), as_names_file=plain(names_file, tmp))
        with open(ips) as f, open(out, 'w') as w:
            for line in f:
                ip = line.strip()
                if not ip:
                    continue
                asn, _ = db.lookup(ip)
                name = db.get_as_name(asn) if asn is not None else None
                w.write('%s\t%s\t%s\n' % (ip, asn if asn is not None else '-', name if name else '-'))


if __name__ == '__main__':
    if sys.argv[1] == 'trim':
        trim(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == 'lookup':
        lookup(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == 'names':
        names(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif sys.argv[1] == 'prefixes':
        prefixes(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit('unknown verb')
