"""End to end: the game through the real daemon and MariaDB — SPIN and CHECKIN with the
sample campaign (dates moved to now), membership, the ledger matching the balances,
streak bonuses, vouchers handed to exactly one subscriber, campaigns picked up on
SIGHUP, and the wheel's caps under concurrent spins on two gamigate processes."""

import datetime
import json
import os
import signal
import threading
import unittest

import harness

SAMPLE = os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")


def running_campaign(**changes):
    """The sample campaign, running from two days ago for a month, without the quiz
    (its questions are dated in Nowruz 1405)."""
    with open(SAMPLE) as f:
        doc = json.load(f)
    today = datetime.datetime.utcnow().date()
    doc["starts"] = (today - datetime.timedelta(days=2)).isoformat()
    doc["ends"] = (today + datetime.timedelta(days=30)).isoformat()
    doc["missions"] = [m for m in doc["missions"] if m["type"] != "quiz"]
    doc.update(changes)
    return doc


class GameTest(harness.DaemonTest):
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

    def send(self, d, text, sender, msg_id):
        body = json.dumps({"id": msg_id, "from": sender, "to": "3000", "text": text})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        return json.loads(out)["reply"]

    def sql(self, q):
        return self.db.sql(q)

    def assert_ledger_matches_balances(self):
        self.assertEqual(self.sql(
            "SELECT COUNT(*) FROM subscribers s WHERE s.points <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id) "
            "OR s.chances <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM chances_ledger c WHERE c.subscriber_id = s.id)"),
            "0")

    def test_spin_and_checkin(self):
        self.load(running_campaign())
        d = self.start()
        n = "09121234567"
        self.assertIn("to join first", self.send(d, "spin", n, "g0"))
        self.send(d, "join", n, "g1")
        reply = self.send(d, "spin", n, "g2")
        self.assertIn("The wheel stopped at", reply)
        self.assertIn("already spun", self.send(d, "spin", n, "g3"))
        self.assertIn("Checked in! +5 points. Streak: 1 days", self.send(d, "checkin", n, "g4"))
        self.assertIn("already checked in", self.send(d, "حضور", n, "g5"))
        row = self.sql("SELECT seq, drawn_prize, awarded_prize, random_value < total_weight, "
                       "campaign_version FROM spins").split("\t")
        self.assertEqual(row[0], "1")
        self.assertEqual(row[3], "1")
        self.assertEqual(row[4], "1")
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(mission_id ORDER BY mission_id) "
                                  "FROM mission_completions"), "daily-checkin,daily-spin")
        self.assert_ledger_matches_balances()
        points = self.sql("SELECT points FROM subscribers")
        self.assertIn("Points: %s." % points, self.send(d, "points", n, "g6"))
        # Persian, from a Persian subscriber: the reply names the prize in Persian.
        m = "09351112222"
        self.send(d, "عضویت", m, "g7")
        self.assertIn("گردونه ایستاد روی", self.send(d, "گردونه", m, "g8"))

    def test_streak_bonus_on_the_seventh_day(self):
        self.load(running_campaign())
        d = self.start()
        n = "09121234567"
        self.send(d, "join", n, "s1")
        # Yesterday's check-in with a 6-day streak (Tehran's yesterday, as the game sees it).
        yesterday = self.sql("SELECT DATE_FORMAT(CONVERT_TZ(UTC_TIMESTAMP(), '+00:00', "
                             "'+03:30') - INTERVAL 1 DAY, '%Y-%m-%d')")
        self.sql("INSERT INTO checkins SELECT id, 'nowruz-1405', '%s', 6, UTC_TIMESTAMP(6) "
                 "FROM subscribers" % yesterday)
        reply = self.send(d, "checkin", n, "s2")
        self.assertIn("streak bonus of 50 for 7 days", reply)
        self.assertEqual(self.sql("SELECT streak FROM checkins ORDER BY day_key DESC LIMIT 1"),
                         "7")
        self.assert_ledger_matches_balances()

    def test_tier_upgrade_is_recorded_and_announced_once(self):
        self.load(running_campaign())
        d = self.start()
        n = "09121234567"
        self.send(d, "join", n, "t1")
        silver = [t for t in running_campaign()["tiers"] if t["id"] == "silver"][0]
        self.sql("UPDATE subscribers SET qualifying_points = %d" % (silver["min_points"] - 5))
        self.send(d, "checkin", n, "t2")  # +5 points: exactly silver
        self.assertEqual(self.sql("SELECT tier FROM subscribers"), "silver")
        self.assertEqual(self.sql("SELECT CONCAT(kind, ' ', template, ' ', vars, ' ', status) "
                                  "FROM notifications"),
                         'transactional tier_upgrade {"tier":"silver"} pending')
        self.assertIn("Tier: Silver", self.send(d, "points", n, "t3"))
        self.send(d, "spin", n, "t4")  # more points, same tier: no second notice
        self.assertEqual(self.sql("SELECT COUNT(*) FROM notifications"), "1")

    def test_vouchers_go_to_exactly_one_subscriber_and_fall_back_when_gone(self):
        doc = running_campaign()
        for p in doc["wheel"]["prizes"]:
            p["weight"] = 1000000 if p["id"] == "snapp-50" else 1
        self.load(doc)
        self.sql("INSERT INTO vouchers (pool, code, imported_at) VALUES "
                 "('snapp-50', 'CODE-A', UTC_TIMESTAMP(6)), ('snapp-50', 'CODE-B', "
                 "UTC_TIMESTAMP(6)), ('snapp-50', 'CODE-C', UTC_TIMESTAMP(6))")
        d = self.start("game.expiry_interval_s=1")  # the stock check runs every second
        harness.wait_for(lambda: d.metric('gamigate_voucher_codes_free{pool="snapp-50"}') == 3,
                         15, "the stock of snapp-50 in /metrics")
        self.assertEqual(d.metric('gamigate_voucher_pool_low{pool="snapp-50"}'), 1)  # < 10
        replies = []
        for i in range(5):
            n = "0912000000%d" % i
            self.send(d, "join", n, "vj%d" % i)
            replies.append(self.send(d, "spin", n, "vs%d" % i))
        codes = [r for r in replies if "Your code: CODE-" in r]
        self.assertEqual(len(codes), 3, replies)
        self.assertEqual(self.sql("SELECT COUNT(DISTINCT subscriber_id) FROM vouchers "
                                  "WHERE subscriber_id IS NOT NULL"), "3")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins WHERE drawn_prize = 'snapp-50' "
                                  "AND awarded_prize = 'try-again'"), "2")
        # The pool is empty now: the metrics and the log say so.
        harness.wait_for(lambda: d.metric('gamigate_voucher_codes_free{pool="snapp-50"}') == 0,
                         15, "snapp-50 empty in /metrics")
        self.assertEqual(d.metric('gamigate_voucher_codes_total{pool="snapp-50"}'), 3)
        self.assertIn("voucher pools running low", d.log())

    def test_campaign_loaded_while_running_is_picked_up_on_sighup(self):
        d = self.start()
        n = "09121234567"
        self.send(d, "join", n, "h1")
        self.assertIn("No campaign is running", self.send(d, "spin", n, "h2"))
        self.load(running_campaign())
        d.proc.send_signal(signal.SIGHUP)
        harness.wait_for(lambda: "nowruz-1405:1" in d.log(), 15, "the reload")
        self.assertIn("The wheel stopped at", self.send(d, "spin", n, "h3"))

    def test_a_finished_campaign_does_not_play(self):
        doc = running_campaign()
        doc["starts"], doc["ends"] = "1400-01-01", "1400-01-13"
        doc["missions"] = [m for m in doc["missions"] if m["type"] != "checkin"]
        self.load(doc)
        d = self.start()
        self.send(d, "join", "09121234567", "f1")
        self.assertIn("No campaign is running", self.send(d, "spin", "09121234567", "f2"))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "0")

    def test_campaign_keywords_apply_to_its_short_code_only(self):
        # The sample campaign adds «عیدی» / EIDI to SPIN (its "grammar" section); the
        # club campaign on 3001 does not, and the grammar file alone knows neither.
        self.load(running_campaign())
        club = os.path.join(harness.ROOT, "campaigns", "club-1405.json")
        with open(club) as f:
            self.load(json.load(f))
        d = self.start()
        self.send(d, "join", "09121230001", "k0")
        body = json.dumps({"id": "k1", "from": "09121230001", "to": "3001", "text": "eidi"})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "0")
        self.assertEqual(self.sql("SELECT command IS NULL FROM inbound_messages "
                                  "WHERE provider_id = 'k1'"), "1")
        self.send(d, "عیدی", "09121230001", "k2")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins WHERE campaign_id = 'nowruz-1405'"),
                         "1")
        self.assertEqual(self.sql("SELECT command FROM inbound_messages WHERE provider_id = 'k2'"),
                         "spin")

    def test_one_number_texting_spin_and_checkin_many_times_at_once(self):
        # A transaction must lock the subscriber before its first plain read: were the
        # snapshot taken before the lock, a spin waiting for the lock would not see the
        # one that held it, try seq 1 again and fail on the unique key (a 500) instead
        # of answering "already spun today".
        self.load(running_campaign())
        d = self.start("database.pool_size=8", "sms.rate_per_minute=1000")
        self.send(d, "join", "09121230000", "j0")
        replies, failures = [], []

        def worker(k):
            for text in ("spin", "checkin"):
                try:
                    replies.append((text, self.send(d, text, "09121230000", "%s%d" % (text, k))))
                except Exception as e:  # collected, asserted below
                    failures.append(repr(e))
        for _ in range(3):
            threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            self.sql("DELETE FROM inbound_messages")  # a new round of fresh ids
        self.assertEqual(failures, [])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM checkins"), "1")
        already = [r for t, r in replies if "already" in r.lower()]
        self.assertEqual(len(already), len(replies) - 2, replies)
        self.assert_ledger_matches_balances()

    def test_messages_queued_together_share_a_commit(self):
        # One worker and 16 clients: messages wait in the queue together, so the worker
        # runs them in shared transactions (group commit). Every message is recorded
        # once, every member plays once, the ledger matches the balances.
        self.load(running_campaign())
        self.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at) "
                 "SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6), "
                 "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_0_to_319")
        d = self.start("database.pool_size=1", "database.batch_max=8")
        failures = []

        def worker(k):
            for i in range(k, 320, 16):
                text = ("spin", "checkin", "points", "help")[i % 4]
                try:
                    self.send(d, text, "+98912%07d" % i, "g%d" % i)
                except Exception as e:  # collected, asserted below
                    failures.append(repr(e))
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        self.assertEqual(failures, [])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM inbound_messages"), "320")
        self.assertEqual(self.sql("SELECT COUNT(DISTINCT provider_id) FROM inbound_messages"),
                         "320")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "80")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM checkins"), "80")
        self.assert_ledger_matches_balances()
        batched = d.metric("gamigate_db_batched_jobs_total")
        self.assertGreater(batched, 0, "no message shared a transaction")
        # A message sent again (same id) after its batch committed: the stored reply.
        body = json.dumps({"id": "g0", "from": "+989120000000", "to": "3000", "text": "spin"})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        self.assertTrue(json.loads(out)["duplicate"])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), "80")

    def test_caps_hold_under_concurrent_spins_on_two_nodes(self):
        doc = running_campaign()
        doc["wheel"] = {
            "spins_per_day": 1, "fallback": "nothing",
            "prizes": [
                {"id": "big", "name": {"fa": "جایزه بزرگ", "en": "Big prize"},
                 "weight": 1000, "reward": {"points": 100}, "daily_cap": 100,
                 "total_cap": 100},
                {"id": "nothing", "name": {"fa": "پوچ", "en": "Nothing"}, "weight": 1,
                 "reward": {}},
            ]}
        self.load(doc)
        subscribers = 5000
        self.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at) "
                 "SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6), "
                 "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_0_to_%d" % (subscribers - 1))
        nodes = [self.start("database.pool_size=8", "sms.rate_per_minute=100"),
                 self.start("database.pool_size=8", "sms.rate_per_minute=100")]
        failures = []

        def worker(k):
            # Every subscriber tries twice (10,000 spins), half of them on each node.
            for i in range(k, subscribers * 2, 32):
                n = "+98912%07d" % (i % subscribers)
                node = nodes[i % 2]
                try:
                    self.send(node, "spin", n, "c%d" % i)
                except Exception as e:  # collected, asserted below
                    failures.append(repr(e))
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        self.assertEqual(failures, [])
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins WHERE awarded_prize = 'big'"),
                         "100")
        self.assertEqual(self.sql("SELECT awarded FROM wheel_prize_counters "
                                  "WHERE prize_id = 'big' AND day_key = '*'"), "100")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM spins"), str(subscribers))
        self.assertEqual(self.sql("SELECT MAX(c) FROM (SELECT COUNT(*) c FROM spins "
                                  "GROUP BY subscriber_id) x"), "1")
        self.assert_ledger_matches_balances()
        self.assertEqual(self.sql("SELECT SUM(points) FROM subscribers"), str(100 * 100 + 2 * subscribers))


if __name__ == "__main__":
    unittest.main(verbosity=2)
