"""End to end: the social side of the game through the real daemon and MariaDB —
referral codes (CODE / کد), REF and JOIN <code> with both sides rewarded, milestones and
the referrals mission once, every refusal with its own reply, pending referrals when the
campaign waits for activity, the daily quiz (QUIZ / ANSWER), the leaderboard (TOP) with
masked numbers and ranks that share ties, and the missions overview (MISSIONS)."""

import datetime
import itertools
import json
import re
import unittest

import harness
import test_game

TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))
CODE_RE = re.compile(r"Your invite code: ([0-9A-Z]{7,8}) \(on a keypad: ([0-9]{10,12})\)")


def today_tehran():
    return datetime.datetime.now(TEHRAN).date()


def quiz_campaign(**changes):
    """The sample campaign running now, with a quiz question dated today (Tehran)."""
    doc = test_game.running_campaign(**changes)
    doc["missions"].append({
        "id": "daily-quiz", "type": "quiz", "period": "day", "reward": {"points": 10},
        "questions": [{
            "date": today_tehran().isoformat(),
            "text": {"fa": "سفره هفت‌سین چند قلم دارد؟", "en": "How many items are on the Haft-Sin?"},
            "choices": [{"fa": "۵", "en": "5"}, {"fa": "۷", "en": "7"},
                        {"fa": "۹", "en": "9"}, {"fa": "۱۳", "en": "13"}],
            "answer": 2}]})
    return doc


class SocialTest(harness.DaemonTest):
    load = test_game.GameTest.load
    sql = test_game.GameTest.sql
    assert_ledger_matches_balances = test_game.GameTest.assert_ledger_matches_balances

    def setUp(self):
        super().setUp()
        self.ids = itertools.count()

    def start_daemon(self):
        self.d = self.start("sms.rate_per_minute=1000")
        return self.d

    def full(self, text, sender):
        body = json.dumps({"id": "m%d" % next(self.ids), "from": sender, "to": "3000",
                           "text": text})
        status, _, out = self.d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        return json.loads(out)

    def send(self, text, sender):
        return self.full(text, sender)["reply"]

    def join(self, sender, text="join"):
        return self.send(text, sender)

    def code_of(self, sender):
        m = CODE_RE.search(self.send("code", sender))
        self.assertIsNotNone(m)
        return m.group(1), m.group(2)

    def points(self, sender):
        return int(self.sql("SELECT points FROM subscribers WHERE msisdn = '+98%s'"
                            % sender[1:]))

    def chances(self, sender):
        return int(self.sql("SELECT chances FROM subscribers WHERE msisdn = '+98%s'"
                            % sender[1:]))

    # ---- referral codes --------------------------------------------------------------

    def test_code_ref_join_rewards_milestones_and_mission_once(self):
        self.load(test_game.running_campaign())  # referrer 50, referee 20, milestones 3 and 10
        self.start_daemon()
        a = "09120000001"
        self.assertIn("to join first", self.send("code", a))
        self.join(a)
        code, numeric = self.code_of(a)
        self.assertEqual(len(code), 7)
        self.assertEqual(len(numeric), 10)
        self.assertIn(code, self.send("کد", a))  # Persian keyword, same code
        persian_member = "09350000009"
        self.join(persian_member, "عضویت")
        self.assertIn("کد دعوت شما:", self.send("کد", persian_member))

        # REF: both sides rewarded, the referrer told by a notice.
        b = "09120000002"
        self.join(b)
        self.assertIn("Code accepted! You and your friend are both rewarded. Your points: 20",
                      self.send("ref " + code, b))
        self.assertEqual(self.points(b), 20)
        self.assertEqual(self.points(a), 50)
        self.assertEqual(self.sql(
            "SELECT CONCAT(template, ' ', vars) FROM notifications WHERE template LIKE "
            "'referral%'"), 'referral_rewarded {"friends":1,"points":50,"chances":0}')
        self.assertIn("already used a friend's invite code", self.send("ref " + code, b))

        # JOIN <code>, typed in lower case with a hyphen: the second friend completes the
        # "invite-two" mission (2 chances).
        c = "09120000003"
        typed = (code[:3] + "-" + code[3:]).lower()
        self.assertIn("Welcome to the club! Your friend's code gave you a reward: your points "
                      "are 20", self.join(c, "join " + typed))
        self.assertEqual(self.points(a), 100)
        self.assertEqual(self.chances(a), 2)

        # The numeric form, in Persian digits after a Persian keyword: the third friend
        # reaches the milestone of 3 (2 chances).
        d = "09120000004"
        self.join(d, "عضویت")
        persian = numeric.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        self.assertIn("کد پذیرفته شد", self.send("معرف " + persian, d))
        self.assertEqual(self.points(a), 150)
        self.assertEqual(self.chances(a), 4)

        # A fourth: referral reward only; milestone and mission stay paid once.
        e = "09120000005"
        self.join(e)
        self.assertIn("Code accepted", self.send("REF " + code, e))
        self.assertEqual(self.points(a), 200)
        self.assertEqual(self.chances(a), 4)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM chances_ledger "
                                  "WHERE reason = 'referral_milestone'"), "1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM mission_completions "
                                  "WHERE mission_id = 'invite-two'"), "1")
        self.assertEqual(self.sql("SELECT rewarded FROM referral_counters"), "4")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals WHERE status = 'rewarded' "
                                  "AND referrer_id = (SELECT id FROM subscribers "
                                  "WHERE msisdn = '+989120000001')"), "4")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger "
                                  "WHERE ref LIKE 'referral:%'"), "8")
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(template ORDER BY id) FROM notifications "
                                  "WHERE template <> 'tier_upgrade'"),
                         "referral_rewarded,referral_rewarded,mission_complete,"
                         "referral_rewarded,referral_milestone,referral_rewarded")
        self.assert_ledger_matches_balances()

    def test_every_refusal_has_its_own_reply(self):
        doc = test_game.running_campaign()
        doc["referral"]["cap"] = 2
        doc["referral"]["milestones"] = [{"count": 2, "reward": {"chances": 1}}]
        doc["missions"] = [m for m in doc["missions"] if m["type"] != "referrals"]
        self.load(doc)
        self.start_daemon()
        a = "09121000001"
        self.join(a)
        code, numeric = self.code_of(a)

        self.assertIn("This is for club members", self.send("ref " + code, "09121000099"))
        self.assertIn("text REF and the code", self.send("ref", a))
        self.assertIn("your own invite code", self.send("ref " + code, a))
        self.assertIn("your own invite code", self.send("ref " + numeric, a))

        b = "09121000002"
        self.join(b)
        # A typo: one symbol changed, then one digit of the numeric form changed; a code
        # of the wrong length. Each is "not valid", and nothing is recorded.
        wrong = code[:2] + ("X" if code[2] != "X" else "Y") + code[3:]
        self.assertIn("%s is not a valid invite code" % wrong, self.send("ref " + wrong, b))
        digit = numeric[:4] + str((int(numeric[4]) + 1) % 10) + numeric[5:]
        self.assertIn("is not a valid invite code", self.send("ref " + digit, b))
        self.assertIn("ABC12 is not a valid invite code", self.send("ref abc12", b))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals"), "0")

        # Unknown: the code of a number that is no member (any more), and of one that is
        # gone.
        z = "09121000026"
        self.join(z)
        zcode, _ = self.code_of(z)
        self.sql("UPDATE subscribers SET joined_at = NULL WHERE msisdn = '+989121000026'")
        self.assertIn("No member has the invite code %s" % zcode, self.send("ref " + zcode, b))
        y = "09121000025"
        self.join(y)
        ycode, _ = self.code_of(y)
        self.sql("DELETE FROM subscribers WHERE msisdn = '+989121000025'")
        self.assertIn("No member has the invite code", self.send("ref " + ycode.lower(), b))

        # Too late: joined eight days ago with a seven-day window.
        late = "09121000003"
        self.join(late)
        self.sql("UPDATE subscribers SET joined_at = joined_at - INTERVAL 8 DAY "
                 "WHERE msisdn = '+989121000003'")
        self.assertIn("only within 7 days of joining", self.send("ref " + code, late))

        # Twice, then the cap of 2, with its milestone paid once.
        self.assertIn("Code accepted", self.send("ref " + code, b))
        self.assertIn("already used", self.send("ref " + code, b))
        self.assertIn("already used", self.send("join " + code, b))  # JOIN <code> = REF
        c = "09121000004"
        self.join(c)
        self.assertIn("Code accepted", self.send("ref " + code, c))
        d = "09121000005"
        self.join(d)
        self.assertIn("reached its limit of invites", self.send("ref " + code, d))
        e = "09121000006"
        self.assertIn("Your friend's code has reached its limit of invites, so it gives no "
                      "reward", self.join(e, "join " + code))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM subscribers WHERE msisdn = "
                                  "'+989121000006' AND joined_at IS NOT NULL"), "1")
        self.assertEqual(self.sql("SELECT rewarded FROM referral_counters"), "2")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals"), "2")
        self.assertEqual(self.chances(a), 1)

        # Mutual: P brought Q, so P cannot take Q's code.
        p, q = "09121000007", "09121000008"
        self.join(p)
        self.join(q)
        pcode, _ = self.code_of(p)
        qcode, _ = self.code_of(q)
        self.assertIn("Code accepted", self.send("ref " + pcode, q))
        self.assertIn("You invited this friend yourself", self.send("ref " + qcode, p))

        # A new member with a mistyped code is a member all the same.
        n = "09121000010"
        self.assertIn("Welcome to the club! %s is not a valid invite code" % wrong,
                      self.join(n, "join " + wrong.lower()))
        self.assertIn("You are already a member", self.join(n))
        # Persian replies.
        self.join("09351000011", "عضویت")
        self.assertIn("کد دعوت درستی نیست", self.send("معرف ABC12", "09351000011"))
        self.assert_ledger_matches_balances()

    def test_the_cap_holds_under_concurrent_referrals_on_two_nodes(self):
        doc = test_game.running_campaign()
        doc["referral"]["cap"] = 3
        doc["referral"]["milestones"] = [{"count": 3, "reward": {"chances": 2}}]
        self.load(doc)
        self.start_daemon()
        nodes = [self.d, self.start("sms.rate_per_minute=1000")]
        a = "09128000000"
        self.join(a)
        code, _ = self.code_of(a)
        friends = ["0912800%04d" % i for i in range(1, 25)]
        for f in friends:
            self.join(f)

        def refer(k):
            body = json.dumps({"id": "cc%d" % k, "from": friends[k], "to": "3000",
                               "text": "ref " + code})
            return nodes[k % 2].request("POST", "/sms/inbound", body=body.encode())

        calls = [harness.in_thread(refer, k) for k in range(len(friends))]
        replies = []
        for t, result in calls:
            t.join(60)
            status, _, out = result[0]
            self.assertEqual(status, 200, out)
            replies.append(json.loads(out)["reply"])
        self.assertEqual(sum("Code accepted" in r for r in replies), 3, replies)
        self.assertEqual(sum("limit of invites" in r for r in replies), len(friends) - 3)
        self.assertEqual(self.sql("SELECT rewarded FROM referral_counters"), "3")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM referrals"), "3")
        self.assertEqual(self.points(a), 150)
        self.assert_ledger_matches_balances()

    def test_a_campaign_without_referrals_refuses_codes_and_join_still_works(self):
        doc = test_game.running_campaign()
        del doc["referral"]
        doc["missions"] = [m for m in doc["missions"] if m["type"] != "referrals"]
        self.load(doc)
        self.start_daemon()
        a, b = "09122000001", "09122000002"
        self.join(a)
        code, _ = self.code_of(a)
        self.assertIn("Welcome to the club! You are now a member", self.join(b, "join " + code))
        self.assertIn("no invite rewards", self.send("ref " + code, b))

    def test_require_active_keeps_the_referral_pending(self):
        doc = test_game.running_campaign()
        doc["referral"]["require_active"] = True
        self.load(doc)
        self.start_daemon()
        a, b, c = "09123000001", "09123000002", "09123000003"
        self.join(a)
        code, _ = self.code_of(a)
        self.join(b)
        self.assertIn("arrive with your first recharge", self.send("ref " + code, b))
        self.assertIn("rewards arrive with your first recharge", self.join(c, "join " + code))
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(status) FROM referrals"),
                         "pending,pending")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger "
                                  "WHERE reason = 'referral'"), "0")
        self.assertEqual(self.points(a), 0)
        self.assertIn("already used", self.send("ref " + code, b))
        # The referee's first recharge (POST /api/v1/events) pays both sides, once.
        def recharge(event_id, who):
            body = json.dumps({"event_id": event_id, "msisdn": who, "type": "recharge",
                               "amount": 10000}).encode()
            status, _, out = self.d.request(
                "POST", "/api/v1/events", body=body,
                headers={"Authorization": "Bearer " + harness.TOKEN})
            self.assertEqual(status, 200, out)
        recharge("first-b", b)
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(status ORDER BY id) FROM referrals"),
                         "rewarded,pending")
        referrer_after_one = self.points(a)
        self.assertGreater(referrer_after_one, 0)
        recharge("second-b", b)
        self.assertEqual(self.points(a), referrer_after_one)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger WHERE reason = 'referral' "
                                  "AND ref LIKE 'referral:%:referrer%'"), "1")
        self.assert_ledger_matches_balances()

    # ---- quiz --------------------------------------------------------------------------

    def test_quiz_right_wrong_again_and_bad_choice(self):
        self.load(quiz_campaign())
        self.start_daemon()
        a, b = "09124000001", "09124000002"
        self.join(a)
        self.join(b)
        reply = self.send("quiz", a)
        self.assertEqual(reply, "How many items are on the Haft-Sin?\n1) 5\n2) 7\n3) 9\n4) 13\n"
                                "Text ANSWER and the number of your choice.")
        self.join("09354000003", "عضویت")
        self.assertIn("\n1) ۵\n2) ۷\n", self.send("سوال", "09354000003"))
        self.assertIn("from 1 to 4", self.send("answer 9", a))
        self.assertIn("text ANSWER and the number", self.send("answer", a))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM quiz_answers"), "0")
        self.assertEqual(self.send("answer 3", a),
                         "Not this time: the right answer was 2) 7. Try again tomorrow!")
        self.assertIn("already answered", self.send("answer 2", a))
        self.assertEqual(self.points(a), 0)
        self.assertIn("Right answer! +10 points. Your points: 10.", self.send("answer 2", b))
        self.assertIn("already answered", self.send("answer 2", b))
        self.assertIn("آفرین", self.send("جواب ۲", "09354000003"))
        self.assertEqual(self.points(b), 10)
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(CONCAT(choice, ':', correct) "
                                  "ORDER BY subscriber_id) FROM quiz_answers"), "3:0,2:1,2:1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM mission_completions "
                                  "WHERE mission_id = 'daily-quiz'"), "2")
        self.assert_ledger_matches_balances()

    def test_no_question_today(self):
        doc = test_game.running_campaign()
        doc["missions"].append({
            "id": "daily-quiz", "type": "quiz", "period": "day", "reward": {"points": 10},
            "questions": [{"date": (today_tehran() + datetime.timedelta(days=3)).isoformat(),
                           "text": {"fa": "؟", "en": "?"},
                           "choices": [{"fa": "۱", "en": "1"}, {"fa": "۲", "en": "2"}],
                           "answer": 1}]})
        self.load(doc)
        self.start_daemon()
        a = "09125000001"
        self.join(a)
        self.assertIn("no quiz question today", self.send("quiz", a))
        self.assertIn("no quiz question today", self.send("answer 1", a))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM quiz_answers"), "0")

    # ---- leaderboard -------------------------------------------------------------------

    def test_top_shows_masked_numbers_and_ranks_with_ties(self):
        self.load(test_game.running_campaign())
        self.start_daemon()
        scores = {"09126000001": 500, "09126000002": 300, "09126000003": 300,
                  "09126000004": 200, "09126000005": 100, "09126000006": 50,
                  "09126000007": 0}
        for n, pts in scores.items():
            self.join(n)
            self.sql("UPDATE subscribers SET points = %d WHERE msisdn = '+98%s'" % (pts, n[1:]))
        # A number that is no member, with more points, is not on the board.
        self.sql("INSERT INTO subscribers (msisdn, points, created_at, updated_at) VALUES "
                 "('+989126000099', 9999, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
        reply = self.send("top", "09126000004")
        self.assertTrue(reply.startswith("Your rank: 4 with 200 points. Top 5:\n"), reply)
        lines = reply.split("\n")[1:]
        self.assertEqual([re.sub(r"\+98912\*\*\*\d{4}", "N", line) for line in lines],
                         ["1) N: 500", "2) N: 300", "2) N: 300", "4) N: 200", "5) N: 100"])
        self.assertIn("+98912***0001: 500", reply)
        self.assertNotRegex(reply, r"\d{7}")  # no number in full
        self.assertIn("Your rank: 2 with 300", self.send("top", "09126000003"))
        self.assertIn("Your rank: 7 with 0 points", self.send("top", "09126000007"))
        self.send("lang fa", "09126000006")
        self.assertIn("رتبه شما: 6 با 50 امتیاز", self.send("رتبه", "09126000006"))
        self.assertIn("to join first", self.send("top", "09126000098"))

    # ---- missions ------------------------------------------------------------------------

    def test_missions_show_todays_progress(self):
        doc = quiz_campaign()
        self.load(doc)
        self.start_daemon()
        a, b = "09127000001", "09127000002"
        self.join(a)
        self.assertEqual(self.send("missions", a),
                         "Today: check-in 0/1 (streak 0), spin 0/1, quiz 0/1.\n"
                         "Recharges: 0/3. Friends invited: 0/2.")
        self.send("checkin", a)
        self.send("spin", a)
        self.send("answer 1", a)
        self.join(b)
        code, _ = self.code_of(a)
        self.send("ref " + code, b)
        for i in range(2):
            self.sql("INSERT INTO events (event_id, msisdn, subscriber_id, type, amount, at, "
                     "result, created_at) SELECT 'e%d', msisdn, id, 'recharge', 10000, "
                     "UTC_TIMESTAMP(), '{}', UTC_TIMESTAMP(6) FROM subscribers "
                     "WHERE msisdn = '+989127000001'" % i)
        self.assertEqual(self.send("missions", a),
                         "Today: check-in 1/1 (streak 1), spin 1/1, quiz 1/1.\n"
                         "Recharges: 2/3. Friends invited: 1/2.")
        self.send("lang fa", a)
        r = self.full("ماموریت", a)
        self.assertEqual(r["reply"], "امروز: حضور 1/1 (پیاپی 1)، گردونه 1/1، مسابقه 1/1\n"
                                     "شارژ: 2/3، دعوت دوستان: 1/2")
        self.assertLessEqual(r["segments"], 2)
        # Yesterday's check-in keeps the streak alive until today's.
        yesterday = self.sql("SELECT DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', "
                             "'+03:30') - INTERVAL 1 DAY, '%Y-%m-%d')")
        self.sql("INSERT INTO checkins SELECT id, 'nowruz-1405', '%s', 4, UTC_TIMESTAMP(6) "
                 "FROM subscribers WHERE msisdn = '+989127000002'" % yesterday)
        self.assertIn("check-in 0/1 (streak 4)", self.send("missions", b))


if __name__ == "__main__":
    unittest.main(verbosity=2)
