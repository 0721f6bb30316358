"""Cross-check: the independent Python implementation of the draw in draw_reference.py
and `gamigate draw verify` (offline, no database) agree byte for byte on 1,000 random
cases: member counts from 1 to 80, chances from 1 up to 10^18 (so that totals near
2^63 make the rejection step reject often), 0 to 12 winners and 0 to 6 backups, with
and without multiple wins and beacons. Then tampering: a changed export, a wrong seed
and an edited result are each refused with a message naming what differs.
"""
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import draw_reference as ref  # noqa: E402

CASES = 1000


def binary():
    path = os.environ.get("GAMIGATE_BIN")
    if not path or not os.access(path, os.X_OK):
        sys.exit("GAMIGATE_BIN is not set to the gamigate binary: run this test through ctest")
    return path


def make_export(rng, draw_id):
    n = rng.randint(1, 80)
    style = rng.random()
    entries = {}
    while len(entries) < n:
        msisdn = "+98912%07d" % rng.randrange(10**7)
        pid = ref.pid(draw_id, msisdn)
        if style < 0.5:
            chances = rng.randint(1, 5)
        elif style < 0.8:
            chances = rng.randint(1, 10**6)
        else:
            chances = rng.randint(10**17, 10**18)  # totals near 2^63: many rejections
        entries[pid] = ("+98912***" + msisdn[-4:], chances)
    while sum(c for _, c in entries.values()) > 2**63 - 1:
        entries.popitem()
    lines = sorted("%s %s %d" % (pid, m, c) for pid, (m, c) in entries.items())
    total = sum(c for _, c in entries.values())
    head = "gamigate-draw-export 1 %s 2026-04-02T20:30:00Z %d %d" % (draw_id, len(lines), total)
    return ("\n".join([head] + lines) + "\n").encode()


def rejections(data, seed, beacon, picks, multiple):
    """How many stream values the reference rejected (to show the step is exercised)."""
    _, entries = ref.parse_export(data.decode())
    left = [c for _, _, c in entries]
    numbers = ref.stream(seed, hashlib.sha256(data).digest(), beacon)
    rejected = 0
    for _ in range(picks):
        total = sum(left)
        if total == 0:
            break
        while True:
            r = next(numbers)
            if r < (2**64 // total) * total:
                break
            rejected += 1
        u = r % total
        j = 0
        while u >= left[j]:
            u -= left[j]
            j += 1
        left[j] -= 1 if multiple else left[j]
    return rejected


class CrossCheck(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def verify(self, *args):
        return subprocess.run([binary(), "draw", "verify", *args], capture_output=True,
                              text=True, timeout=60)

    def test_thousand_random_cases_agree(self):
        rng = random.Random(20260402)
        path = os.path.join(self.tmp.name, "export.txt")
        total_rejected = 0
        for case in range(CASES):
            draw_id = "case-%d" % case
            data = make_export(rng, draw_id)
            with open(path, "wb") as f:
                f.write(data)
            seed = bytes(rng.randrange(256) for _ in range(32))
            beacon = bytes(rng.randrange(256) for _ in range(rng.choice([0, 0, 8, 32, 64])))
            winners, backups = rng.randint(0, 12), rng.randint(0, 6)
            multiple = rng.random() < 0.3
            args = ["--export", path, "--seed", seed.hex(), "--winners", str(winners),
                    "--backups", str(backups)]
            if beacon:
                args += ["--beacon", beacon.hex()]
            if multiple:
                args.append("--multiple-wins")
            got = self.verify(*args)
            self.assertEqual(got.returncode, 0, got.stderr)
            _, entries = ref.parse_export(data.decode())
            want = ref.result_text(draw_id, entries, hashlib.sha256(data).digest(), seed,
                                   beacon, winners, backups, multiple)
            self.assertEqual(got.stdout, want, "case %d differs" % case)
            total_rejected += rejections(data, seed, beacon, winners + backups, multiple)
        print("%d cases agree; %d stream values were rejected along the way"
              % (CASES, total_rejected))
        self.assertGreater(total_rejected, 0, "the rejection step was never exercised")

    def test_tampering_is_named(self):
        rng = random.Random(7)
        data = make_export(rng, "tamper")
        exp = os.path.join(self.tmp.name, "e.txt")
        res = os.path.join(self.tmp.name, "r.txt")
        with open(exp, "wb") as f:
            f.write(data)
        seed = bytes(range(32))
        _, entries = ref.parse_export(data.decode())
        text = ref.result_text("tamper", entries, hashlib.sha256(data).digest(), seed, b"",
                               3, 1, False)
        with open(res, "w") as f:
            f.write(text)
        ok = self.verify("--export", exp, "--result", res)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("OK: draw tamper verified", ok.stdout)
        # One more chance for the first member.
        lines = data.decode().split("\n")
        head = lines[0].split(" ")
        head[5] = str(int(head[5]) + 1)
        pid, masked, c = lines[1].split(" ")
        lines[0], lines[1] = " ".join(head), "%s %s %d" % (pid, masked, int(c) + 1)
        with open(exp, "w") as f:
            f.write("\n".join(lines))
        bad = self.verify("--export", exp, "--result", res)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("export-sha256: the export file hashes to", bad.stderr)
        # A wrong seed against the published commitment.
        with open(exp, "wb") as f:
            f.write(data)
        wrong = self.verify("--export", exp, "--result", res, "--seed", "ff" * 32,
                            "--commitment", hashlib.sha256(seed).hexdigest())
        self.assertEqual(wrong.returncode, 1)
        self.assertIn("not the published commitment", wrong.stderr)
        # A broken export line is refused with its line number; nothing is printed.
        with open(exp, "wb") as f:
            f.write(data.split(b"\n", 1)[0] + b"\nzz\n")
        broken = self.verify("--export", exp, "--result", res)
        self.assertEqual(broken.returncode, 2)
        self.assertIn("line 1: the header says", broken.stderr)
        self.assertEqual(broken.stdout, "")


if __name__ == "__main__":
    unittest.main(verbosity=2)
