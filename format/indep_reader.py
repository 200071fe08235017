#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""
An independent veil header reader written from format/SPEC.md alone (no
code shared with the C library), used to check that the SPEC is complete:

    format/indep_reader.py IMAGE PASSPHRASE [--volume-key-out FILE]

It decodes both copies (SPEC 5), applies the limits (SPEC 6), unlocks
(SPEC 8: KDF, XTS, AF merge, digest) and verifies the MAC (SPEC 7.5).
Needs Python 3 with the `cryptography` package (>= 44 for Argon2id).
Exit status: 0 opened, 2 wrong passphrase, 3 header modified, 1 other.
"""
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MAGIC = [b"VEIL\x00\xba\xbe\x01", b"LIEV\x00\xba\xbe\x02"]
COPY_OFF = [0, 16384]
CIPHERS = {"aes-xts-plain64": (32, 64), "aes-xts-plain": (32, 64),
           "aes-cbc-essiv:sha256": (16, 24, 32),
           "xchacha12,aes-adiantum-plain64": (32,)}


class Bad(Exception):
    pass


def u(fmt, buf, off):
    return struct.unpack_from("<" + fmt, buf, off)[0]


def string(b):
    n = b.index(0)  # raises if not terminated
    if any(b[n:]):
        raise Bad("string field not zero-padded")
    return b[:n].decode("utf-8", "replace")


def decode(copy, i):
    if len(copy) < 4096:
        raise Bad("truncated")
    if copy[0:8] != MAGIC[i]:
        raise Bad("no magic")
    if u("H", copy, 8) != 1:
        raise Bad("unsupported version")
    if u("H", copy, 10) != i or u("I", copy, 12) != 4096:
        raise Bad("copy index / size")
    if hashlib.sha256(copy[:0xfe0]).digest() != copy[0xfe0:]:
        raise Bad("checksum mismatch")
    h = {"seqid": u("Q", copy, 0x10), "uuid": copy[0x18:0x28],
         "label": string(copy[0x28:0x58]), "subsystem": string(copy[0x58:0x88]),
         "incompat": u("I", copy, 0x100), "flags": u("I", copy, 0x104),
         "metadata_size": u("Q", copy, 0x108),
         "ks_off": u("Q", copy, 0x110), "ks_size": u("Q", copy, 0x118),
         "cipher": string(copy[0x120:0x140]), "key_size": u("I", copy, 0x140),
         "sector_size": u("I", copy, 0x144), "segf": u("I", copy, 0x148),
         "data_offset": u("Q", copy, 0x150), "data_size": u("Q", copy, 0x158),
         "iv_offset": u("Q", copy, 0x160), "digest_iter": u("I", copy, 0x168),
         "digest_salt": copy[0x170:0x190], "digest": copy[0x190:0x1b0],
         "auth": copy[0x100:0xfc0], "mac": copy[0xfc0:0xfe0]}
    for a, b in ((0x88, 0x100), (0x14c, 0x150), (0x16c, 0x170),
                 (0x1f0, 0x200), (0xe00, 0xfc0)):
        if any(copy[a:b]):
            raise Bad("reserved bytes")
    if h["incompat"] or h["flags"] & ~0x1f or h["segf"] & ~7:
        raise Bad("unsupported feature")
    if not 1 <= h["seqid"] < 2**63:
        raise Bad("seqid")
    if h["cipher"] not in CIPHERS or h["key_size"] not in CIPHERS[h["cipher"]]:
        raise Bad("cipher")
    ss = h["sector_size"]
    if ss not in (512, 1024, 2048, 4096):
        raise Bad("sector size")
    ms, ko, ksz = h["metadata_size"], h["ks_off"], h["ks_size"]
    if ms % 4096 or ms > 256 << 20 or ko < 20480 or ko % 4096 or ksz % 4096 \
            or ko + ksz > ms:
        raise Bad("metadata geometry")
    detached, dynamic = bool(h["segf"] & 4), bool(h["segf"] & 2)
    if h["data_offset"] % (1 << 20) or h["data_offset"] >= 2**62 or \
            (not detached and h["data_offset"] < ms):
        raise Bad("data offset")
    if dynamic != (h["data_size"] == 0) or h["data_size"] % ss or \
            h["data_size"] >= 2**62:
        raise Bad("data size")
    if h["iv_offset"] >= 2**55 or h["iv_offset"] % (ss // 512):
        raise Bad("iv offset")
    if not 1000 <= h["digest_iter"] <= 2**30:
        raise Bad("digest iterations")
    areas, h["slots"] = [], []
    for n in range(32):
        d = copy[0x200 + 96 * n:0x200 + 96 * (n + 1)]
        if d[0] == 0:
            if any(d):
                raise Bad("inactive slot not zero")
            h["slots"].append(None)
            continue
        s = {"n": n, "state": d[0], "prio": d[1], "kdf": d[2], "ac": d[3],
             "kek": u("I", d, 4), "t": u("I", d, 8), "m": u("I", d, 12),
             "p": u("I", d, 16), "stripes": u("I", d, 20),
             "key_size": u("I", d, 24), "salt": d[32:64],
             "off": u("Q", d, 64), "size": u("Q", d, 72)}
        if s["state"] != 1 or s["prio"] > 2 or u("I", d, 28) or any(d[80:]):
            raise Bad("slot %d fields" % n)
        if s["kdf"] == 1:
            if not (1 <= s["p"] <= 16 and 1 <= s["t"] <= 1000 and
                    8 * s["p"] <= s["m"] <= 4 << 20):
                raise Bad("slot %d argon2id limits" % n)
        elif s["kdf"] == 2:
            if not 1000 <= s["t"] <= 2**30 or s["m"] or s["p"]:
                raise Bad("slot %d pbkdf2 limits" % n)
        else:
            raise Bad("slot %d kdf" % n)
        if s["ac"] != 1 or s["kek"] != 64 or not 4000 <= s["stripes"] <= 65536 \
                or s["key_size"] != h["key_size"]:
            raise Bad("slot %d parameters" % n)
        areas.append((s["off"], s["size"]))
        h["slots"].append(s)
        if s["size"] < s["key_size"] * s["stripes"]:
            raise Bad("slot %d area too small" % n)
    for r in range(4):
        off, size = u("Q", copy, 0x1b0 + 16 * r), u("Q", copy, 0x1b8 + 16 * r)
        if off or size:
            areas.append((off, size))
    for off, size in areas:
        if off % 4096 or size % 4096 or not size or off < ko or \
                off + size > ko + ksz:
            raise Bad("area outside the keyslot region")
    areas.sort()
    for (a, asz), (b, _) in zip(areas, areas[1:]):
        if a + asz > b:
            raise Bad("areas overlap")
    return h


def load(img):
    hs, errs = [None, None], ["", ""]
    for i in range(2):
        try:
            hs[i] = decode(img[COPY_OFF[i]:COPY_OFF[i] + 4096], i)
        except (Bad, ValueError) as e:
            errs[i] = str(e)
    if hs[0] and hs[1]:
        use = 1 if hs[1]["seqid"] > hs[0]["seqid"] else 0
    elif hs[0] or hs[1]:
        use = 0 if hs[0] else 1
    else:
        raise Bad("no valid copy: %s / %s" % tuple(errs))
    h = hs[use]
    if h["metadata_size"] > len(img):
        raise Bad("device smaller than its metadata")
    return h, use, errs


def diffuse(b):
    out = b""
    for j in range(0, len(b), 32):
        blk = b[j:j + 32]
        out += hashlib.sha256(struct.pack(">I", j // 32) + blk).digest()[:len(blk)]
    return out


def kek(s, pw):
    if s["kdf"] == 2:
        return hashlib.pbkdf2_hmac("sha256", pw, s["salt"], s["t"], 64)
    from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
    return Argon2id(salt=s["salt"], length=64, iterations=s["t"],
                    lanes=s["p"], memory_cost=s["m"]).derive(pw)


def try_slot(img, h, s, pw):
    key = kek(s, pw)
    n = s["key_size"] * s["stripes"]
    units = (n + 511) // 512
    ct = img[s["off"]:s["off"] + units * 512]
    pt = b""
    for unit in range(units):
        dec = Cipher(algorithms.AES(key), modes.XTS(struct.pack("<QQ", unit, 0))).decryptor()
        pt += dec.update(ct[unit * 512:(unit + 1) * 512]) + dec.finalize()
    ks, d = s["key_size"], bytes(s["key_size"])
    for k in range(s["stripes"] - 1):
        d = diffuse(bytes(a ^ b for a, b in zip(d, pt[k * ks:(k + 1) * ks])))
    last = pt[(s["stripes"] - 1) * ks:s["stripes"] * ks]
    return bytes(a ^ b for a, b in zip(d, last))


def mac_ok(h, vk):
    prk = hmac.new(h["uuid"], vk, "sha256").digest()
    mkey = hmac.new(prk, b"veil header mac v1\x01", "sha256").digest()
    mac = hmac.new(mkey, struct.pack("<H", 1) + h["uuid"] + h["auth"], "sha256").digest()
    return hmac.compare_digest(mac, h["mac"])


def unlock(img, h, pw):
    order = [s for s in h["slots"] if s and s["prio"] == 2] + \
            [s for s in h["slots"] if s and s["prio"] == 1]
    for s in order:
        vk = try_slot(img, h, s, pw)
        dg = hashlib.pbkdf2_hmac("sha256", vk, h["digest_salt"], h["digest_iter"], 32)
        if hmac.compare_digest(dg, h["digest"]):
            if not mac_ok(h, vk):
                return None, s["n"], "header authentication failed: the header was modified"
            return vk, s["n"], None
    return None, -1, "no key available with this passphrase"


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    img = open(sys.argv[1], "rb").read()
    try:
        h, use, errs = load(img)
    except Bad as e:
        print("rejected:", e)
        return 1
    print("copy %d used (seqid %d); copy problems: %r" % (use, h["seqid"], errs))
    print("uuid %s label %r cipher %s key %d bits sector %d data offset %d" % (
        h["uuid"].hex(), h["label"], h["cipher"], h["key_size"] * 8,
        h["sector_size"], h["data_offset"]))
    vk, slot, err = unlock(img, h, sys.argv[2].encode())
    if err:
        print(err)
        return 3 if "modified" in err else 2
    print("opened with keyslot %d" % slot)
    if len(sys.argv) > 4 and sys.argv[3] == "--volume-key-out":
        open(sys.argv[4], "wb").write(vk)
    return 0


if __name__ == "__main__":
    sys.exit(main())
