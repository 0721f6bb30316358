"""End to end: support's corrections and the tier review through the real binary
against the fixture's MariaDB — `points adjust` (+/-, a REF applied once, a short
balance refused with nothing changed, bad input), `points reverse` (once, unknown
refs), `tiers review` (dry run lists and changes nothing, the review runs once), help
on every sub-command, exit codes, and phone numbers masked in what is printed."""

import datetime
import json
import os
import shutil
import tempfile
import time
import unittest

import harness

CAMPAIGN = {
    "id": "club",
    "name": {"fa": "باشگاه", "en": "Club"},
    "timezone": "UTC",
    "starts": "2026-01-01",
    "ends": "2026-12-31",
    "short_codes": ["3000"],
    "points": {"expiry_days": 30},
    "tiers": [
        {"id": "bronze", "name": {"fa": "برنز", "en": "Bronze"}, "min_points": 0},
        {"id": "silver", "name": {"fa": "نقره", "en": "Silver"}, "min_points": 100},
        {"id": "gold", "name": {"fa": "طلا", "en": "Gold"}, "min_points": 300},
    ],
    "tier_review": "monthly",
}

NUMBER = "+989120000001"
MASKED = "+98912***0001"


class CorrectionsCliTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="gamigate-corrections-")
        self.db = harness.Database(harness.fixture_socket(), "corr")
        harness.migrate(self.db)
        self.base = ["-c", "/dev/null", "--set", "database.socket=" + self.db.socket,
                     "--set", "database.name=" + self.db.name, "--set",
                     "database.password=gamigate"]
        path = os.path.join(self.folder, "club.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(CAMPAIGN, f, ensure_ascii=False)
        code, out, err = self.cli("campaign", "load", path)
        self.assertEqual(code, 0, out + err)
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
                    " VALUES ('%s', 'en', NOW(), NOW(), NOW())" % NUMBER)

    def tearDown(self):
        self.db.drop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def cli(self, *args):
        code, out, err = harness.run_cli(*(self.base + list(args)))
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, err)
        # Never the whole number, on either stream.
        self.assertNotIn(NUMBER, out + err)
        return code, out, err

    def balance(self):
        return int(self.db.sql("SELECT points FROM subscribers WHERE msisdn = '%s'" % NUMBER))

    def consistent(self):
        return self.db.sql(
            "SELECT COUNT(*) FROM subscribers s WHERE s.points <>"
            " (SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id)"
            " OR s.points <> (SELECT COALESCE(SUM(remaining), 0) FROM points_ledger l"
            "  WHERE l.subscriber_id = s.id)") == "0"

    def test_help(self):
        for args in (["points"], ["points", "adjust"], ["points", "reverse"],
                     ["points", "expire"], ["tiers"], ["tiers", "review"]):
            code, out, _ = harness.run_cli(*args, "--help")
            self.assertEqual(code, 0, args)
            self.assertIn("usage: gamigate", out, args)
        _, out, _ = harness.run_cli("points", "adjust", "--help")
        self.assertIn("Exit status: 0 done", out)
        _, out, _ = harness.run_cli("--help")
        self.assertIn("tiers review", out)
        self.assertIn("points adjust", out)
        code, _, err = harness.run_cli("-c", "/dev/null", "tiers")
        self.assertEqual(code, 2)
        self.assertIn("tiers needs review", err)
        code, _, err = harness.run_cli("-c", "/dev/null", "points", "frob")
        self.assertEqual(code, 2)
        self.assertIn("points needs expire, adjust or reverse", err)

    def test_adjust_and_reverse(self):
        code, out, err = self.cli("points", "adjust", "0912 000 0001", "+50", "--reason",
                                  "ticket 7: missed recharge", "--ref", "T-7")
        self.assertEqual(code, 0, err)
        self.assertIn("adjusted +50 points of %s in campaign club (ledger ref adjust:T-7:p);"
                      " balance now 50" % MASKED, out)
        code, out, err = self.cli("points", "adjust", NUMBER[1:], "50", "--reason", "again",
                                  "--ref", "T-7")
        self.assertEqual(code, 0, err)
        self.assertIn("already applied", out)
        self.assertEqual(self.balance(), 50)

        # Without --ref the same command the same day is applied once.
        for _ in range(2):
            code, out, err = self.cli("points", "adjust", "09120000001", "-10", "--reason",
                                      "ticket 8")
            self.assertEqual(code, 0, err)
        self.assertIn("already applied", out)
        self.assertEqual(self.balance(), 40)

        code, out, err = self.cli("points", "adjust", "09120000001", "-41", "--reason", "x",
                                  "--ref", "T-9")
        self.assertEqual(code, 2)
        self.assertIn("refused: %s has 40 points, 41 cannot be taken; nothing changed" % MASKED,
                      err)
        self.assertEqual(self.balance(), 40)
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM points_ledger WHERE ref LIKE"
                                     " 'adjust:T-9%'"), "0")

        for bad, why in ((["09120000001", "abc", "--reason", "x"], "must be a whole number"),
                         (["09120000001", "0", "--reason", "x"], "must be a whole number"),
                         (["09120000001", "5"], "--reason TEXT is required"),
                         (["12", "5", "--reason", "x"], "is not a mobile number"),
                         (["09129999999", "5", "--reason", "x"], "no subscriber"),
                         (["09120000001", "5", "--reason", "x", "--ref", "a b"], "--ref"),
                         (["09120000001", "5", "--reason", "x", "--campaign", "nope"],
                          "no active campaign"),
                         (["09120000001"], "needs MSISDN and POINTS")):
            code, _, err = self.cli("points", "adjust", *bad)
            self.assertEqual(code, 2, bad)
            self.assertIn(why, err, bad)
        self.assertEqual(self.balance(), 40)

        # 50 to take back, 40 left: refused, nothing changed.
        code, out, err = self.cli("points", "reverse", "adjust:T-7:p", "--reason", "wrong")
        self.assertEqual(code, 2)
        self.assertIn("refused: %s has 40 points, the 50 of adjust:T-7:p cannot be taken back;"
                      " nothing changed" % MASKED, err)
        self.assertEqual(self.balance(), 40)
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM points_ledger WHERE ref LIKE"
                                     " 'reverse:%'"), "0")
        self.assertTrue(self.consistent())

    def test_reverse(self):
        self.cli("points", "adjust", NUMBER[1:], "80", "--reason", "r", "--ref", "A")
        self.cli("points", "adjust", NUMBER[1:], "-30", "--reason", "r", "--ref", "B")
        code, out, err = self.cli("points", "reverse", "adjust:B:p")
        self.assertEqual(code, 0, err)
        self.assertIn("reversed adjust:B:p: +30 points of %s (ledger ref reverse:adjust:B:p);"
                      " balance now 80" % MASKED, out)
        code, out, _ = self.cli("points", "reverse", "adjust:B:p")
        self.assertEqual(code, 0)
        self.assertIn("already reversed", out)
        self.cli("points", "adjust", NUMBER[1:], "-70", "--reason", "r", "--ref", "C")
        code, _, err = self.cli("points", "reverse", "adjust:A:p")
        self.assertEqual(code, 2)
        self.assertIn("refused", err)
        self.assertEqual(self.balance(), 10)
        code, _, err = self.cli("points", "reverse", "reverse:adjust:B:p")
        self.assertEqual(code, 2)
        self.assertIn("is a reversal itself", err)
        code, _, err = self.cli("points", "reverse", "nope")
        self.assertEqual(code, 2)
        self.assertIn("no ledger row has ref", err)
        code, _, err = self.cli("points", "reverse")
        self.assertEqual(code, 2)
        self.assertTrue(self.consistent())

    def test_tiers_review(self):
        self.db.sql("UPDATE subscribers SET tier = 'gold', points = 20, qualifying_points = 20;"
                    " INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version,"
                    " delta, reason, ref, remaining, expires_at, created_at) SELECT id, 'club',"
                    " 1, 20, 'test', 'apr', 20, NULL, '2026-04-10' FROM subscribers")
        code, out, err = self.cli("tiers", "review", "--now", "2026-05-02", "--dry-run")
        self.assertEqual(code, 0, err)
        self.assertIn("would move %s (club 2026-04): gold -> bronze (20 qualifying points)"
                      % MASKED, out)
        self.assertIn("would finish 1 reviews: 1 members, 1 would go down", out)
        self.assertEqual(self.db.sql("SELECT tier FROM subscribers"), "gold")
        code, out, err = self.cli("tiers", "review", "--now", "2026-05-02", "--batch", "1")
        self.assertEqual(code, 0, err)
        self.assertIn("finished 1 reviews: 1 members, 1 went down, 0 went up", out)
        self.assertEqual(self.db.sql("SELECT tier, qualifying_points FROM subscribers"),
                         "bronze\t0")
        self.assertEqual(self.db.sql("SELECT template FROM notifications"), "tier_downgrade")
        code, out, _ = self.cli("tiers", "review", "--now", "2026-05-03")
        self.assertEqual(code, 0)
        self.assertIn("finished 0 reviews: 0 members", out)
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM notifications"), "1")
        for bad in (["--campaign", "nope"], ["--now", "soon"], ["--batch", "0"], ["--frob"]):
            code, _, _ = self.cli("tiers", "review", *bad)
            self.assertEqual(code, 2, bad)


class DaemonReviewTest(harness.DaemonTest):
    """The running daemon reviews tiers in its housekeeping job, soon after start."""

    def test_daemon_reviews_last_month(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=10)
        start = (last_month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        doc = dict(CAMPAIGN, starts=start.isoformat(), ends="2030-12-31")
        path = os.path.join(self.folder, "club.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        code, out, err = harness.run_cli(
            "-c", "/dev/null", "--set", "database.socket=" + self.db.socket, "--set",
            "database.name=" + self.db.name, "--set", "database.password=gamigate",
            "campaign", "load", path)
        self.assertEqual(code, 0, out + err)
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at,"
                    " tier, points, qualifying_points) VALUES ('%s', 'en', NOW(), NOW(), NOW(),"
                    " 'gold', 150, 150);"
                    " INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version,"
                    " delta, reason, ref, remaining, expires_at, created_at) SELECT id, 'club',"
                    " 1, 150, 'test', 'last', 150, NULL, '%s 12:00:00' FROM subscribers"
                    % (NUMBER, last_month.isoformat()))
        d = self.start()
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.db.sql("SELECT tier FROM subscribers") == "silver":
                break
            time.sleep(0.5)
        self.assertEqual(self.db.sql("SELECT tier, qualifying_points FROM subscribers"),
                         "silver\t0")
        self.assertEqual(self.db.sql("SELECT template, ref FROM notifications"),
                         "tier_downgrade\ttierdown:club:%s:1" % last_month.strftime("%Y-%m"))
        harness.wait_for(lambda: "tiers reviewed" in d.log(), 10, "the review in the log")
        self.assertNotIn(NUMBER, d.log())
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM tier_reviews WHERE done_at IS NOT"
                                     " NULL"), "1")


class CorrectionsApiTest(harness.DaemonTest):
    """The same corrections through the admin API."""

    def test_adjust_and_reverse_over_http(self):
        path = os.path.join(self.folder, "club.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(CAMPAIGN, f, ensure_ascii=False)
        code, out, err = harness.run_cli(
            "-c", "/dev/null", "--set", "database.socket=" + self.db.socket, "--set",
            "database.name=" + self.db.name, "--set", "database.password=gamigate",
            "campaign", "load", path)
        self.assertEqual(code, 0, out + err)
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
                    " VALUES ('%s', 'en', NOW(), NOW(), NOW())" % NUMBER)
        d = self.start()
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")

        def post(path, doc, token=True):
            body = json.dumps(doc).encode() if not isinstance(doc, bytes) else doc
            headers = {"Authorization": "Bearer " + harness.TOKEN} if token else {}
            status, _, out = d.request("POST", path, body=body, headers=headers)
            return status, json.loads(out)

        status, _ = post("/api/v1/points/adjust", {"msisdn": "09120000001", "points": 5,
                                                   "reason": "x", "ref": "h1"}, token=False)
        self.assertEqual(status, 401)
        status, out = post("/api/v1/points/adjust", {"msisdn": "09120000001", "points": 60,
                                                     "reason": "ticket 3", "ref": "h1"})
        self.assertEqual(status, 200, out)
        self.assertEqual(out, {"status": "done", "msisdn": MASKED, "ledger_ref": "adjust:h1:p",
                               "delta": 60, "balance": 60})
        status, out = post("/api/v1/points/adjust", {"msisdn": "09120000001", "points": 60,
                                                     "reason": "ticket 3", "ref": "h1"})
        self.assertEqual((status, out["status"], out["balance"]), (200, "already", 60))
        status, out = post("/api/v1/points/adjust", {"msisdn": "09120000001", "points": -61,
                                                     "reason": "x", "ref": "h2"})
        self.assertEqual(status, 409, out)
        self.assertIn("nothing changed", out["error"])
        for bad in ({"msisdn": "09120000001", "points": 5, "reason": "x"},
                    {"msisdn": "09120000001", "points": 0, "reason": "x", "ref": "a"},
                    {"msisdn": "09120000001", "points": "5", "reason": "x", "ref": "a"},
                    {"msisdn": "12", "points": 5, "reason": "x", "ref": "a"},
                    {"msisdn": "09120000001", "points": 5, "ref": "a"},
                    {"msisdn": "09120000001", "points": 5, "reason": "x", "ref": "a",
                     "campaign": "nope"},
                    {"msisdn": "09120000001", "points": 5, "reason": "x", "ref": "a", "x": 1},
                    b"[1, 2]", b"{nope"):
            status, out = post("/api/v1/points/adjust", bad)
            self.assertEqual(status, 400, bad)
            self.assertIn("error", out)
        status, out = post("/api/v1/points/adjust", {"msisdn": "09129999999", "points": 5,
                                                     "reason": "x", "ref": "h3"})
        self.assertEqual(status, 404, out)
        status, out = post("/api/v1/points/reverse", {"ref": "adjust:h1:p", "reason": "oops"})
        self.assertEqual(status, 200, out)
        self.assertEqual((out["status"], out["delta"], out["balance"]), ("done", -60, 0))
        status, out = post("/api/v1/points/reverse", {"ref": "adjust:h1:p"})
        self.assertEqual((status, out["status"]), (200, "already"))
        status, out = post("/api/v1/points/reverse", {"ref": "nope"})
        self.assertEqual(status, 404, out)
        status, out = post("/api/v1/points/reverse", {"ref": "reverse:adjust:h1:p"})
        self.assertEqual(status, 409, out)
        status, out = post("/api/v1/points/reverse", {})
        self.assertEqual(status, 400, out)
        self.assertEqual(self.db.sql("SELECT points FROM subscribers"), "0")
        self.assertNotIn(NUMBER, d.log())
        self.assertIn("points corrected", d.log())


if __name__ == "__main__":
    unittest.main()
