"""End to end: USSD menus through the real daemon and MariaDB in the Africa's Talking
convention — full walks in Persian and English, invalid input at every step (the screen
again with a short error), bad requests answered with a polite END that changes nothing,
pages with "98", idle and total timeouts, the same step replayed, a spin by SMS and by
USSD on the same day being one spin, one session served by two gamigate processes in
turn, the end-of-session notification, and the adapter's secret and address list."""

import datetime
import json
import os
import re
import threading
import time
import unittest
import urllib.parse
import uuid

import harness

SAMPLE = os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")
SECRET = "ussd-secret-0123456789"


def running_campaign(**changes):
    """The sample campaign, running from two days ago for a month, without the quiz."""
    with open(SAMPLE) as f:
        doc = json.load(f)
    today = datetime.datetime.utcnow().date()
    doc["starts"] = (today - datetime.timedelta(days=2)).isoformat()
    doc["ends"] = (today + datetime.timedelta(days=30)).isoformat()
    doc["missions"] = [m for m in doc["missions"] if m["type"] != "quiz"]
    doc.update(changes)
    return doc


class Session:
    """One USSD session as the gateway plays it: every request carries all answers."""

    def __init__(self, test, phone, daemons, code="*3000#"):
        self.test = test
        self.phone = phone
        self.daemons = daemons if isinstance(daemons, list) else [daemons]
        self.code = code
        self.id = "ATUid_" + uuid.uuid4().hex
        self.answers = []
        self.turn = 0

    def step(self, answer=None):
        if answer is not None:
            self.answers.append(answer)
        d = self.daemons[self.turn % len(self.daemons)]
        self.turn += 1
        return self.test.post(d, {"sessionId": self.id, "serviceCode": self.code,
                                  "phoneNumber": self.phone, "networkCode": "43211",
                                  "text": "*".join(self.answers)})


class UssdTest(harness.DaemonTest):
    def load(self, doc, db=None):
        db = db or self.db
        path = os.path.join(self.folder, "%s.json" % doc["id"])
        with open(path, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        code, out, err = harness.run_cli(
            "-c", "/dev/null", "--set", "database.socket=" + db.socket, "--set",
            "database.name=" + db.name, "--set", "database.password=gamigate",
            "campaign", "load", path)
        self.assertEqual(code, 0, out + err)

    def start_ussd(self, *sets):
        return self.start("inbound.ussd_secret=" + SECRET, *sets)

    def post(self, d, fields, path="/ussd/at?secret=" + SECRET, expect=200):
        body = urllib.parse.urlencode(fields).encode()
        status, headers, out = d.request(
            "POST", path, body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, expect, out)
        if expect == 200:
            self.assertTrue(headers.get("Content-Type", "").startswith("text/plain"), headers)
            self.assertTrue(out.startswith("CON ") or out.startswith("END "), out)
        return out

    def sms(self, d, text, sender, msg_id):
        body = json.dumps({"id": msg_id, "from": sender, "to": "3000", "text": text})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        return json.loads(out)["reply"]

    def sql(self, q):
        return self.db.sql(q)

    def assert_fits(self, screen):
        """A screen under the limits: 182 GSM characters, or 80 UTF-16 units with
        Persian."""
        text = screen[4:]
        if all(ord(c) < 128 for c in text):
            self.assertLessEqual(len(text), 182, screen)
        else:
            self.assertLessEqual(len(text.encode("utf-16-le")) // 2, 80, screen)

    def english(self, d, phone):
        """Sets the subscriber's language to English through the menu."""
        s = Session(self, phone, d)
        home = s.step()
        self.assertTrue(home.startswith("CON جشنواره نوروز"), home)
        # Language is option 8, on a later page of the Persian home screen.
        out = s.step("8")
        self.assertTrue(out.startswith("CON زبان / Language"), out)
        out = s.step("2")
        self.assertEqual(out, "END Your language is now English. Text HELP for help.")

    # ---- walks ----

    def test_full_walk_in_english(self):
        self.load(running_campaign())
        d = self.start_ussd()
        n = "+989121234567"
        self.english(d, n)
        s = Session(self, n, d)
        home = s.step()
        self.assertEqual(home, "CON Nowruz festival\n1. Join\n2. Spin the wheel\n3. Missions\n"
                               "4. My points\n5. My code\n6. Enter a referral code\n"
                               "7. Redeem points\n8. Language")
        out = s.step("1")
        self.assertTrue(out.startswith("END Welcome to the club!"), out)
        self.assertEqual(self.sql("SELECT joined_at IS NOT NULL FROM subscribers"), "1")
        s = Session(self, n, d)
        s.step()
        out = s.step("2")
        self.assertTrue(out.startswith("END The wheel stopped at"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")
        s = Session(self, n, d)
        s.step()
        points = self.sql("SELECT points FROM subscribers")
        self.assertIn("Points: %s." % points, s.step("4"))
        s = Session(self, n, d)
        s.step()
        self.assertIn("Today: check-in 0/1", s.step("3"))
        s = Session(self, n, d)
        s.step()
        self.assertIn("Your invite code:", s.step("5"))
        # Redeem: the catalog screen, then an item the subscriber cannot afford yet.
        s = Session(self, n, d)
        s.step()
        out = s.step("7")
        self.assertTrue(out.startswith("CON Choose a reward:\n1. 1 GB data bundle"), out)
        self.assertTrue(out.endswith("\n0. Back"), out)
        self.sql("UPDATE subscribers SET points = 0")
        self.sql("DELETE FROM points_ledger")
        out = s.step("3")
        self.assertIn("One chance in the grand draw costs 200 points and you have 0", out)
        self.assertTrue(out.startswith("END "), out)
        for row in self.sql("SELECT response FROM ussd_steps").split("\n"):
            self.assert_fits(row.replace("\\n", "\n"))

    def test_full_walk_in_persian_with_pages(self):
        self.load(running_campaign())
        d = self.start_ussd()
        n = "09351112222"
        s = Session(self, n, d)
        home = s.step()
        self.assert_fits(home)
        self.assertTrue(home.startswith("CON جشنواره نوروز\n1. عضویت\n"), home)
        self.assertIn("\n98. بیشتر", home)
        self.assertNotIn("8. زبان", home)
        pages = [home]
        while "\n98. بیشتر" in pages[-1]:
            pages.append(s.step("98"))
            self.assert_fits(pages[-1])
            self.assertLess(len(pages), 6)
        self.assertIn("8. زبان", pages[-1])
        self.assertFalse(pages[-1].startswith("CON گزینه نامعتبر"), pages[-1])
        # Back one page, then join from the first page's number.
        self.assertEqual(s.step("0"), pages[-2])
        # The welcome is longer than one Persian screen: it comes in pages, 98 for the
        # next one, and the last one ends the session.
        first = s.step("1")
        self.assertTrue(first.startswith("CON به باشگاه خوش آمدید"), first)
        self.assertIn("\n98. بیشتر", first)
        self.assertEqual(self.sql("SELECT joined_at IS NOT NULL FROM subscribers"), "1")
        self.assertEqual(self.sql("SELECT lang FROM subscribers"), "fa")
        self.assertTrue(s.step("5").startswith("CON "))  # not "98": the same page again
        rest = s.step("98")
        self.assert_fits(rest)
        while rest.startswith("CON "):
            rest = s.step("98")
            self.assert_fits(rest)
        self.assertTrue(rest.startswith("END "), rest)
        # Nothing ran twice on the way.
        self.assertEqual(self.sql("SELECT COUNT(*) FROM ussd_steps WHERE command = 'join'"),
                         "1")
        s = Session(self, n, d)
        s.step()
        self.assertTrue(s.step("3").startswith("END امروز: حضور"))
        # The spin, in Persian.
        s = Session(self, n, d)
        s.step()
        out = s.step("2")
        self.assertIn("گردونه ایستاد روی", out)

    def test_referral_code_typed_on_the_keypad(self):
        self.load(running_campaign())
        d = self.start_ussd()
        a, b = "09121110001", "09121110002"
        self.english(d, a)
        self.english(d, b)
        s = Session(self, a, d)
        s.step()
        s.step("1")
        s = Session(self, a, d)
        s.step()
        mine = s.step("5")
        numeric = re.search(r"on a keypad: (\d+)", mine).group(1)
        s = Session(self, b, d)
        s.step()
        s.step("1")
        s = Session(self, b, d)
        s.step()
        self.assertEqual(s.step("6"), "CON Enter your friend's referral code:\n0. Back")
        # Too short, then letters and digits mixed wrong: the screen again with the error.
        self.assertEqual(s.step("12"), "CON A code is 7 to 12 letters or digits.\n"
                                       "Enter your friend's referral code:\n0. Back")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals"), "0")
        out = s.step(numeric)
        self.assertTrue(out.startswith("END Code accepted!"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals"), "1")

    # ---- invalid input ----

    def test_invalid_choice_at_every_step_repeats_the_screen(self):
        self.load(running_campaign())
        d = self.start_ussd()
        n = "09121234567"
        self.english(d, n)
        s = Session(self, n, d)
        home = s.step()
        for bad in ["9", "", "x", "99", "98", "#", "01"]:
            out = s.step(bad)
            self.assertEqual(out, "CON Invalid choice, try again.\n" + home[4:], bad)
        self.assertEqual(s.step("7"), s.step("0") and s.step("7"))
        redeem = "CON Choose a reward:\n1. 1 GB data bundle\n2. Snapp 100,000-rial discount " \
                 "code\n3. One chance in the grand draw\n0. Back"
        self.assertEqual(s.step("4"), "CON Invalid choice, try again.\n" + redeem[4:])
        self.assertEqual(s.step("00"), home)
        self.assertEqual(s.step("8"), s.step("0") and s.step("8"))
        self.assertTrue(s.step("3").startswith("CON Invalid choice"))
        self.assertEqual(s.step("0"), home)
        self.assertEqual(s.step("0"), home)  # back on home stays home
        s.step("6")
        for bad in ["1", "abc", "1234567890123", "ABC-DEF"[0:3]]:
            self.assertTrue(s.step(bad).startswith("CON A code is 7 to 12"), bad)
        # Nothing happened in the game on the way.
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "0")
        self.assertEqual(self.sql("SELECT joined_at IS NULL FROM subscribers"), "1")

    def test_bad_requests_get_a_polite_end_and_change_nothing(self):
        self.load(running_campaign())
        d = self.start_ussd()
        good = {"sessionId": "s1", "serviceCode": "*3000#", "phoneNumber": "+989121234567",
                "networkCode": "43211", "text": ""}
        cases = []
        for field in good:
            f = dict(good)
            del f[field]
            cases.append(f)
        for field, value in [("sessionId", "x" * 65), ("sessionId", "a b"),
                             ("sessionId", ""), ("serviceCode", "*3000#; DROP"),
                             ("serviceCode", "*" * 40), ("phoneNumber", "3000"),
                             ("phoneNumber", "not a number"), ("phoneNumber", "9" * 40),
                             ("networkCode", "x" * 17), ("text", "1" * 300),
                             ("text", "1*<b>"), ("text", "۱"), ("text", "1\x002")]:
            f = dict(good)
            f[field] = value
            cases.append(f)
        for f in cases:
            out = self.post(d, f)
            self.assertEqual(out, "END متأسفیم، درخواست خوانده نشد. لطفاً دوباره "
                                  "شماره‌گیری کنید.", f)
        # Not a form at all.
        status, _, out = d.request("POST", "/ussd/at?secret=" + SECRET, body=b"%zz=1")
        self.assertEqual(status, 200)
        self.assertTrue(out.startswith("END "), out)
        # A code no campaign serves.
        f = dict(good)
        f["serviceCode"] = "*4000#"
        self.assertTrue(self.post(d, f).startswith("END این سرویس اکنون در دسترس نیست"))
        for table in ("ussd_sessions", "ussd_steps", "subscribers"):
            self.assertEqual(self.sql("SELECT COUNT(*) FROM %s" % table), "0", table)
        # Someone else's session id: refused, the session untouched.
        s = Session(self, "09121234567", d)
        s.step()
        out = self.post(d, {"sessionId": s.id, "serviceCode": "*3000#",
                            "phoneNumber": "09127654321", "networkCode": "1", "text": "2"})
        self.assertTrue(out.startswith("END متأسفیم"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM ussd_steps"), "1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM subscribers"), "0")

    # ---- idempotency and timeouts ----

    def test_the_same_step_again_returns_the_same_screen_and_acts_once(self):
        self.load(running_campaign())
        d = self.start_ussd()
        n = "09121234567"
        self.sms(d, "عضویت", n, "j1")
        s = Session(self, n, d)
        home = s.step()
        s.answers = []
        self.assertEqual(s.step(), home)
        first = s.step("2")
        self.assertIn("گردونه ایستاد روی", first)
        s.answers.pop()
        again = s.step("2")
        self.assertEqual(again, first)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM ussd_steps"), "2")
        # A later step of an ended session: a polite END, nothing run.
        out = s.step("2")
        self.assertTrue(out.startswith("END این نشست تمام شده"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")

    def test_idle_and_total_timeouts(self):
        self.load(running_campaign())
        d = self.start_ussd("ussd.idle_timeout_s=1", "ussd.session_timeout_s=3")
        n = "09121234567"
        s = Session(self, n, d)
        s.step()
        time.sleep(1.6)
        out = s.step("4")
        self.assertEqual(out, "END زمان نشست تمام شد. لطفاً دوباره شماره‌گیری کنید.")
        self.assertEqual(self.sql("SELECT status FROM ussd_sessions"), "ended")
        # The timed-out step replayed gets the same answer.
        s.answers.pop()
        self.assertEqual(s.step("4"), out)
        # Steps in time, but the whole session too long.
        s = Session(self, n, d)
        s.step()
        for _ in range(4):
            time.sleep(0.8)
            out = s.step("7")
            if out.startswith("END "):
                break
            s.step("0")
        self.assertTrue(out.startswith("END زمان نشست تمام شد"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "0")

    # ---- the same game as SMS ----

    def test_a_spin_by_sms_and_by_ussd_on_one_day_is_one_spin(self):
        self.load(running_campaign())
        d = self.start_ussd()
        a, b = "09121234567", "09121234568"
        self.sms(d, "join", a, "a1")
        self.assertIn("The wheel stopped at", self.sms(d, "spin", a, "a2"))
        s = Session(self, a, d)
        s.step()
        self.assertTrue(s.step("2").startswith("END You have already spun the wheel today."))
        # The other way round.
        self.sms(d, "join", b, "b1")
        s = Session(self, b, d)
        s.step()
        self.assertIn("The wheel stopped at", s.step("2"))
        self.assertIn("already spun", self.sms(d, "spin", b, "b2"))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "2")
        self.assertEqual(self.sql("SELECT COUNT(DISTINCT subscriber_id) FROM spins"), "2")

    def test_two_processes_serve_one_session_in_turn(self):
        self.load(running_campaign())
        d1, d2 = self.start_ussd(), self.start_ussd()
        n = "09121234567"
        self.sms(d1, "عضویت", n, "j1")
        s = Session(self, n, [d1, d2])
        home = s.step()                   # d1
        page2 = s.step("98")              # d2
        self.assertNotEqual(home, page2)
        self.assertEqual(s.step("0"), home)  # d1
        s.step("7")                       # d2: the catalog
        back = s.step("0")                # d1
        self.assertEqual(back, home)
        out = s.step("2")                 # d2: the spin
        self.assertIn("گردونه ایستاد روی", out)
        # The same last step on the other node: the stored answer, no second spin.
        s.answers.pop()
        self.assertEqual(s.step("2"), out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")
        self.assertEqual(self.sql("SELECT steps FROM ussd_sessions"), "6")

    def test_the_same_step_at_once_on_two_nodes_acts_once(self):
        self.load(running_campaign())
        d1, d2 = self.start_ussd(), self.start_ussd()
        n = "09121234567"
        self.sms(d1, "join", n, "j1")
        s = Session(self, n, d1)
        s.step()
        fields = {"sessionId": s.id, "serviceCode": "*3000#", "phoneNumber": n,
                  "networkCode": "43211", "text": "2"}
        answers, failures = [], []

        def fire(d):
            try:
                answers.append(self.post(d, fields))
            except Exception as e:  # collected, asserted below
                failures.append(repr(e))
        threads = [threading.Thread(target=fire, args=([d1, d2][i % 2],)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(failures, [])
        self.assertEqual(len(answers), 16)
        self.assertEqual(len(set(answers)), 1, answers)
        self.assertIn("The wheel stopped at", answers[0])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")
        # The first step of a new session, 16 times at once: one session, one answer.
        fields = {"sessionId": "new-" + s.id, "serviceCode": "*3000#", "phoneNumber": n,
                  "networkCode": "43211", "text": ""}
        answers.clear()
        threads = [threading.Thread(target=fire, args=([d1, d2][i % 2],)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(failures, [])
        self.assertEqual(len(answers), 16)
        self.assertEqual(len(set(answers)), 1, answers)
        self.assertTrue(answers[0].startswith("CON Nowruz festival"), answers[0])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM ussd_steps WHERE session_id = 'new-%s'"
                                  % s.id), "1")
        # Other sessions of the same subscriber at the same time: still one spin a day.
        sessions = [Session(self, n, [d1, d2][i % 2]) for i in range(8)]
        for x in sessions:
            x.step()
        results = []
        threads = [threading.Thread(target=lambda x=x: results.append(x.step("2")))
                   for x in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(len(results), 8)
        self.assertTrue(all(r.startswith("END You have already spun") for r in results),
                        results)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")

    # ---- the gateway side ----

    def test_end_notification_and_access(self):
        self.load(running_campaign())
        d = self.start_ussd("inbound.ussd_allow_ips=127.0.0.1")
        n = "09121234567"
        s = Session(self, n, d)
        s.step()
        end = {"sessionId": s.id, "serviceCode": "*3000#", "phoneNumber": n,
               "networkCode": "43211", "status": "Success", "cost": "KES 0.00",
               "durationInMillis": "1234", "input": "", "hopsCount": "1"}
        status, _, out = d.request("POST", "/ussd/at/end?secret=" + SECRET,
                                   body=urllib.parse.urlencode(end).encode())
        self.assertEqual((status, out), (200, "OK"))
        self.assertEqual(self.sql("SELECT status, ended_at IS NOT NULL FROM ussd_sessions"),
                         "Success\t1")
        self.assertTrue(s.step("1").startswith("END این نشست تمام شده"))
        # The notification on the callback URL itself is accepted too.
        end["sessionId"] = "unknown-session"
        status, _, out = d.request("POST", "/ussd/at?secret=" + SECRET,
                                   body=urllib.parse.urlencode(end).encode())
        self.assertEqual((status, out), (200, "OK"))
        # Without the secret, or with a wrong one, or in a header.
        fields = {"sessionId": "s9", "serviceCode": "*3000#", "phoneNumber": n,
                  "networkCode": "1", "text": ""}
        self.post(d, fields, path="/ussd/at", expect=401)
        self.post(d, fields, path="/ussd/at?secret=wrong-secret-0123456789", expect=401)
        status, _, out = d.request("POST", "/ussd/at",
                                   body=urllib.parse.urlencode(fields).encode(),
                                   headers={"X-Gamigate-Secret": SECRET})
        self.assertEqual(status, 200)
        self.assertTrue(out.startswith("CON "), out)
        d2 = self.start_ussd("inbound.ussd_allow_ips=10.0.0.0/8")
        self.post(d2, fields, expect=403)


if __name__ == "__main__":
    unittest.main(verbosity=2)
