"""End to end: POST /api/v1/events through the real daemon and MariaDB — single events
and batches, the admin token, malformed bodies and rejected items, duplicates (also 50
concurrent copies of one event), non-members, earning with the double-points window
20:00-22:00 Tehran, tiers, the weekly recharge mission with a stage, and events in two
campaigns at once."""

import datetime
import json
import os
import threading
import unittest

import harness

SAMPLE = os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")
TEHRAN = datetime.timezone(datetime.timedelta(hours=3, minutes=30))
AUTH = {"Authorization": "Bearer " + harness.TOKEN, "Content-Type": "application/json"}
WEEKLY = {
    "id": "weekly-recharges", "type": "events", "period": "week", "event": "recharge",
    "count": 3, "reward": {"points": 20, "chances": 1},
    "stages": [{"count": 2, "reward": {"points": 5}}],
}


def running_campaign(**changes):
    """The sample campaign running from two days ago for a month, with only its
    check-in and spin missions (tests that want the weekly recharge mission pass
    missions=[WEEKLY]), so that the points below do not depend on the sample's missions."""
    with open(SAMPLE) as f:
        doc = json.load(f)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    doc["starts"] = (today - datetime.timedelta(days=2)).isoformat()
    doc["ends"] = (today + datetime.timedelta(days=30)).isoformat()
    doc["missions"] = [m for m in doc["missions"] if m["type"] in ("checkin", "spin")]
    doc.update(changes)
    return doc


def yesterday_tehran(h, m=0, s=0):
    """Yesterday (Tehran) at h:m:s Tehran time, as ISO 8601 UTC: inside the campaign,
    in the past, and all in one Tehran day (so in one week)."""
    day = datetime.datetime.now(TEHRAN).date() - datetime.timedelta(days=1)
    local = datetime.datetime.combine(day, datetime.time(h, m, s), TEHRAN)
    return local.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(event_id, msisdn="09121234567", amount=50000, at=None, type="recharge", **more):
    e = {"event_id": event_id, "msisdn": msisdn, "type": type, "amount": amount}
    e["at"] = at if at is not None else yesterday_tehran(10)
    e.update(more)
    return e


class EventsTest(harness.DaemonTest):
    def load(self, doc):
        path = os.path.join(self.folder, "%s.json" % doc["id"])
        with open(path, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        code, out, err = harness.run_cli(
            "-c", "/dev/null", "--set", "database.socket=" + self.db.socket, "--set",
            "database.name=" + self.db.name, "--set", "database.password=gamigate",
            "campaign", "load", path)
        self.assertEqual(code, 0, out + err)

    def sql(self, q):
        return self.db.sql(q)

    def post(self, d, body, headers=AUTH):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, _, out = d.request("POST", "/api/v1/events", body=raw, headers=headers)
        return status, out

    def post_ok(self, d, body):
        status, out = self.post(d, body)
        self.assertEqual(status, 200, out)
        return json.loads(out)

    def join(self, d, msisdn, msg_id):
        body = json.dumps({"id": msg_id, "from": msisdn, "to": "3000", "text": "join"})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)

    def points(self, msisdn="+989121234567"):
        return int(self.sql("SELECT points FROM subscribers WHERE msisdn = '%s'" % msisdn))

    def assert_ledger_matches_balances(self):
        self.assertEqual(self.sql(
            "SELECT COUNT(*) FROM subscribers s WHERE s.points <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM points_ledger l WHERE l.subscriber_id = s.id) "
            "OR s.chances <> "
            "(SELECT COALESCE(SUM(delta), 0) FROM chances_ledger c WHERE c.subscriber_id = s.id)"),
            "0")

    def test_single_event_earns_and_a_replay_is_a_duplicate(self):
        self.load(running_campaign())
        d = self.start()
        self.join(d, "09121234567", "j1")
        r = self.post_ok(d, event("bill-0001", msisdn="0912 123 4567", amount=123456))
        self.assertEqual(r, {"event_id": "bill-0001", "status": "applied", "points": 12,
                             "chances": 0, "missions": []})
        self.assertEqual(self.points(), 12)
        self.assertEqual(self.sql("SELECT CONCAT(ref, ' ', delta, ' ', reason) FROM "
                                  "points_ledger"), "event:nowruz-1405:bill-0001:p 12 event")
        self.assertEqual(self.sql("SELECT CONCAT(msisdn, ' ', type, ' ', amount, ' ', "
                                  "subscriber_id IS NOT NULL) FROM events"),
                         "+989121234567 recharge 123456 1")
        # The same event again: the first result, nothing changed.
        again = self.post_ok(d, event("bill-0001", msisdn="+989121234567", amount=123456))
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["points"], 12)
        self.assertNotIn("note", again)
        # Another event under the same id: still the first result, with a note.
        other = self.post_ok(d, event("bill-0001", amount=999999))
        self.assertEqual(other["status"], "duplicate")
        self.assertIn("different event", other["note"])
        self.assertEqual(self.points(), 12)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger"), "1")
        # Event ids are exact: another case is another event.
        self.assertEqual(self.post_ok(d, event("BILL-0001", amount=10000))["status"], "applied")
        self.assertEqual(self.points(), 13)
        # Without "at" the event happened now.
        now = self.post_ok(d, {"event_id": "now-1", "msisdn": "09121234567",
                               "type": "recharge", "amount": 10000})
        self.assertEqual(now["status"], "applied")
        self.assertEqual(self.sql("SELECT ABS(TIMESTAMPDIFF(SECOND, at, UTC_TIMESTAMP())) < 60 "
                                  "FROM events WHERE event_id = 'now-1'"), "1")
        self.assert_ledger_matches_balances()

    def test_batch_keeps_order_and_rejects_bad_items_alone(self):
        self.load(running_campaign(missions=[WEEKLY]))
        d = self.start()
        self.join(d, "09121234567", "j1")
        future = (datetime.datetime.now(datetime.timezone.utc) +
                  datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        batch = [
            event("b-1", amount=20000),
            {"msisdn": "09121234567", "type": "recharge", "amount": 1},
            event("b-2", type="refund"),
            event("b-3", at=future),
            event("b-4", amount=-5),
            event("b-5", amount=10.5),
            event("b-6", msisdn="MCI"),
            event("b 7"),
            event("b-8", colour="red"),
            event("b-9", at="2026-03-21 18:30:00"),
            event("b-10", campaign="no-such-campaign"),
            "not an object",
            event("b-1", amount=20000),  # a duplicate inside the batch
            event("b-11", amount=30000),
        ]
        r = self.post_ok(d, batch)
        self.assertEqual(len(r), len(batch))
        self.assertEqual([x["status"] for x in r],
                         ["applied"] + ["rejected"] * 11 + ["duplicate", "applied"])
        self.assertEqual([x["event_id"] for x in r],
                         ["b-1", None, "b-2", "b-3", "b-4", "b-5", "b-6", "b 7", "b-8", "b-9",
                          "b-10", None, "b-1", "b-11"])
        errors = [x.get("error", "") for x in r]
        self.assertIn("missing event_id", errors[1])
        self.assertIn("type must be one of", errors[2])
        self.assertIn("more than a day in the future", errors[3])
        self.assertIn("amount must be from 0", errors[4])
        self.assertIn("whole number", errors[5])
        self.assertIn("msisdn is not a mobile number", errors[6])
        self.assertIn("without spaces", errors[7])
        self.assertIn('unknown field "colour"', errors[8])
        self.assertIn("needs a zone", errors[9])
        self.assertIn('no active campaign "no-such-campaign"', errors[10])
        self.assertIn("must be an object", errors[11])
        self.assertEqual(self.points(), 2 + 3 + 5)  # the second recharge: a stage
        # Rejected items are not stored: fixed, they are applied under the same id.
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(event_id ORDER BY event_id) FROM events"),
                         "b-1,b-11")
        self.assertEqual(self.post_ok(d, event("b-2"))["status"], "applied")
        # An empty batch is an empty answer.
        self.assertEqual(self.post_ok(d, []), [])

    def test_token_and_malformed_bodies(self):
        self.load(running_campaign())
        d = self.start("http.max_body_bytes=4096")
        status, out = self.post(d, event("t-1"), headers={})
        self.assertEqual(status, 401, out)
        status, out = self.post(d, event("t-1"), headers={"Authorization": "Bearer wrong"})
        self.assertEqual(status, 401, out)
        status, out = self.post(d, b'{"event_id": "t-1", ')
        self.assertEqual(status, 400)
        self.assertIn("not valid JSON", json.loads(out)["error"])
        status, out = self.post(d, b"42")
        self.assertEqual(status, 400)
        self.assertIn("event object or an array", json.loads(out)["error"])
        status, out = self.post(d, b'{"event_id": "t-1", "event_id": "t-2"}')
        self.assertEqual(status, 400)
        status, out = self.post(d, b"")
        self.assertEqual(status, 400)
        status, out = self.post(d, b"[" + b",".join([b"{}"] * 1001) + b"]")
        self.assertEqual(status, 413)
        self.assertIn("at most 1000", json.loads(out)["error"])
        status, out = self.post(d, [event("big-%d" % i) for i in range(100)])
        self.assertEqual(status, 413)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM events"), "0")
        self.assertEqual(d.get("/healthz")[0], 200)

    def test_non_member_is_recorded_and_earns_nothing(self):
        self.load(running_campaign(missions=[WEEKLY]))
        d = self.start()
        r = self.post_ok(d, event("nm-1", msisdn="09359998877", amount=1000000))
        self.assertEqual(r["status"], "applied")
        self.assertEqual(r["points"], 0)
        self.assertIn("not a member", r["note"])
        self.assertEqual(self.sql("SELECT CONCAT(msisdn, ' ', subscriber_id IS NULL) FROM events"),
                         "+989359998877 1")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM subscribers"), "0")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger"), "0")
        # Joining later does not turn old events into points or mission progress: two
        # more recharges reach the stage (2), not the mission (3).
        self.join(d, "09359998877", "nm-j")
        self.post_ok(d, event("nm-2", msisdn="09359998877", amount=10000))
        self.post_ok(d, event("nm-3", msisdn="09359998877", amount=10000))
        self.assertEqual(self.points("+989359998877"), 1 + 1 + 5)
        self.assertEqual(self.sql("SELECT COUNT(*) FROM mission_completions"), "0")

    def test_double_points_between_20_and_22_tehran(self):
        self.load(running_campaign(missions=[]))
        d = self.start()
        self.join(d, "09121234567", "j1")
        cases = [((19, 59, 59), 5), ((20, 0, 0), 10), ((21, 59, 59), 10), ((22, 0, 0), 5),
                 ((3, 0, 0), 5)]
        for i, (hms, want) in enumerate(cases):
            r = self.post_ok(d, event("w-%d" % i, amount=50000, at=yesterday_tehran(*hms)))
            self.assertEqual(r["points"], want, (hms, r))
        # An offset instead of Z means the same instant.
        day = datetime.datetime.now(TEHRAN).date() - datetime.timedelta(days=1)
        r = self.post_ok(d, event("w-offset", amount=50000, at="%sT21:00:00+03:30" % day))
        self.assertEqual(r["points"], 10)
        # The cap applies to what the rule earns; the window doubles it.
        r = self.post_ok(d, event("w-cap", amount=10 ** 10, at=yesterday_tehran(21)))
        self.assertEqual(r["points"], 1000)
        self.assertEqual(self.points(), 5 + 10 + 10 + 5 + 5 + 10 + 1000)
        # ...and the tier follows (silver at 500 qualifying points), announced once.
        self.assertEqual(self.sql("SELECT tier FROM subscribers"), "silver")
        self.assertEqual(self.sql("SELECT COUNT(*) FROM notifications "
                                  "WHERE template = 'tier_upgrade'"), "1")
        self.assert_ledger_matches_balances()

    def test_weekly_mission_completes_once_at_the_third_recharge(self):
        self.load(running_campaign(missions=[WEEKLY]))
        d = self.start()
        self.join(d, "09121234567", "j1")
        results = [self.post_ok(d, event("m-%d" % i, amount=10000, at=yesterday_tehran(8 + i)))
                   for i in range(4)]
        self.assertEqual([r["missions"] for r in results],
                         [[], [], ["weekly-recharges"], []])
        # 1 point each; the stage at 2 gives 5; completion gives 20 points and a chance.
        self.assertEqual([r["points"] for r in results], [1, 6, 21, 1])
        self.assertEqual([r["chances"] for r in results], [0, 0, 1, 0])
        self.assertEqual(self.sql("SELECT CONCAT(mission_id, ' ', COUNT(*)) FROM "
                                  "mission_completions GROUP BY mission_id"),
                         "weekly-recharges 1")
        self.assertEqual(self.points(), 29)
        self.assertEqual(self.sql("SELECT chances FROM subscribers"), "1")
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(template ORDER BY id) FROM notifications"),
                         "mission_stage,mission_complete")
        # Bundles do not count toward a recharge mission; other days in the week do.
        self.post_ok(d, event("m-bundle", type="bundle", amount=10000))
        self.assertEqual(self.sql("SELECT COUNT(*) FROM mission_completions"), "1")
        # A replay of the third recharge changes nothing.
        again = self.post_ok(d, event("m-2", amount=10000, at=yesterday_tehran(10)))
        self.assertEqual(again["status"], "duplicate")
        self.assertEqual(again["missions"], ["weekly-recharges"])
        self.assertEqual(self.points(), 29)
        self.assert_ledger_matches_balances()

    def race(self, d, body):
        """Posts body 50 times from 10 threads at once; returns the 50 answers."""
        results, failures = [], []
        lock = threading.Lock()
        go = threading.Barrier(10)

        def worker():
            go.wait(30)
            for _ in range(5):
                try:
                    status, out = self.post(d, body)
                    with lock:
                        results.append((status, out))
                except Exception as e:  # collected, asserted below
                    failures.append(repr(e))
        threads = [threading.Thread(target=worker) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(failures, [])
        self.assertEqual(len(results), 50)
        self.assertEqual({s for s, _ in results}, {200}, results)
        return [json.loads(out) for _, out in results]

    def test_the_same_event_fifty_times_concurrently_applies_once(self):
        self.load(running_campaign())
        d = self.start("database.pool_size=8")
        self.join(d, "09121234567", "j1")
        docs = self.race(d, event("race-1", amount=70000))
        self.assertEqual(sorted(x["status"] for x in docs), ["applied"] + ["duplicate"] * 49)
        self.assertEqual({x["points"] for x in docs}, {7})
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger WHERE ref LIKE 'event:%'"),
                         "1")
        self.assertEqual(self.points(), 7)
        # A non-member's event has no subscriber row to queue on: the key alone decides.
        docs = self.race(d, event("race-2", msisdn="09350000001", amount=70000))
        self.assertEqual(sorted(x["status"] for x in docs), ["applied"] + ["duplicate"] * 49)
        self.assertEqual({x["note"] for x in docs},
                         {"not a member: the event is recorded and earns nothing"})
        self.assertEqual(self.sql("SELECT COUNT(*) FROM events"), "2")
        self.assert_ledger_matches_balances()

    def test_every_running_campaign_earns_unless_one_is_named(self):
        self.load(running_campaign())
        club = running_campaign(id="club-test", short_codes=["3001"],
                                earning=[{"event": "recharge", "per_amount": 1000,
                                          "points": 1}])
        club["missions"] = []
        self.load(club)
        d = self.start()
        self.join(d, "09121234567", "j1")
        both = self.post_ok(d, event("c-1", amount=20000))
        self.assertEqual(both["points"], 2 + 20)
        self.assertEqual(self.sql("SELECT GROUP_CONCAT(ref ORDER BY ref) FROM points_ledger"),
                         "event:club-test:c-1:p,event:nowruz-1405:c-1:p")
        one = self.post_ok(d, event("c-2", amount=20000, campaign="club-test"))
        self.assertEqual(one["points"], 20)
        # A type no running campaign rewards says so.
        bill = self.post_ok(d, event("c-3", type="bill", amount=20000))
        self.assertEqual(bill["points"], 0)
        self.assertIn("no running campaign rewards", bill["note"])
        self.assert_ledger_matches_balances()

    def test_a_thousand_events_in_one_batch(self):
        self.load(running_campaign(missions=[WEEKLY]))
        members = 200
        self.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at) "
                 "SELECT CONCAT('+98912', LPAD(seq, 7, '0')), 'en', UTC_TIMESTAMP(6), "
                 "UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_0_to_%d" % (members - 1))
        d = self.start("http.max_body_bytes=1048576")
        batch = [event("k-%d" % i, msisdn="+98912%07d" % (i % members), amount=10000,
                       at=yesterday_tehran(1 + i // members))
                 for i in range(1000)]
        r = self.post_ok(d, batch)
        self.assertEqual(len(r), 1000)
        self.assertEqual({x["status"] for x in r}, {"applied"})
        # Every member recharged 5 times in the week: one completion each.
        self.assertEqual(self.sql("SELECT COUNT(*) FROM mission_completions"), str(members))
        self.assertEqual(self.sql("SELECT SUM(points) FROM subscribers"),
                         str(1000 + members * (5 + 20)))
        self.assert_ledger_matches_balances()
        # Sent again (a retry after a timeout): all duplicates, nothing changes.
        again = self.post_ok(d, batch)
        self.assertEqual({x["status"] for x in again}, {"duplicate"})
        self.assertEqual(self.sql("SELECT COUNT(*) FROM points_ledger"),
                         str(1000 + members * 2))


if __name__ == "__main__":
    unittest.main(verbosity=2)
