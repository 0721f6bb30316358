"""End to end, outbound through a real Kannel: a reminder run by gamigate goes out over
Kannel's sendsms interface (outbox.provider = kannel) to bearerbox, reaches the fake SMS
centre (tests/e2e/fakesmsc.py) as an MT in UCS-2 for Persian and 7-bit for English, and
Kannel's delivery report comes back to /dlr/kannel and marks the row delivered.

Kannel must be installed (`apt-get install kannel`; tools/test installs it): without
bearerbox the test fails, it is never skipped."""

import json
import os
import unittest

import fakesmsc
import harness
from kannel import gateway

SENDSMS_PASSWORD = "kannel-sendsms-password-0123"  # as in tests/e2e/kannel/kannel.conf.in
DLR_SECRET = "dlr-secret-kannel-0123456789"


class KannelOutboundTest(harness.DaemonTest):
    def setUp(self):
        gateway.require_binaries()
        super().setUp()
        self.kannel = None
        self.smsc = None
        try:
            # No MOs in this test: the get-url only has to be well formed.
            self.kannel = gateway.Gateway(self.folder, "http://127.0.0.1:9/unused?x=%b")
            self.smsc = fakesmsc.FakeSMSC(self.kannel.fake_port)
            # A roomy guard: under a loaded machine (and ASan) bearerbox once took more
            # than the default 30 s to open the fake SMSC's port.
            self.kannel.start(self.smsc, timeout=90)
            # gamigate's own port goes into the DLR URL it gives Kannel, so it is chosen
            # here and handed to the harness.
            port = harness.free_port()
            chosen = harness.free_port
            harness.free_port = lambda: port
            try:
                self.daemon = self.start(
                    "outbox.provider=kannel",
                    "outbox.kannel_url=http://127.0.0.1:%d/cgi-bin/sendsms" %
                    self.kannel.sendsms_port,
                    "outbox.kannel_password=" + SENDSMS_PASSWORD,
                    "outbox.public_url=http://127.0.0.1:%d" % port,
                    "outbox.dlr_secret=" + DLR_SECRET, "outbox.poll_ms=50",
                    "outbox.scheduler_interval_ms=100", "outbox.quiet_start=00:00",
                    "outbox.quiet_end=00:00", "game.expiry_interval_s=0")
            finally:
                harness.free_port = chosen
        except BaseException:
            self.tearDown()
            raise

    def tearDown(self):
        if self.smsc is not None:
            self.smsc.close()
        if self.kannel is not None:
            self.kannel.stop()
        super().tearDown()

    def context(self):
        return "\nfake SMSC wire:\n%s\n%s\n--- gamigate log\n%s" % (
            self.smsc.transcript(), self.kannel.logs_tail(20),
            "\n".join(self.daemon.log().splitlines()[-30:]))

    def test_reminder_reaches_the_smsc_and_its_dlr_comes_back(self):
        self.db.sql("INSERT INTO subscribers (msisdn, lang, joined_at, points, created_at,"
                    " updated_at) VALUES ('+989121234567', 'fa', UTC_TIMESTAMP(6), 120,"
                    " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6)), ('+989127654321', 'en',"
                    " UTC_TIMESTAMP(6), 5, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
        reminder = {"id": "expiry", "schedule": {"daily": "10:00"}, "segment": {"type": "all"},
                    "text": {"fa": "امتیازهای شما: {points}", "en": "Your points: {points}"}}
        path = os.path.join(self.folder, "r.json")
        with open(path, "w") as f:
            json.dump(reminder, f, ensure_ascii=False)
        sets = ["-c", "/dev/null", "--set", "database.socket=" + self.db.socket, "--set",
                "database.name=" + self.db.name, "--set", "database.password=gamigate"]
        code, _, err = harness.run_cli(*(sets + ["reminder", "add", path]))
        self.assertEqual(code, 0, err)
        code, _, err = harness.run_cli(*(sets + ["reminder", "run-now", "expiry"]))
        self.assertEqual(code, 0, err)
        got = {}
        for _ in range(2):
            mt = self.smsc.receive_mt(30)
            self.assertIsNotNone(mt, "no MT reached the fake SMSC" + self.context())
            got[mt.receiver.lstrip("+")] = mt
        fa, en = got.get("989121234567"), got.get("989127654321")
        self.assertIsNotNone(fa, "%r%s" % (got, self.context()))
        self.assertEqual(fa.text, "امتیازهای شما: 120")
        self.assertEqual(fa.coding, 2)
        self.assertEqual(fa.sender, "3000")
        self.assertEqual(en.text, "Your points: 5")
        self.assertEqual(en.coding, 0)
        # Kannel's fake SMSC reports delivery: the DLR comes back to /dlr/kannel.
        harness.wait_for(
            lambda: self.db.sql("SELECT COUNT(*) FROM outbox WHERE state = 'delivered'") == "2",
            30, "both rows delivered (states: %s)%s" % (
                self.db.sql("SELECT GROUP_CONCAT(CONCAT(state, '/', COALESCE(dlr_status, '-')))"
                            " FROM outbox"), self.context()))
        self.assertGreaterEqual(
            self.daemon.metric('gamigate_outbox_dlr_total{result="delivered"}'), 2)


if __name__ == "__main__":
    unittest.main()
