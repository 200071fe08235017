#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""luks2-fixed-size.py IMAGE BYTES: give the data segment of a LUKS2 header
a fixed size, as `cryptsetup reencrypt --device-size` can leave it, in both
header copies, with their checksums redone. cryptsetup has no command that
sets it on a fresh volume; tests need such a volume to check that veil maps
exactly the segment, as cryptsetup does."""
import hashlib
import json
import struct
import sys

img, size = sys.argv[1], int(sys.argv[2])
with open(img, "r+b") as f:
    first = f.read(4096)
    if first[:6] != b"LUKS\xba\xbe" or struct.unpack(">H", first[6:8])[0] != 2:
        sys.exit(f"{img}: not a LUKS2 header")
    hdr_size = struct.unpack(">Q", first[8:16])[0]
    for off in (0, hdr_size):
        f.seek(off)
        hdr = bytearray(f.read(hdr_size))
        if hdr[:6] not in (b"LUKS\xba\xbe", b"SKUL\xba\xbe"):
            sys.exit(f"{img}: no LUKS2 header copy at {off}")
        area = bytes(hdr[4096:])
        meta = json.loads(area[:area.index(b"\0")].decode())
        segs = [s for s in meta["segments"].values() if s["type"] == "crypt"]
        if len(segs) != 1:
            sys.exit(f"{img}: expected one crypt segment")
        segs[0]["size"] = str(size)
        text = json.dumps(meta, separators=(",", ":")).encode()
        if len(text) >= len(area):
            sys.exit(f"{img}: JSON area too small")
        hdr[4096:] = text + bytes(len(area) - len(text))
        hdr[0x1C0:0x200] = bytes(64)
        hdr[0x1C0:0x1C0 + 32] = hashlib.sha256(hdr).digest()
        f.seek(off)
        f.write(hdr)
