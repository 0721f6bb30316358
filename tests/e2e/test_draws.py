"""End to end: a verifiable draw through the real binary, daemon and MariaDB — members
collect chances by checking in, CHANCES / شانس tells them their count, `gamigate draw
commit|freeze|run|verify|audit|status` with every refusal and its exit status, GET
/api/v1/draws/DRAW before and after the run (the seed only once revealed), winner
notices queued once, an offline verification that needs no database and agrees with
the independent Python implementation, and `draw audit` catching an edited row."""

import datetime
import hashlib
import json
import os
import sys
import time
import unittest

import harness

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import draw_reference as ref  # noqa: E402

CUTOFF_IN = 8  # seconds from the start of the test to the cut-off


def campaign(cutoff):
    return {
        "id": "lucky",
        "name": {"fa": "شانس", "en": "Lucky"},
        "timezone": "UTC",
        "starts": (cutoff - datetime.timedelta(days=2)).strftime("%Y-%m-%d"),
        "ends": (cutoff + datetime.timedelta(days=30)).strftime("%Y-%m-%d"),
        "short_codes": ["3000"],
        "missions": [{"id": "daily-checkin", "type": "checkin", "period": "day",
                      "reward": {"points": 5, "chances": 3}}],
        "draws": [{"id": "lucky-draw", "cutoff": cutoff.strftime("%Y-%m-%dT%H:%M:%S"),
                   "prize": {"fa": "خودرو", "en": "A car"}, "winners": 2, "backups": 1,
                   "announce": True}],
    }


class DrawTest(harness.DaemonTest):
    def cli(self, *args):
        return harness.run_cli("-c", "/dev/null", "--set", "database.socket=" + self.db.socket,
                               "--set", "database.name=" + self.db.name, "--set",
                               "database.password=gamigate", *args, cwd=self.folder)

    def send(self, d, text, sender, msg_id):
        body = json.dumps({"id": msg_id, "from": sender, "to": "3000", "text": text})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        return json.loads(out)["reply"]

    def test_draw_from_commit_to_audit(self):
        cutoff = (datetime.datetime.utcnow() + datetime.timedelta(seconds=CUTOFF_IN)).replace(
            microsecond=0)
        path = os.path.join(self.folder, "lucky.json")
        with open(path, "w") as f:
            json.dump(campaign(cutoff), f, ensure_ascii=False)
        code, out, err = self.cli("campaign", "load", path)
        self.assertEqual(code, 0, out + err)
        d = self.start()

        members = ["0912000%04d" % i for i in range(1, 7)]
        for i, m in enumerate(members):
            self.send(d, "join", m, "j%d" % i)
            self.assertIn("Checked in!", self.send(d, "checkin", m, "c%d" % i))
        self.assertIn("Your lottery chances for A car: 3. Entries close",
                      self.send(d, "chances", members[0], "q1"))
        self.send(d, "lang fa", members[1], "q2")
        self.assertIn("شانس‌های شما در قرعه‌کشی خودرو:", self.send(d, "شانس", members[1], "q3"))
        self.assertIn("to join first", self.send(d, "chances", "09129999999", "q4"))

        # Before commit: nothing to freeze or run; unknown draws are named.
        code, _, err = self.cli("draw", "freeze", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("has not been committed", err)
        code, _, err = self.cli("draw", "commit", "no-such-draw")
        self.assertEqual(code, 2)
        self.assertIn('no running campaign has a draw "no-such-draw"', err)
        status, _, body = d.admin("/api/v1/draws/lucky-draw")
        self.assertEqual(status, 404, body)

        code, out, err = self.cli("draw", "commit", "lucky-draw")
        self.assertEqual(code, 0, err)
        commitment = out.split("seed-sha256 ")[1].split()[0]
        self.assertEqual(len(commitment), 64)
        self.assertIn("announced to 6 members", out)
        code, _, err = self.cli("draw", "commit", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("was committed already", err)

        status, _, body = d.admin("/api/v1/draws/lucky-draw")
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["status"], "committed")
        self.assertEqual(doc["seed_sha256"], commitment)
        self.assertIsNone(doc["seed"])  # sealed until the run
        status, _, _ = d.get("/api/v1/draws/lucky-draw")
        self.assertEqual(status, 401)

        code, _, err = self.cli("draw", "freeze", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("chances still count until then", err)
        code, _, err = self.cli("draw", "run", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("chances still count until then", err)

        # A check-in after the cut-off does not count.
        while datetime.datetime.utcnow() < cutoff + datetime.timedelta(seconds=1):
            time.sleep(0.2)
        self.send(d, "join", "09120009999", "late1")
        self.send(d, "checkin", "09120009999", "late2")

        code, _, err = self.cli("draw", "run", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("is not frozen yet", err)
        code, out, err = self.cli("draw", "freeze", "lucky-draw")
        self.assertEqual(code, 0, err)
        self.assertIn("6 members, 18 chances", out)
        export = os.path.join(self.folder, "lucky-draw.export.txt")
        with open(export, "rb") as f:
            data = f.read()
        self.assertIn(hashlib.sha256(data).hexdigest(), out)

        code, out, err = self.cli("draw", "run", "lucky-draw", "--beacon", "abcd")
        self.assertEqual(code, 2)
        self.assertIn("names no beacon round", err)
        code, result, err = self.cli("draw", "run", "lucky-draw")
        self.assertEqual(code, 0, err)
        self.assertEqual(result.count("\nwinner "), 2)
        self.assertEqual(result.count("\nbackup "), 1)
        code, again, err = self.cli("draw", "run", "lucky-draw")
        self.assertEqual(code, 2)
        self.assertIn("a draw runs once", err)
        self.assertEqual(again, result)
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM notifications WHERE template = "
                                     "'draw_winner' AND kind = 'transactional'"), "2")

        # The independent implementation agrees with the published result.
        seed = bytes.fromhex(result.split("\nseed ")[1].split()[0])
        self.assertEqual(hashlib.sha256(seed).hexdigest(), commitment)
        draw_id, entries = ref.parse_export(data.decode())
        self.assertEqual(ref.result_text(draw_id, entries, hashlib.sha256(data).digest(), seed,
                                         b"", 2, 1, False), result)
        # Offline: no configuration, no database.
        result_path = os.path.join(self.folder, "lucky-draw.result.txt")
        code, out, err = harness.run_cli("draw", "verify", "--export", export, "--result",
                                         result_path, "--commitment", commitment,
                                         env={"PATH": os.environ.get("PATH", "")})
        self.assertEqual(code, 0, err)
        self.assertIn("OK: draw lucky-draw verified", out)
        code, out, err = harness.run_cli("draw", "verify", "--export", export, "--seed",
                                         "00" * 32, "--winners", "2", "--backups", "1",
                                         "--result", result_path)
        self.assertEqual(code, 1)
        self.assertIn("seed: given 0000", err)

        status, _, body = d.admin("/api/v1/draws/lucky-draw")
        doc = json.loads(body)
        self.assertEqual(doc["status"], "done")
        self.assertEqual(doc["seed"], seed.hex())
        self.assertEqual(doc["entries"], 6)
        self.assertEqual(doc["chances"], 18)
        self.assertEqual([w["kind"] for w in doc["result"]], ["winner", "winner", "backup"])
        self.assertEqual(doc["result_sha256"], hashlib.sha256(result.encode()).hexdigest())
        status, _, body = d.admin("/api/v1/draws")
        self.assertEqual([x["id"] for x in json.loads(body)["draws"]], ["lucky-draw"])

        code, out, err = self.cli("draw", "verify", "lucky-draw")
        self.assertEqual(code, 0, err)
        code, out, err = self.cli("draw", "status", "lucky-draw")
        self.assertEqual(code, 0, err)
        self.assertIn("status         done", out)
        self.assertNotIn(seed.hex(), out.split("seed-sha256")[0])
        code, out, err = self.cli("draw", "audit", "lucky-draw")
        self.assertEqual(code, 0, err)
        for action in ("commit", "notify", "freeze", "run", "verify"):
            self.assertIn(" %s " % action, out)
        self.db.sql("UPDATE draw_audit SET actor = 'someone-else' WHERE action = 'run'")
        code, out, err = self.cli("draw", "audit")
        self.assertEqual(code, 1)
        self.assertIn("the row was edited", err)

    def test_help_on_every_command(self):
        for sub in ("", "commit", "freeze", "run", "verify", "audit", "status"):
            args = ["draw"] + ([sub] if sub else []) + ["--help"]
            code, out, err = harness.run_cli(*args)
            self.assertEqual(code, 0, err)
            self.assertIn("usage: gamigate", out)
        code, _, err = harness.run_cli("draw", "verify")
        self.assertEqual(code, 2)
        self.assertIn("needs --export FILE", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
