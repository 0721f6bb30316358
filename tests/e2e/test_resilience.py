"""End to end: the event loop never waits on the database.

- the database stops and starts while the daemon runs: /healthz goes 503, then 200
  again, and admin requests work again, without restarting gamigate;
- every worker stuck on a locked table: /healthz and /metrics still answer at once,
  a full queue answers 503 at once, and the stuck requests finish when the lock goes;
- SIGTERM with requests in flight: no new connections, the requests in flight are
  answered, exit status 0;
- a database whose schema does not match: serve refuses to start.
"""

import json
import os
import signal
import socket
import time
import unittest

import harness


class ResilienceTest(harness.DaemonTest):
    def test_database_restart_without_restarting_gamigate(self):
        server = self.private_server()
        db = harness.Database(server.socket, "restart")
        harness.migrate(db)
        d = self.start("database.connect_timeout_s=1", db=db)
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")
        self.assertEqual(d.admin("/api/v1/status")[0], 200)

        server.tool("stop")
        harness.wait_for(lambda: d.get("/healthz")[0] == 503, 15, "healthz 503")
        status, _, body = d.get("/healthz")
        self.assertEqual(json.loads(body)["database"], "down")
        self.assertEqual(d.metric("gamigate_db_up"), 0)
        status, _, body = d.admin("/api/v1/status")
        self.assertEqual(status, 503, body)  # a job fails cleanly, not a hang

        server.tool("start")
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 15, "healthz 200 again")
        # The workers reconnect by themselves.
        harness.wait_for(lambda: d.admin("/api/v1/status")[0] == 200, 15,
                         "admin status to work again")
        self.assertIsNone(d.proc.poll())
        self.assertEqual(d.stop(), 0)
        server.tool("stop")

    def test_stuck_workers_do_not_block_probes(self):
        d = self.start("database.pool_size=2", "database.queue_max=3",
                       "game.expiry_interval_s=0", "outbox.scheduler_interval_ms=0")
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")
        lock = self.db.hold("LOCK TABLES nodes WRITE;")
        stuck = []

        def slow_status():
            return d.admin("/api/v1/status", timeout=120)

        def fire():
            stuck.append(harness.in_thread(slow_status))
        try:
            for _ in range(5):
                fire()
            # Fill both workers and the queue with requests stuck on the lock. A
            # housekeeping job of the daemon (heartbeat, campaign check, USSD clean-up)
            # may hold a worker or a queue slot for a moment; then another request
            # tops the queue up.
            seen = []

            def workers_and_queue_full():
                seen[:] = [d.metric("gamigate_db_pool_busy"),
                           d.metric("gamigate_db_pool_queued")]
                if seen == [2, 3]:
                    return True
                if seen[0] == 2 and len(stuck) < 40:
                    fire()
                return False
            try:
                harness.wait_for(workers_and_queue_full, 30, "2 workers busy and 3 jobs queued")
            except AssertionError:
                raise AssertionError("busy, queued = %s; requests: %s" % (
                    seen, [r for _, r in stuck if r]))
            # The loop answers probes while every worker waits on the database.
            for path in ("/healthz", "/metrics"):
                t0 = time.monotonic()
                status, _, _ = d.get(path, timeout=5)
                took = time.monotonic() - t0
                self.assertEqual(status, 200)
                self.assertLess(took, 1.0, "%s took %.3f s with workers stuck" % (path, took))
            # A full queue answers 503 at once and is counted.
            rejected = d.metric('gamigate_http_rejected_total{reason="queue_full"}')
            t0 = time.monotonic()
            status, headers, body = d.admin("/api/v1/status", timeout=5)
            self.assertEqual(status, 503, body)
            self.assertLess(time.monotonic() - t0, 1.0)
            self.assertEqual(headers.get("Retry-After"), "1")
            self.assertIn("busy", body)
            self.assertEqual(d.metric('gamigate_http_rejected_total{reason="queue_full"}'),
                             rejected + 1)
            waiting = [t for t, r in stuck if not r]
            self.assertGreaterEqual(len(waiting), 5, "stuck requests finished under the lock")
        finally:
            lock.stdin.write("UNLOCK TABLES;\n")
            lock.stdin.close()
            lock.wait(30)
        # Every request was answered: 200 once the lock went, or 503 at once when it came
        # while the queue was full; at least the five that waited got their 200.
        statuses = []
        for t, result in stuck:
            t.join(60)
            self.assertEqual(len(result), 1, result)
            self.assertNotIsInstance(result[0], Exception, result)
            statuses.append(result[0][0])
        self.assertLessEqual(set(statuses), {200, 503}, statuses)
        self.assertGreaterEqual(statuses.count(200), 5, statuses)

    def test_sigterm_answers_requests_in_flight(self):
        d = self.start("database.pool_size=2", "game.expiry_interval_s=0",
                       "outbox.scheduler_interval_ms=0")
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")
        lock = self.db.hold("LOCK TABLES nodes WRITE;")
        inflight = [harness.in_thread(d.admin, "/api/v1/status") for _ in range(3)]
        # All three inside before the signal: two held by the lock, the third queued (a
        # request still on its way when draining starts is rightly refused with 503).
        harness.wait_for(lambda: d.metric("gamigate_db_pool_busy") == 2
                         and d.metric("gamigate_db_pool_queued") >= 1, 30,
                         "two workers busy and a request queued")
        d.proc.send_signal(signal.SIGTERM)
        # No new connections once draining.
        def refused():
            try:
                with socket.create_connection(("127.0.0.1", d.port), timeout=0.5):
                    return False
            except OSError:
                return True
        harness.wait_for(refused, 10, "the listener to close")
        self.assertIsNone(d.proc.poll(), "exited before answering the requests in flight")
        lock.stdin.write("UNLOCK TABLES;\n")
        lock.stdin.close()
        lock.wait(30)
        for t, result in inflight:
            t.join(30)
            self.assertEqual(result[0][0], 200, result)
        self.assertEqual(d.wait_exit(), 0)
        log = d.log()
        self.assertIn("SIGTERM", log)
        self.assertIn("stopped", log)

    def test_serve_refuses_a_schema_it_does_not_match(self):
        empty = harness.Database(harness.fixture_socket(), "noschema")
        try:
            args = ["-c", "/dev/null", "--set", "database.socket=" + empty.socket,
                    "--set", "database.name=" + empty.name, "--set",
                    "database.password=gamigate", "--set", "admin.token=" + harness.TOKEN,
                    "--set", "http.listen=127.0.0.1:%d" % harness.free_port()]
            for s in harness.SMS_SETS:
                args += ["--set", s]
            code, out, err = harness.run_cli(*(args + ["serve"]))
            self.assertEqual(code, 2, err)
            self.assertIn("run: gamigate migrate", err)
            harness.migrate(empty)
            empty.sql("INSERT INTO schema_migrations (version, name, checksum, applied_by) "
                      "VALUES (9999, '9999_future', '0000000000000000', 'test')")
            code, out, err = harness.run_cli(*(args + ["serve"]))
            self.assertEqual(code, 2, err)
            self.assertIn("newer", err)
        finally:
            empty.drop()

    def test_database_down_at_start_is_reported_not_fatal(self):
        server = self.private_server()
        db = harness.Database(server.socket, "downstart")
        harness.migrate(db)
        server.tool("stop")
        d = self.start("database.connect_timeout_s=1", db=db)
        status, _, body = d.get("/healthz")
        self.assertEqual(status, 503, body)
        server.tool("start")
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 15, "healthz 200")
        self.assertEqual(d.stop(), 0)
        server.tool("stop")


if __name__ == "__main__":
    unittest.main(verbosity=2)
