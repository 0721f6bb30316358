"""An independent implementation of the draw (docs/draws.md), written from the
specification in plain Python with a linear scan instead of gamigate's Fenwick tree.
The cross-check test compares it with `gamigate draw verify` on random cases; run
directly it prints the worked example of docs/draws.md.

    python3 draw_reference.py EXPORT SEED_HEX WINNERS BACKUPS [BEACON_HEX] [--multiple-wins]
"""
import hashlib
import sys


def parse_export(text):
    lines = text.split("\n")
    assert lines[-1] == "", "an export ends with LF"
    head = lines[0].split(" ")
    assert head[:2] == ["gamigate-draw-export", "1"] and len(head) == 6
    entries = []
    for line in lines[1:-1]:
        pid, masked, chances = line.split(" ")
        entries.append((pid, masked, int(chances)))
    assert int(head[4]) == len(entries) and int(head[5]) == sum(c for _, _, c in entries)
    return head[2], entries


def stream(seed, export_hash, beacon):
    key = hashlib.sha256(b"gamigate-draw-v1" + seed + export_hash + beacon).digest()
    counter = 0
    while True:
        block = hashlib.sha256(key + counter.to_bytes(8, "big")).digest()
        counter += 1
        for i in range(4):
            yield int.from_bytes(block[8 * i:8 * i + 8], "big")


def select(chances, seed, export_hash, beacon, picks, multiple_wins):
    """Entry indices of the picks, winners first then backups."""
    left = list(chances)
    numbers = stream(seed, export_hash, beacon)
    out = []
    while len(out) < picks and sum(left) > 0:
        total = sum(left)
        # Rejection: accept r only below the largest multiple of total under 2**64.
        while True:
            r = next(numbers)
            if r < (2**64 // total) * total:
                break
        u = r % total
        j = 0
        while u >= left[j]:
            u -= left[j]
            j += 1
        out.append(j)
        left[j] -= 1 if multiple_wins else left[j]
    return out


def result_text(draw_id, entries, export_hash, seed, beacon, winners, backups, multiple_wins):
    idx = select([c for _, _, c in entries], seed, export_hash, beacon, winners + backups,
                 multiple_wins)
    lines = [
        "gamigate-draw-result 1",
        "draw " + draw_id,
        "export-sha256 " + export_hash.hex(),
        "seed " + seed.hex(),
        "seed-sha256 " + hashlib.sha256(seed).hexdigest(),
        "beacon " + (beacon.hex() if beacon else "none"),
        "winners %d" % winners,
        "backups %d" % backups,
        "multiple-wins " + ("yes" if multiple_wins else "no"),
    ]
    for k, j in enumerate(idx):
        kind, rank = ("winner", k + 1) if k < winners else ("backup", k - winners + 1)
        lines.append("%s %d %s %s" % (kind, rank, entries[j][0], entries[j][1]))
    return "\n".join(lines) + "\n"


def pid(draw_id, msisdn):
    return hashlib.sha256(b"gamigate-draw-pid\0" + draw_id.encode() + b"\0"
                          + msisdn.encode()).hexdigest()[:16]


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--multiple-wins"]
    data = open(args[0], "rb").read()
    draw_id, entries = parse_export(data.decode("ascii"))
    beacon = bytes.fromhex(args[4]) if len(args) > 4 else b""
    sys.stdout.write(result_text(draw_id, entries, hashlib.sha256(data).digest(),
                                 bytes.fromhex(args[1]), beacon, int(args[2]), int(args[3]),
                                 "--multiple-wins" in sys.argv))
