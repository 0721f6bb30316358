"""End to end: subscribers text the gateway through the JSON and Kannel adapters —
replies in the right language and encoding, JOIN/STOP/START/LANG/POINTS/HELP against
MariaDB, idempotency on the provider id (also under concurrent retries) and without
one, authentication, bad input that changes nothing, the rate limit, the loop guard,
and grammar reloads on SIGHUP."""

import json
import os
import shutil
import signal
import threading
import time
import unittest
import urllib.parse

import harness

PERSIAN = range(0x0600, 0x0700)


def persian_letters(text):
    return sum(1 for ch in text if ord(ch) in PERSIAN)


class SmsTest(harness.DaemonTest):
    def send(self, d, text, sender="09121234567", msg_id=None, to="3000", headers=None):
        body = {"from": sender, "to": to, "text": text}
        if msg_id is not None:
            body["id"] = msg_id
        status, hdrs, out = d.request("POST", "/sms/inbound", body=json.dumps(body).encode(),
                                      headers=headers or {})
        return status, (json.loads(out) if out.startswith("{") else out)

    def kannel(self, d, text, sender="+989121234567", msg_id="k-1", ucs2=False, path=None,
               extra=None):
        raw = text.encode("utf-16-be") if ucs2 else text.encode("utf-8")
        params = {"id": msg_id, "from": sender, "to": "3000", "text": raw,
                  "charset": "UTF-16BE" if ucs2 else "UTF-8", "coding": "2" if ucs2 else "0"}
        params.update(extra or {})
        query = urllib.parse.urlencode(params)
        return d.request("GET", (path or "/sms/kannel") + "?" + query)

    def count(self, table, where="1"):
        return int(self.db.sql("SELECT COUNT(*) FROM %s WHERE %s" % (table, where)))

    def test_help_in_english_and_persian(self):
        d = self.start()
        status, r = self.send(d, "HELP", msg_id="1")
        self.assertEqual(status, 200, r)
        self.assertIn("JOIN", r["reply"])
        self.assertEqual(r["encoding"], "gsm7")
        self.assertEqual(r["segments"], 1)
        status, r = self.send(d, "راهنما", sender="09351112222", msg_id="2")
        self.assertEqual(r["encoding"], "ucs2")
        self.assertGreater(persian_letters(r["reply"]), 20)
        self.assertIn("عضویت", r["reply"])

    def test_join_is_idempotent_and_records_consent_and_language(self):
        d = self.start()
        # Arabic-keyboard letters (ي) and ZWNJ-free typing still reach JOIN.
        _, r = self.send(d, "عضويت", msg_id="j1")
        self.assertIn("خوش آمدید", r["reply"])
        _, r = self.send(d, "JOIN", msg_id="j2")
        self.assertIn("عضو باشگاه", r["reply"])  # already a member; language kept: fa
        row = self.db.sql("SELECT msisdn, lang, joined_at IS NOT NULL, opted_out_at IS NULL "
                          "FROM subscribers")
        self.assertEqual(row.split("\t"), ["+989121234567", "fa", "1", "1"])
        # Persian digits for the numeric shortcut, from another number in another form.
        _, r = self.send(d, "۱", sender="+98 935 111 2222", msg_id="j3")
        self.assertEqual(self.count("subscribers", "joined_at IS NOT NULL"), 2)

    def test_stop_start_and_confirmed_once(self):
        d = self.start()
        self.send(d, "join", msg_id="a")
        _, r = self.send(d, "STOP", msg_id="b")
        self.assertIn("no more promotional", r["reply"])
        self.assertEqual(self.count("subscribers", "opted_out_at IS NOT NULL"), 1)
        _, r = self.send(d, "stop please", msg_id="c")
        self.assertEqual(r["reply"], "")
        self.assertEqual(r["outcome"], "no_reply")
        _, r = self.send(d, "11", msg_id="c2")  # the numeric STOP shortcut
        self.assertEqual(r["reply"], "")
        _, r = self.send(d, "START", msg_id="d")
        self.assertIn("on again", r["reply"])
        self.assertEqual(self.count("subscribers", "opted_out_at IS NOT NULL"), 0)
        # STOP from a number that never joined is honoured and remembered.
        _, r = self.send(d, "لغو", sender="09120000001", msg_id="e")
        self.assertIn("متوقف", r["reply"])
        self.assertEqual(self.count("subscribers", "opted_out_at IS NOT NULL AND joined_at IS NULL"), 1)

    def test_lang_points_and_unknown(self):
        d = self.start()
        _, r = self.send(d, "امتیاز", msg_id="p0")
        self.assertIn("عضو نیستید", r["reply"])
        self.send(d, "join", msg_id="p1")
        _, r = self.send(d, "lang en", msg_id="p2")
        self.assertIn("English", r["reply"])
        _, r = self.send(d, "امتیاز", msg_id="p3")  # Persian keyword, English subscriber
        self.assertEqual(r["reply"], "Points: 0. Lottery chances: 0. Tier: -.")
        _, r = self.send(d, "lang klingon", msg_id="p4")
        self.assertIn("LANG FA", r["reply"])
        _, r = self.send(d, "hlep", msg_id="p5")
        self.assertIn("Did you mean HELP?", r["reply"])
        _, r = self.send(d, "winner", msg_id="p6")
        self.assertIn("did not understand", r["reply"])
        self.assertEqual(self.db.sql("SELECT lang FROM subscribers"), "en")

    def test_retry_with_the_same_id_changes_nothing(self):
        d = self.start()
        _, first = self.send(d, "JOIN", msg_id="dup-1")
        _, again = self.send(d, "JOIN", msg_id="dup-1")
        self.assertEqual(again["reply"], first["reply"])
        self.assertTrue(again["duplicate"])
        self.assertFalse(first["duplicate"])
        self.assertEqual(self.count("inbound_messages"), 1)
        # Concurrent retries of one message: one record, one answer for all.
        results = []
        def post():
            results.append(self.send(d, "STOP", msg_id="dup-2"))
        threads = [threading.Thread(target=post) for _ in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(results), 10)
        self.assertTrue(all(s == 200 for s, _ in results), results)
        self.assertEqual(len({r["reply"] for _, r in results}), 1)
        self.assertEqual(sum(1 for _, r in results if not r["duplicate"]), 1)
        self.assertEqual(self.count("inbound_messages", "provider_id = 'dup-2'"), 1)
        _, _, text = d.get("/metrics")
        self.assertIn('gamigate_sms_inbound_total{adapter="json",outcome="duplicate"} 10', text)
        self.assertIn('gamigate_sms_inbound_total{adapter="json",outcome="replied"} 2', text)

    def test_without_an_id_the_same_text_soon_after_is_a_retry(self):
        d = self.start()
        _, first = self.send(d, "join")
        _, again = self.send(d, "join")
        self.assertTrue(again["duplicate"])
        self.assertEqual(again["reply"], first["reply"])
        _, other = self.send(d, "points")
        self.assertFalse(other["duplicate"])
        self.assertEqual(self.count("inbound_messages"), 2)

    def test_authentication(self):
        secret = "json-secret-0123456789"
        d = self.start("inbound.json_secret=" + secret)
        status, r = self.send(d, "HELP", msg_id="x")
        self.assertEqual(status, 401)
        status, r = self.send(d, "HELP", msg_id="x", headers={"X-Gamigate-Secret": "nope-nope-nope-nope"})
        self.assertEqual(status, 401)
        self.assertEqual(self.count("inbound_messages"), 0)
        status, r = self.send(d, "HELP", msg_id="x", headers={"X-Gamigate-Secret": secret})
        self.assertEqual(status, 200)
        self.assertIn("secret missing or wrong", d.log())

    def test_address_allow_list(self):
        d = self.start("inbound.json_allow_ips=10.9.9.9, 192.168.0.0/16",
                       "inbound.kannel_allow_ips=127.0.0.0/8")
        status, _ = self.send(d, "HELP", msg_id="x")
        self.assertEqual(status, 403)
        status, _, _ = self.kannel(d, "HELP")
        self.assertEqual(status, 200)
        self.assertEqual(self.count("inbound_messages"), 1)

    def test_kannel_get_ucs2_and_gsm(self):
        secret = "kannel-secret-0123456789"
        d = self.start("inbound.kannel_secret=" + secret)
        status, headers, body = self.kannel(d, "راهنما", ucs2=True, extra={"secret": secret})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["X-Kannel-Coding"], "2")
        self.assertEqual(headers["Content-Type"], "text/plain; charset=utf-8")
        self.assertGreater(persian_letters(body), 20)
        # The secret as the last path segment; an English reply is GSM-7 (coding 0).
        status, headers, body = self.kannel(d, "help", msg_id="k-2", sender="+989351112222",
                                            path="/sms/kannel/" + secret)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers["X-Kannel-Coding"], "0")
        self.assertIn("JOIN", body)
        status, _, _ = self.kannel(d, "help", msg_id="k-3")
        self.assertEqual(status, 401)
        # The secret never reaches the log, wherever it travelled.
        log = d.log()
        self.assertNotIn(secret, log)
        self.assertNotIn("0123456789", log)
        self.assertIn("secret=***", log)
        self.assertIn("/sms/kannel/***", log)
        # The raw bytes and their charset are kept for the record.
        raw = self.db.sql("SELECT HEX(raw_text), raw_charset, text FROM inbound_messages "
                          "WHERE provider_id = 'k-1'").split("\t")
        self.assertEqual(raw[0], "راهنما".encode("utf-16-be").hex().upper())
        self.assertEqual(raw[1], "UTF-16BE")
        self.assertEqual(raw[2], "راهنما")

    def test_kannel_post_url(self):
        d = self.start()
        body = "عضويت".encode("utf-16-be")
        status, headers, out = d.request(
            "POST", "/sms/kannel?id=post-1", body=body,
            headers={"X-Kannel-From": "+989121234567", "X-Kannel-To": "3000",
                     "X-Kannel-Coding": "2",
                     "Content-Type": "text/plain; charset=UTF-16BE"})
        self.assertEqual(status, 200, out)
        self.assertIn("خوش آمدید", out)
        # An empty body means "send nothing": a second STOP.
        for i, text in enumerate(("stop", "stop")):
            status, headers, out = d.request(
                "POST", "/sms/kannel?id=post-s%d" % i, body=text.encode(),
                headers={"X-Kannel-From": "+989121234567", "X-Kannel-To": "3000"})
        self.assertEqual(status, 200)
        self.assertEqual(out, "")

    def test_bad_input_changes_nothing(self):
        d = self.start()
        cases = [
            (b"not json", 400), (b"[1,2]", 400), (b"{}", 400),
            (json.dumps({"from": "09121234567", "to": "3000"}).encode(), 400),
            (json.dumps({"from": "0912abc4567", "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"from": "+-+", "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"from": "0912", "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"from": "09121234567", "text": "hi"}).encode(), 400),
            (json.dumps({"from": "09121234567", "to": "3 0 0 0", "text": "hi"}).encode(), 400),
            (json.dumps({"from": 9121234567, "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"id": {"x": 1}, "from": "09121234567", "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"id": "x" * 81, "from": "09121234567", "to": "3000", "text": "hi"}).encode(), 400),
            (json.dumps({"from": "09121234567", "to": "3000", "text": "x" * 5000}).encode(), 413),
            (b'{"from":"09121234567","to":"3000","text":"\xff\xfe"}', 400),
        ]
        for body, want in cases:
            status, _, out = d.request("POST", "/sms/inbound", body=body)
            self.assertEqual(status, want, (body[:60], out))
            self.assertIn("error", json.loads(out))
        kannel_cases = [
            "from=%2B989121234567&to=3000",                       # no text
            "from=%2B989121234567&to=3000&text=%FF&charset=UTF-8",  # not UTF-8
            "from=%2B989121234567&to=3000&text=%06&charset=UTF-16BE",  # odd length
            "from=%2B989121234567&to=3000&text=hi&charset=EBCDIC",
            "from=%2B989121234567&to=3000&text=%ZZ",
            "from=abc%00def&to=3000&text=hi",
        ]
        for q in kannel_cases:
            status, _, out = d.request("GET", "/sms/kannel?" + q)
            self.assertEqual(status, 400, (q, out))
        self.assertEqual(self.count("inbound_messages"), 0)
        self.assertEqual(self.count("subscribers"), 0)
        self.assertIsNone(d.proc.poll())

    def test_loop_guard_never_answers_short_codes_or_named_senders(self):
        d = self.start()
        for sender in ("3000", "MCI", "Irancell"):
            status, r = self.send(d, "HELP", sender=sender, msg_id="lg-" + sender)
            self.assertEqual(status, 200)
            self.assertEqual(r["reply"], "")
        self.assertEqual(self.count("inbound_messages"), 0)

    def test_rate_limit_one_polite_reply_then_silence(self):
        d = self.start("sms.rate_per_minute=3")
        replies = [self.send(d, "help", msg_id="r%d" % i)[1] for i in range(6)]
        self.assertTrue(all(r["reply"] for r in replies[:3]))
        self.assertEqual(replies[3]["outcome"], "rate_limited")
        self.assertIn("wait a minute", replies[3]["reply"])
        self.assertEqual([r["reply"] for r in replies[4:]], ["", ""])
        self.assertEqual([r["outcome"] for r in replies[4:]], ["silenced", "silenced"])
        # Another number is not affected.
        _, r = self.send(d, "help", sender="09350000000", msg_id="other")
        self.assertTrue(r["reply"])

    def test_sighup_reloads_the_grammar_and_keeps_it_on_errors(self):
        grammar = os.path.join(self.folder, "grammar.json")
        shutil.copy(os.path.join(harness.ROOT, "conf", "grammar.json"), grammar)
        d = self.start("sms.grammar_file=" + grammar)
        _, r = self.send(d, "aide", msg_id="g1")
        self.assertNotIn("JOIN join", r["reply"])
        with open(grammar) as f:
            doc = json.load(f)
        for cmd in doc["commands"]:
            if cmd["name"] == "help":
                cmd["keywords"]["en"].append("aide")
        with open(grammar, "w") as f:
            json.dump(doc, f, ensure_ascii=False)
        d.proc.send_signal(signal.SIGHUP)
        harness.wait_for(lambda: "rules reloaded" in d.log(), 10, "reload")
        _, r = self.send(d, "aide", msg_id="g2", sender="09350000001")
        self.assertIn("JOIN join", r["reply"])
        with open(grammar, "w") as f:
            f.write('{"commands": [ {"name": "help", ')
        d.proc.send_signal(signal.SIGHUP)
        harness.wait_for(lambda: "reload failed" in d.log(), 10, "failed reload")
        self.assertIn(grammar, d.log())
        _, r = self.send(d, "aide", msg_id="g3", sender="09350000002")
        self.assertIn("JOIN join", r["reply"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
