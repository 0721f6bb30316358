"""End to end: outbound SMS through the real daemon, MariaDB and a local fake provider
(tests/e2e/fakeprovider.py) — a game notification rendered and sent; 5xx then success;
429 with Retry-After honoured; a 4xx is final; a dropped connection is retried; a
provider that is down opens the circuit breaker and everything goes once it is back;
delivery reports over /dlr/<adapter> (secret, duplicates, out of order, blocked); the
Kannel and Twilio adapters; and kill -9 in the middle of sending: another process sends
what was left, and every message reaches the provider."""

import json
import os
import signal
import time
import unittest
import urllib.parse

import fakeprovider
import harness

DLR_SECRET = "dlr-secret-0123456789abc"


class OutboxTest(harness.DaemonTest):
    def setUp(self):
        super().setUp()
        self.providers = []

    def tearDown(self):
        for p in self.providers:
            p.close()
        super().tearDown()

    def provider(self, kind="http", port=0):
        p = fakeprovider.FakeProvider(port=port, kind=kind)
        self.providers.append(p)
        return p

    def sender(self, provider, *sets, kind="http"):
        base = ["outbox.provider=" + kind, "outbox.dlr_secret=" + DLR_SECRET,
                "outbox.public_url=http://gamigate.test", "outbox.poll_ms=50",
                "outbox.retry_base_ms=100", "outbox.quiet_start=00:00",
                "outbox.quiet_end=00:00", "game.expiry_interval_s=0"]
        if kind == "http":
            base.append("outbox.http_url=" + provider.url())
        elif kind == "kannel":
            base += ["outbox.kannel_url=" + provider.url("/cgi-bin/sendsms"),
                     "outbox.kannel_password=kannel-pass-0123456789"]
        else:
            base += ["outbox.twilio_url=" + provider.url(""), "outbox.twilio_sid=AC1",
                     "outbox.twilio_token=twilio-token-0123456789",
                     "outbox.twilio_from=+15550001"]
        return self.start(*(base + list(sets)))

    def members(self, n, lang="en"):
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, created_at, updated_at)"
                    " SELECT CONCAT('+98912', LPAD(seq, 7, '0')), '%s', UTC_TIMESTAMP(6),"
                    " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_%d" % (lang, n))

    def queue(self, n, kind="transactional", prefix="m"):
        """n messages, one per member 1..n, client refs <prefix>:<k>."""
        self.db.sql("INSERT INTO outbox (client_ref, kind, subscriber_id, msisdn, text, state,"
                    " not_before, expires_at, created_at)"
                    " SELECT CONCAT('%s:', seq), '%s', seq, CONCAT('+98912', LPAD(seq, 7, '0')),"
                    " CONCAT('Hello ', seq), 'queued', UTC_TIMESTAMP(6),"
                    " UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, UTC_TIMESTAMP(6) FROM seq_1_to_%d"
                    % (prefix, kind, n))

    def states(self):
        out = self.db.sql("SELECT state, COUNT(*) FROM outbox GROUP BY state")
        return {line.split("\t")[0]: int(line.split("\t")[1]) for line in out.splitlines()}

    def wait_states(self, want, timeout=30):
        harness.wait_for(lambda: self.states() == want, timeout,
                         "outbox states %s (now %s)" % (want, self.states()))

    def row(self, ref, cols):
        return self.db.sql("SELECT %s FROM outbox WHERE client_ref = '%s'" % (cols, ref))

    def dlr(self, d, callback, **fields):
        """Sends a delivery report to d as the provider would call callback (its host is
        a placeholder: the path and query are what matter)."""
        parts = urllib.parse.urlsplit(callback)
        path = parts.path + "?" + parts.query
        if fields:
            body = urllib.parse.urlencode(fields)
            return d.request("POST", path, body=body,
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
        return d.get(path)

    def test_notification_sent_and_delivery_reports(self):
        p = self.provider()
        self.members(1)
        self.db.sql("INSERT INTO notifications (subscriber_id, campaign_id, kind, template, vars,"
                    " ref, created_at) VALUES (1, 'club', 'transactional', 'tier_upgrade',"
                    " '{\"tier\":\"gold\"}', 'tier:1:gold', UTC_TIMESTAMP(6))")
        d = self.sender(p)
        self.wait_states({"sent": 1})
        self.assertEqual(p.count(), 1)
        req = p.requests[0]
        self.assertEqual(req.form["to"], "+989120000001")
        self.assertEqual(req.form["text"], "Congratulations! You are now in the gold tier of "
                                           "the club. Text POINTS for your points.")
        self.assertEqual(req.form["client_ref"], "n:1")
        self.assertEqual(self.db.sql("SELECT status FROM notifications"), "queued")
        self.assertEqual(self.row("n:1", "CONCAT(provider, ' ', provider_id, ' ', attempts)"),
                         "http p-1 1")
        cb = req.form["callback_url"]
        self.assertTrue(cb.startswith("http://gamigate.test/dlr/http?secret="), cb)
        # Wrong or missing secret: refused, nothing changes.
        bad = cb.replace(DLR_SECRET, "wrong-secret-0123456789")
        status, _, _ = self.dlr(d, bad + "&status=delivered")
        self.assertEqual(status, 403)
        self.assertEqual(self.states(), {"sent": 1})
        # Delivered; the duplicate and a late "queued" change nothing.
        status, _, body = self.dlr(d, cb, status="delivered")
        self.assertEqual((status, json.loads(body)["result"]), (200, "applied"))
        status, _, body = self.dlr(d, cb, status="delivered")
        self.assertEqual((status, json.loads(body)["result"]), (200, "duplicate"))
        status, _, body = self.dlr(d, cb, status="queued")
        self.assertEqual(json.loads(body)["result"], "duplicate")
        status, _, body = self.dlr(d, cb, status="failed")
        self.assertEqual(json.loads(body)["result"], "duplicate")
        self.assertEqual(self.states(), {"delivered": 1})
        # Malformed and unknown reports.
        status, _, body = self.dlr(d, cb)
        self.assertEqual(status, 400, body)
        status, _, body = self.dlr(d, cb.replace("ref=n%3A1", "ref=nobody"), status="delivered")
        self.assertEqual(json.loads(body)["result"], "unknown")
        status, _, _ = d.get("/dlr/smpp?secret=" + DLR_SECRET + "&ref=n%3A1")
        self.assertEqual(status, 404)
        # The figures.
        self.assertEqual(d.metric('gamigate_outbox_sends_total{provider="http",result="sent"}'),
                         1)
        self.assertEqual(d.metric('gamigate_outbox_notifications_total{result="queued"}'), 1)

    def test_replies_through_the_outbox_for_providers_that_cannot_answer(self):
        # inbound.json_reply = outbox: the reply to a JSON message is also queued as a
        # "reply" row and sent through the provider, once per message (a retried
        # webhook sends nothing twice), whatever the quiet hours.
        p = self.provider()
        d = self.sender(p, "inbound.json_reply=outbox", "outbox.quiet_start=00:00",
                        "outbox.quiet_end=23:59")
        body = json.dumps({"id": "q1", "from": "09121234567", "to": "3000", "text": "help"})
        for _ in range(2):
            status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
            self.assertEqual(status, 200, out)
        reply = json.loads(out)["reply"]
        self.assertTrue(reply)
        self.wait_states({"sent": 1})
        self.assertEqual(p.count(), 1)
        self.assertEqual(p.requests[0].form["to"], "+989121234567")
        self.assertEqual(p.requests[0].form["text"], reply)
        self.assertEqual(self.row(p.requests[0].form["client_ref"], "kind"), "reply")
        # Without the setting (the default) replies stay in the HTTP answer only.
        d.stop()
        d = self.sender(p)
        body = json.dumps({"id": "q2", "from": "09121234567", "to": "3000", "text": "help"})
        status, _, out = d.request("POST", "/sms/inbound", body=body.encode())
        self.assertEqual(status, 200, out)
        time.sleep(0.5)
        self.assertEqual(self.states(), {"sent": 1})

    def test_5xx_then_success_and_dropped_connection(self):
        p = self.provider()
        # curl itself resends once when a reused keep-alive connection turns out dead,
        # so the connection is dropped twice: the second drop is on a fresh one.
        p.script = [("status", 503, "busy", {}), ("drop",), ("drop",), ("ok",)]
        self.members(1)
        self.queue(1)
        d = self.sender(p)
        self.wait_states({"sent": 1})
        self.assertEqual(p.count(), 4)
        self.assertEqual(self.row("m:1", "attempts"), "3")
        self.assertEqual(d.metric('gamigate_outbox_sends_total{provider="http",result="retry"}'),
                         2)

    def test_429_retry_after_is_honoured(self):
        p = self.provider()
        p.script = [("status", 429, "slow down", {"Retry-After": "2"})]
        self.members(1)
        self.queue(1)
        self.sender(p)
        self.wait_states({"sent": 1})
        self.assertEqual(p.count(), 2)
        gap = p.requests[1].at - p.requests[0].at
        # Backoff alone would retry after ~0.1 s; the provider asked for 2 s.
        self.assertGreaterEqual(gap, 1.9)

    def test_4xx_is_final(self):
        p = self.provider()
        p.script = [("status", 400, "invalid number", {})]
        self.members(2)
        self.queue(2)
        self.sender(p, "outbox.in_flight=1")
        self.wait_states({"failed": 1, "sent": 1})
        time.sleep(0.5)
        self.assertEqual(p.count(), 2)  # never retried
        failed = self.db.sql("SELECT CONCAT(attempts, ' ', last_error) FROM outbox WHERE"
                             " state = 'failed'")
        self.assertEqual(failed, "1 HTTP 400 invalid number")

    def test_provider_down_opens_breaker_then_all_go(self):
        # A port with nothing listening: connections are refused.
        p = self.provider()
        port = p.port
        p.close()
        self.providers.remove(p)
        self.members(20)
        self.queue(20)
        d = self.sender(p, "outbox.in_flight=1", "outbox.breaker_failures=3",
                        "outbox.breaker_open_s=2", "outbox.max_attempts=100")
        harness.wait_for(lambda: d.metric('gamigate_outbox_breaker_open{provider="http"}') == 1,
                         20, "the breaker to open")
        time.sleep(1)
        # While open, nothing is attempted: only the 3 failures that opened it so far
        # (plus at most one probe).
        attempts = int(self.db.sql("SELECT SUM(attempts) FROM outbox"))
        self.assertLessEqual(attempts, 4)
        self.assertEqual(self.states(), {"queued": 20})
        # The provider comes back on the same port: the probe succeeds, all 20 go.
        back = self.provider(port=port)
        self.wait_states({"sent": 20}, timeout=60)
        self.assertEqual(len(back.seen), 20)
        self.assertEqual(d.metric('gamigate_outbox_breaker_open{provider="http"}'), 0)

    def test_kannel_adapter_and_dlr(self):
        p = self.provider(kind="kannel")
        self.members(1, lang="fa")
        self.db.sql("INSERT INTO notifications (subscriber_id, campaign_id, kind, template, vars,"
                    " ref, created_at) VALUES (1, 'club', 'transactional', 'tier_upgrade',"
                    " '{\"tier\":\"gold\"}', 'tier:1:gold', UTC_TIMESTAMP(6))")
        d = self.sender(p, kind="kannel")
        self.wait_states({"sent": 1})
        req = p.requests[0]
        self.assertEqual(req.method, "GET")
        self.assertEqual(req.path, "/cgi-bin/sendsms")
        q = req.query
        self.assertEqual((q["username"], q["password"], q["from"], q["to"], q["coding"],
                          q["charset"], q["dlr-mask"]),
                         ("gamigate", "kannel-pass-0123456789", "3000", "+989120000001", "2",
                          "UTF-8", "31"))
        self.assertIn("gold", q["text"])
        self.assertTrue(q["text"].startswith("تبریک"), q["text"])
        # Kannel fills %d (type) and %A (SMSC answer) and calls the URL: 8 = submitted,
        # then 1 = delivered.
        url = q["dlr-url"]
        sub = url.replace("%d", "8").replace("%A", "ACK%2F")
        status, _, body = self.dlr(d, sub)
        self.assertEqual((status, json.loads(body)["result"]), (200, "applied"))
        self.assertEqual(self.states(), {"sent": 1})
        status, _, body = self.dlr(d, url.replace("%d", "1").replace("%A", "id%3A1"))
        self.assertEqual(json.loads(body)["state"], "delivered")
        self.assertEqual(self.states(), {"delivered": 1})
        # A rejection report after delivery changes nothing; a blocked one on another
        # message opts the member out of promotional messages.
        self.queue(1, prefix="k")
        self.wait_states({"delivered": 1, "sent": 1})
        url2 = p.requests[1].query["dlr-url"]
        self.dlr(d, url2.replace("%d", "16").replace("%A", "id%3A2%20stat%3AREJECTD%20err%3A045"))
        self.assertEqual(self.states(), {"delivered": 1, "failed": 1})
        self.assertEqual(self.db.sql("SELECT promo_blocked_at IS NOT NULL FROM subscribers"), "1")

    def test_twilio_adapter_and_status_callback(self):
        p = self.provider(kind="twilio")
        self.members(1)
        self.queue(1)
        d = self.sender(p, kind="twilio")
        self.wait_states({"sent": 1})
        req = p.requests[0]
        self.assertEqual(req.path, "/2010-04-01/Accounts/AC1/Messages.json")
        self.assertEqual((req.form["To"], req.form["From"], req.form["Body"]),
                         ("+989120000001", "+15550001", "Hello 1"))
        self.assertTrue(req.headers["Authorization"].startswith("Basic "))
        self.assertEqual(self.row("m:1", "provider_id"), "SM1")
        status, _, body = self.dlr(d, req.form["StatusCallback"], MessageSid="SM1",
                                   MessageStatus="undelivered", ErrorCode="30007")
        self.assertEqual(json.loads(body)["state"], "failed")
        self.assertEqual(self.db.sql("SELECT promo_blocked_at IS NOT NULL FROM subscribers"), "1")

    def test_claims_follow_sending_not_the_poll_timer(self):
        # Claims of 20 rows with a poll timer of 10 s: the next claim must start as the
        # claimed rows run out, not at the next poll (600 rows would take 5 minutes);
        # and the first must not wait behind the feed job queued on the same tick (it
        # did: nothing was ever claimed while the feed came first on every tick).
        n = 600
        p = self.provider()
        self.members(n)
        self.queue(n)
        t0 = time.monotonic()
        self.sender(p, "outbox.poll_ms=10000", "outbox.batch=20", "outbox.rate_per_s=100000",
                    "outbox.in_flight=8")
        self.wait_states({"sent": n}, timeout=60)
        took = time.monotonic() - t0
        self.assertEqual(len(p.seen), n)
        self.assertLess(took, 30, "600 messages in 30 claims took %.1f s" % took)

    def test_kill_9_while_sending_loses_nothing(self):
        n = 200
        slow = self.provider()
        slow.default = ("slow", 30)  # takes the requests and never answers in time
        self.members(n)
        self.queue(n)
        a = self.sender(slow, "outbox.lease_s=5", "outbox.request_timeout_s=60",
                        "outbox.in_flight=16")
        harness.wait_for(lambda: slow.count() >= 16, 20, "requests in flight")
        a.proc.send_signal(signal.SIGKILL)
        a.proc.wait()
        # In flight (16) and claimed waiting for a slot: all leased to the dead process.
        leased = self.states().get("sending", 0)
        self.assertGreaterEqual(leased, 16)
        # Another process (a fast provider this time) sends everything, the 16 rows the
        # dead one held included once their lease ran out.
        fast = self.provider()
        self.sender(fast, "outbox.lease_s=5", "outbox.rate_per_s=1000")
        self.wait_states({"sent": n}, timeout=60)
        self.assertEqual(len(fast.seen), n)  # every member's message reached a provider
        refs = set(fast.seen)
        self.assertEqual(refs, {"m:%d" % k for k in range(1, n + 1)})
        held = int(self.db.sql("SELECT COUNT(*) FROM outbox WHERE attempts = 2"))
        self.assertEqual(held, leased)


if __name__ == "__main__":
    unittest.main()
