"""End to end: redeeming points through the real daemon and MariaDB — REDEEM and «جایزه»
with the sample campaign's catalog (the list, by number and by id, unknown items, not
enough points, a voucher handed to exactly one subscriber, an empty pool that costs
nothing), `gamigate vouchers import` with a file full of mistakes (their exact line
numbers), `gamigate vouchers status`, `gamigate points expire`, and the daemon expiring
points by itself soon after it starts."""

import datetime
import json
import os

import harness

SAMPLE = os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")
LONG = "x" * 101

# Line numbers matter: the CLI must name them exactly.
CODES_CSV = "\n".join([
    "code",            # 1 header
    "ABC-001",         # 2
    "ABC-002",         # 3
    "  ABC-003  ",     # 4 trimmed
    "ABC-002",         # 5 repeats line 3
    "",                # 6 blank: ignored
    "na\u00efve",      # 7 not ASCII
    "ABC,004",         # 8 two columns
    LONG,              # 9 too long
    "ABC-001",         # 10 repeats line 2
    '"ABC-005"',       # 11 quotes removed
]) + "\n"


def running_campaign():
    """The sample campaign, running from two days ago for a month, without the quiz
    (its questions are dated in Nowruz 1405)."""
    with open(SAMPLE) as f:
        doc = json.load(f)
    today = datetime.datetime.utcnow().date()
    doc["starts"] = (today - datetime.timedelta(days=2)).isoformat()
    doc["ends"] = (today + datetime.timedelta(days=30)).isoformat()
    doc["missions"] = [m for m in doc["missions"] if m["type"] != "quiz"]
    return doc


class RedeemTest(harness.DaemonTest):
    def cli(self, *args):
        return harness.run_cli(
            "-c", "/dev/null", "--set", "database.socket=" + self.db.socket, "--set",
            "database.name=" + self.db.name, "--set", "database.password=gamigate", *args,
            cwd=self.folder)

    def load(self, doc):
        path = os.path.join(self.folder, "%s.json" % doc["id"])
        with open(path, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        code, out, err = self.cli("campaign", "load", path)
        self.assertEqual(code, 0, out + err)

    def write(self, name, text):
        with open(os.path.join(self.folder, name), "w", encoding="utf-8") as f:
            f.write(text)

    def send(self, d, text, sender, msg_id):
        body = json.dumps({"id": msg_id, "from": sender, "to": "3000", "text": text})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        return json.loads(out)["reply"]

    def sql(self, q):
        return self.db.sql(q)

    def give(self, msisdn, points, days=90):
        """A lot of points for a member, the way the game earns them."""
        self.sql("INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, "
                 "delta, reason, ref, remaining, expires_at, created_at) SELECT id, "
                 "'nowruz-1405', 1, %d, 'test', CONCAT('gift:', id, ':', %d), %d, "
                 "UTC_TIMESTAMP(6) + INTERVAL %d DAY, UTC_TIMESTAMP(6) FROM subscribers "
                 "WHERE msisdn = '%s'" % (points, points, points, days, msisdn))
        self.sql("UPDATE subscribers SET points = points + %d WHERE msisdn = '%s'"
                 % (points, msisdn))

    def points(self, msisdn):
        return int(self.sql("SELECT points FROM subscribers WHERE msisdn = '%s'" % msisdn))

    def assert_consistent(self):
        self.assertEqual(self.sql(
            "SELECT COUNT(*) FROM subscribers s WHERE s.points <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id) "
            "OR s.points <> "
            "(SELECT COALESCE(SUM(remaining), 0) FROM points_ledger l "
            "WHERE l.subscriber_id = s.id)"), "0")

    def test_import_reports_every_skipped_line_by_number(self):
        self.write("codes.csv", CODES_CSV)
        code, out, err = self.cli("vouchers", "import", "data-1g", "codes.csv")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(err.splitlines(), [
            "codes.csv:5: duplicate of line 3; skipped",
            "codes.csv:7: not printable ASCII (byte 0xc3 at character 3); codes are "
            "letters, digits and punctuation; skipped",
            "codes.csv:8: more than one column (',' at character 4); one code per line; "
            "skipped",
            "codes.csv:9: longer than 100 characters (101); skipped",
            "codes.csv:10: duplicate of line 2; skipped",
        ])
        self.assertEqual(out, "codes.csv: imported 4, skipped 5 (2 repeated in the file, "
                              "0 already in pool data-1g, 3 bad)\n")
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(code ORDER BY id) FROM vouchers"),
                         "ABC-001,ABC-002,ABC-003,ABC-005")

        # Again, with one new code: only that one goes in; the rest are named.
        self.write("more.csv", "ABC-003\nNEW-1\nabc-003\n")
        code, out, err = self.cli("vouchers", "import", "data-1g", "more.csv")
        self.assertEqual(code, 0, out + err)
        self.assertEqual(err, "more.csv:1: already in pool data-1g; skipped\n")
        self.assertIn("imported 2, skipped 1 (0 repeated in the file, 1 already", out)

        # The same file again: nothing new is a failure to import (exit 2).
        code, out, err = self.cli("vouchers", "import", "data-1g", "codes.csv")
        self.assertEqual(code, 2, out + err)
        for line in (2, 3, 4, 11):
            self.assertIn("codes.csv:%d: already in pool data-1g; skipped" % line, err)
        self.assertIn("every code is in the pool already", err)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM vouchers"), "6")

        # Nothing usable at all, a missing file, a bad pool id: exit 2, nothing stored.
        self.write("bad.csv", "code\n,\n\x01\n")
        code, out, err = self.cli("vouchers", "import", "data-1g", "bad.csv")
        self.assertEqual(code, 2, out + err)
        self.assertIn("bad.csv:2: more than one column", err)
        self.assertIn("bad.csv:3: not printable ASCII (byte 0x01", err)
        self.assertIn("no valid code", err)
        code, out, err = self.cli("vouchers", "import", "data-1g", "missing.csv")
        self.assertEqual(code, 2)
        self.assertIn("missing.csv: cannot open", err)
        code, out, err = self.cli("vouchers", "import", "Data 1G", "codes.csv")
        self.assertEqual(code, 2)
        self.assertIn("is not a pool id", err)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM vouchers"), "6")

        # Status: 6 codes, all free; fewer than 10 is low.
        self.sql("UPDATE vouchers SET subscriber_id = 1 WHERE code = 'NEW-1'")
        code, out, err = self.cli("vouchers", "status")
        self.assertEqual(code, 0, out + err)
        self.assertRegex(out, r"data-1g +6 +5 +1  LOW\n")

    def test_redeem_in_english(self):
        self.load(running_campaign())
        self.write("codes.csv", "code\nDATA-AAA\nDATA-BBB\n")
        self.assertEqual(self.cli("vouchers", "import", "data-1g", "codes.csv")[0], 0)
        d = self.start()
        n = "09121234567"
        self.assertIn("to join first", self.send(d, "redeem", n, "e0"))
        self.send(d, "join", n, "e1")
        self.give("+989121234567", 1000)

        reply = self.send(d, "REDEEM", n, "e2")
        self.assertEqual(reply, "Rewards for your 1000 points: 1) data-1g: 500, 2) snapp-100: "
                                "800, 3) lottery-chance: 200. Text REDEEM and a number, e.g. "
                                "REDEEM 1.")
        reply = self.send(d, "redeem 3", n, "e3")
        self.assertEqual(reply, "Done! One chance in the grand draw for 200 points. "
                                "Your points: 800.")
        self.assertEqual(self.sql("SELECT chances FROM subscribers"), "1")

        reply = self.send(d, "redeem data 1g", n, "e4")
        self.assertEqual(reply, "Done! 1 GB data bundle for 500 points. Points left: 300. "
                                "Your code: DATA-AAA")
        # The provider retries the same message: the same answer, nothing twice.
        self.assertEqual(self.send(d, "redeem data 1g", n, "e4"), reply)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM vouchers WHERE subscriber_id IS NOT "
                                  "NULL"), "1")
        self.assertEqual(self.points("+989121234567"), 300)

        reply = self.send(d, "redeem snapp-100", n, "e5")
        self.assertEqual(reply, "Snapp 100,000-rial discount code costs 800 points and you "
                                "have 300. Collect more points and try again!")
        reply = self.send(d, "redeem gold-bar", n, "e6")
        self.assertTrue(reply.startswith("There is no such reward. Rewards: 1) data-1g: 500, "),
                        reply)
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(item_id, ':', cost ORDER BY id) FROM "
                                  "redemptions"), "lottery-chance:200,data-1g:500")
        self.assert_consistent()

    def test_redeem_in_persian_voucher_once_and_empty_pool(self):
        self.load(running_campaign())
        self.write("snapp.csv", "SNAPP-ONLY\n")
        self.assertEqual(self.cli("vouchers", "import", "snapp-100", "snapp.csv")[0], 0)
        d = self.start()
        a, b = "09351112222", "09351113333"
        for i, n in enumerate((a, b)):
            self.send(d, "عضویت", n, "j%d" % i)
            self.give("+98" + n[1:], 900)

        reply = self.send(d, "جایزه", a, "f1")
        self.assertTrue(reply.startswith("جوایز برای 900 امتیاز شما: 1) data-1g: 500"), reply)
        self.assertIn("«جایزه ۱»", reply)
        # Persian digits and the Arabic-keyboard yeh are normalised before matching.
        reply = self.send(d, "جايزه ۲", a, "f2")
        self.assertEqual(reply, "انجام شد! کد تخفیف ۱۰۰ هزار ریالی اسنپ با 800 امتیاز. "
                                "امتیاز باقی‌مانده: 100. کد شما: SNAPP-ONLY")
        # The pool is empty now: b is told so, and keeps every point.
        reply = self.send(d, "جایزه snapp-100", b, "f3")
        self.assertEqual(reply, "متأسفیم، کد تخفیف ۱۰۰ هزار ریالی اسنپ فعلاً تمام شده است و "
                                "امتیازی از شما کم نشد. برای جوایز دیگر «جایزه» را بفرستید.")
        self.assertEqual(self.points("+989351113333"), 900)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM redemptions"), "1")
        self.assertEqual(self.sql("SELECT s.msisdn FROM vouchers v JOIN subscribers s ON "
                                  "s.id = v.subscriber_id"), "+989351112222")
        # Not enough points, in Persian.
        reply = self.send(d, "جایزه ۱", a, "f4")
        self.assertEqual(reply, "بسته اینترنت یک گیگابایتی به 500 امتیاز نیاز دارد و امتیاز "
                                "شما 100 است. امتیاز بیشتری جمع کنید و دوباره امتحان کنید!")
        self.assertIn("چنین جایزه‌ای نداریم", self.send(d, "جایزه ۹", a, "f5"))
        self.assertIn("voucher pool is empty", d.log())
        self.assert_consistent()

    def test_points_expire_cli(self):
        self.load(running_campaign())
        d = self.start()
        n = "09121234567"
        self.send(d, "join", n, "x1")
        d.stop()
        self.give("+989121234567", 40, days=-1)   # expired yesterday
        self.give("+989121234567", 25, days=3)    # warned: within 7 days
        self.give("+989121234567", 7, days=60)

        code, out, err = self.cli("points", "expire", "--dry-run")
        self.assertEqual(code, 0, out + err)
        self.assertIn("would expire 40 points in 1 lots of 1 subscribers; would queue 1 "
                      "expiry warnings", out)
        self.assertEqual(self.points("+989121234567"), 72)

        code, out, err = self.cli("points", "expire")
        self.assertEqual(code, 0, out + err)
        self.assertIn("expired 40 points in 1 lots of 1 subscribers; queued 1 expiry warnings",
                      out)
        self.assertEqual(self.points("+989121234567"), 32)
        self.assertEqual(self.sql("SELECT CONCAT(template, ' ', JSON_VALUE(vars, '$.points')) "
                                  "FROM notifications"), "points_expiring 25")
        code, out, err = self.cli("points", "expire")
        self.assertIn("expired 0 points in 0 lots of 0 subscribers; queued 0 expiry warnings",
                      out)

        # As if in four days: the lot warned about goes too.
        later = (datetime.datetime.utcnow() + datetime.timedelta(days=4)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")
        code, out, err = self.cli("points", "expire", "--now", later)
        self.assertEqual(code, 0, out + err)
        self.assertIn("expired 25 points in 1 lots", out)
        self.assertEqual(self.points("+989121234567"), 7)
        self.assert_consistent()

        code, out, err = self.cli("points", "expire", "--now", "someday")
        self.assertEqual(code, 2)
        self.assertIn("--now someday:", err)
        code, out, err = self.cli("points", "expire", "--force")
        self.assertEqual(code, 2)
        self.assertIn("usage: gamigate", err)

    def test_the_daemon_expires_points_soon_after_it_starts(self):
        self.load(running_campaign())
        d = self.start()
        self.send(d, "join", "09121234567", "d1")
        d.stop()
        self.give("+989121234567", 30, days=-2)
        d = self.start()
        harness.wait_for(lambda: self.points("+989121234567") == 0, 30, "the expiry job")
        harness.wait_for(lambda: "points expired" in d.log(), 10, "its log line")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger WHERE reason = 'expiry'"),
                         "1")
        self.assert_consistent()


if __name__ == "__main__":
    import unittest
    unittest.main(verbosity=2)
