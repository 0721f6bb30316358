"""End to end: reminders through the CLI, the admin API, the real daemon and a local fake
provider — a bad reminder file is refused with every mistake; add, list, pause,
resume, run-now, status (with figures) from the CLI; the same from /api/v1/reminders;
and the crash test: kill -9 gamigate in the middle of a 20,000-member run, start it
again, and every member gets exactly one message at the provider."""

import json
import os
import signal
import time
import unittest

import fakeprovider
import harness

AUTH = {"Authorization": "Bearer " + harness.TOKEN, "Content-Type": "application/json"}
REMINDER = {
    "id": "spin-nudge",
    "schedule": {"daily": "18:30"},
    "segment": {"type": "not_spun_today"},
    "text": {"fa": "گردونه امروز را بچرخانید! امتیاز شما: {points}",
             "en": "Spin the wheel today! Your points: {points}"},
}


class RemindersTest(harness.DaemonTest):
    def setUp(self):
        super().setUp()
        self.providers = []

    def tearDown(self):
        for p in self.providers:
            p.close()
        super().tearDown()

    def cli(self, *args):
        return harness.run_cli("-c", "/dev/null", "--set", "database.socket=" + self.db.socket,
                               "--set", "database.name=" + self.db.name, "--set",
                               "database.password=gamigate", *args)

    def write(self, doc, name="r.json"):
        path = os.path.join(self.folder, name)
        with open(path, "w") as f:
            if isinstance(doc, str):
                f.write(doc)
            else:
                json.dump(doc, f, ensure_ascii=False)
        return path

    def members(self, n):
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, points, created_at,"
                    " updated_at) SELECT CONCAT('+98912', LPAD(seq, 7, '0')),"
                    " IF(seq %% 2 = 0, 'en', 'fa'), UTC_TIMESTAMP(6), seq, UTC_TIMESTAMP(6),"
                    " UTC_TIMESTAMP(6) FROM seq_1_to_%d" % n)

    def sender(self, provider, *sets):
        return self.start("outbox.provider=http", "outbox.http_url=" + provider.url(),
                          "outbox.poll_ms=20", "outbox.scheduler_interval_ms=100",
                          "outbox.quiet_start=00:00", "outbox.quiet_end=00:00",
                          "game.expiry_interval_s=0", *sets)

    def test_cli_help_and_bad_files(self):
        code, out, _ = harness.run_cli("reminder", "--help")
        self.assertEqual(code, 0)
        self.assertIn("run-now ID", out)
        for cmd in ("add", "list", "pause", "run-now", "status"):
            code, out, _ = harness.run_cli("reminder", cmd, "--help")
            self.assertEqual(code, 0, cmd)
            self.assertIn("usage: gamigate", out)
        bad = dict(REMINDER, schedule={"cron": "0 0 30 2 *"}, segment={"type": "vip"},
                   text={"en": "hi"})
        code, out, err = self.cli("reminder", "add", self.write(bad))
        self.assertEqual(code, 2)
        self.assertIn("schedule.cron: never fires", err)
        self.assertIn("segment.type: unknown segment", err)
        self.assertIn("text.fa: missing", err)
        self.assertIn("nothing was stored", err)
        code, out, err = self.cli("reminder", "add", self.write("{not json"))
        self.assertEqual(code, 2)
        self.assertIn("not a JSON object", err)
        code, out, err = self.cli("reminder", "add", "/nonexistent.json")
        self.assertEqual(code, 2)
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM reminders"), "0")
        code, _, err = self.cli("reminder", "pause", "nope")
        self.assertEqual(code, 2)
        self.assertIn("reminder list", err)
        code, _, err = self.cli("reminder", "frobnicate")
        self.assertEqual(code, 2)

    def test_cli_run_now_sends_and_status(self):
        p = fakeprovider.FakeProvider()
        self.providers.append(p)
        self.members(30)
        # Member 3 spun today (so is not in the segment); member 4 sent STOP.
        self.db.sql("INSERT INTO spins (subscriber_id, campaign_id, campaign_version, day_key,"
                    " seq, random_value, total_weight, drawn_prize, awarded_prize, created_at)"
                    " VALUES (3, 'c', 1, DATE_FORMAT(UTC_TIMESTAMP() + INTERVAL 210 MINUTE,"
                    " '%Y-%m-%d'), 1, 0, 1, 'p', 'p', UTC_TIMESTAMP(6))")
        self.db.sql("UPDATE subscribers SET opted_out_at = UTC_TIMESTAMP(6) WHERE id = 4")
        code, out, err = self.cli("reminder", "add", self.write(REMINDER))
        self.assertEqual(code, 0, err)
        self.assertIn("reminder spin-nudge stored, active; next firing 20", out)
        code, out, _ = self.cli("reminder", "list")
        self.assertIn("spin-nudge", out)
        self.assertIn("active", out)
        code, out, _ = self.cli("reminder", "pause", "spin-nudge")
        self.assertEqual((code, out.strip()), (0, "reminder spin-nudge: paused"))
        code, out, _ = self.cli("reminder", "resume", "spin-nudge")
        self.assertEqual(code, 0)
        self.sender(p)
        code, out, _ = self.cli("reminder", "run-now", "spin-nudge")
        self.assertEqual(code, 0)
        self.assertIn("status spin-nudge --watch", out)
        harness.wait_for(lambda: len(p.seen) == 28, 30, "28 messages at the provider")
        texts = {r.form["to"]: r.form["text"] for r in p.requests}
        self.assertEqual(texts["+989120000002"], "Spin the wheel today! Your points: 2")
        self.assertEqual(texts["+989120000001"], "گردونه امروز را بچرخانید! امتیاز شما: 1")
        self.assertNotIn("+989120000003", texts)
        self.assertNotIn("+989120000004", texts)
        harness.wait_for(lambda: "sent 28" in self.cli("reminder", "status", "spin-nudge")[1],
                         20, "status to show 28 sent")
        code, out, _ = self.cli("reminder", "status", "spin-nudge", "--watch")
        self.assertEqual(code, 0)
        self.assertIn("members 28 (refused 0)", out)
        self.assertIn("done", out)

    def test_reminders_in_a_campaign_file(self):
        with open(os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")) as f:
            doc = json.load(f)
        doc["reminders"] = [dict(REMINDER, id="nowruz-spin"),
                            dict(REMINDER, id="bad", segment={"type": "inactive"})]
        path = self.write(doc, "c.json")
        code, out, err = self.cli("campaign", "validate", path)
        self.assertEqual(code, 2)
        self.assertIn("c.json: $.reminders[1]: segment.days: expected", err)
        del doc["reminders"][1]
        path = self.write(doc, "c.json")
        code, out, err = self.cli("campaign", "load", path)
        self.assertEqual(code, 0, err)
        code, out, _ = self.cli("reminder", "list")
        self.assertIn("nowruz-spin", out)
        self.assertIn(doc["id"], out)  # the campaign, filled in
        self.assertEqual(self.db.sql("SELECT campaign_id FROM reminders"), doc["id"])

    def test_admin_api(self):
        d = self.start("game.expiry_interval_s=0")
        status, _, body = d.request("POST", "/api/v1/reminders", body=json.dumps(REMINDER))
        self.assertEqual(status, 401)
        bad = dict(REMINDER, segment={"type": "points_expiring"})
        status, _, body = d.request("POST", "/api/v1/reminders", body=json.dumps(bad),
                                    headers=AUTH)
        self.assertEqual(status, 400)
        self.assertIn("body: segment.days: expected", json.loads(body)["problems"][0])
        status, _, body = d.request("POST", "/api/v1/reminders", body=json.dumps(REMINDER),
                                    headers=AUTH)
        self.assertEqual((status, json.loads(body)), (201, {"id": "spin-nudge",
                                                            "result": "stored"}))
        status, _, body = d.request("POST", "/api/v1/reminders/spin-nudge/pause", headers=AUTH)
        self.assertEqual((status, json.loads(body)["result"]), (200, "paused"))
        status, _, body = d.admin("/api/v1/reminders")
        doc = json.loads(body)
        self.assertEqual(doc["reminders"][0]["status"], "paused")
        self.assertEqual(doc["reminders"][0]["definition"]["segment"]["type"], "not_spun_today")
        status, _, body = d.request("POST", "/api/v1/reminders/spin-nudge/resume", headers=AUTH)
        self.assertEqual(status, 200)
        status, _, body = d.request("POST", "/api/v1/reminders/spin-nudge/run-now",
                                    headers=AUTH)
        self.assertEqual((status, json.loads(body)["result"]), (200, "started"))
        harness.wait_for(lambda: json.loads(d.admin("/api/v1/reminders")[2])["runs"], 10,
                         "the run to show")
        status, _, _ = d.request("POST", "/api/v1/reminders/nope/pause", headers=AUTH)
        self.assertEqual(status, 404)
        status, _, _ = d.request("POST", "/api/v1/reminders/spin-nudge/explode", headers=AUTH)
        self.assertEqual(status, 404)

    def test_kill_9_in_a_20000_member_run(self):
        n = 20000
        p = fakeprovider.FakeProvider()
        self.providers.append(p)
        self.members(n)
        code, _, err = self.cli("reminder", "add", self.write(dict(REMINDER,
                                                                  segment={"type": "all"},
                                                                  kind="transactional")))
        self.assertEqual(code, 0, err)
        sets = ("outbox.lease_s=5", "outbox.rate_per_s=20000", "outbox.in_flight=32",
                "outbox.batch=500", "database.pool_size=4")
        a = self.sender(p, *sets)
        self.cli("reminder", "run-now", "spin-nudge")
        harness.wait_for(lambda: len(p.seen) >= 2000, 120, "the first 2,000 messages")
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        before = len(p.seen)
        self.sender(p, *sets)
        harness.wait_for(lambda: len(p.seen) == n, 240,
                         "every member's message (%d of %d so far)" % (len(p.seen), n))
        # Every member exactly once: one reference per member, all of one run.
        members = {int(ref.split(":")[2]) for ref in p.seen}
        self.assertEqual(members, set(range(1, n + 1)))
        self.assertEqual({ref.split(":")[1] for ref in p.seen}, {"1"})
        self.assertEqual(self.db.sql("SELECT COUNT(*) FROM outbox"), str(n))
        harness.wait_for(lambda: self.db.sql("SELECT COUNT(*) FROM outbox WHERE state = 'sent'")
                         == str(n), 30, "every row sent")
        self.assertEqual(self.db.sql("SELECT CONCAT(status, ' ', members) FROM reminder_runs"),
                         "done %d" % n)
        # Repeats reached the provider only for rows in flight at the kill (at least once).
        repeats = sum(c - 1 for c in p.seen.values())
        print("\ncrash test: %d sent before the kill, %d repeats at the provider (de-duplicated "
              "by client reference)" % (before, repeats))


if __name__ == "__main__":
    unittest.main()
