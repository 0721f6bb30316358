"""End to end: the daemon's HTTP surface — /healthz, /metrics, the admin API's token,
404/405, size limits (413/431), malformed requests, request logs with masked phone
numbers and request ids, JSON logs."""

import json
import socket
import time
import unittest

import harness


class HttpTest(harness.DaemonTest):
    def test_healthz_ok_with_schema(self):
        d = self.start()
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")
        status, headers, body = d.get("/healthz")
        doc = json.loads(body)
        self.assertEqual(doc["status"], "ok")
        self.assertEqual(doc["database"], "up")
        self.assertGreaterEqual(doc["schema_version"], 1)
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertTrue(headers["X-Request-Id"])

    def test_metrics_count_requests_by_route_and_status(self):
        d = self.start()
        harness.wait_for(lambda: d.get("/healthz")[0] == 200, 10, "healthz 200")
        for _ in range(3):
            d.get("/nowhere")
        status, headers, text = d.get("/metrics")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain"))
        self.assertIn('gamigate_http_requests_total{route="other",status="404"} 3', text)
        self.assertIn('gamigate_http_requests_total{route="healthz",status="200"}', text)
        self.assertIn('gamigate_http_request_duration_seconds_bucket{le="+Inf"}', text)
        for name in ("gamigate_db_pool_workers 4", "gamigate_db_pool_busy ",
                     "gamigate_db_pool_queued ", "gamigate_db_job_errors_total ",
                     "gamigate_uptime_seconds ", "gamigate_db_up 1",
                     'gamigate_http_rejected_total{reason="queue_full"} 0'):
            self.assertIn(name, text)
        # Every sample line is "name{labels} value" with a numeric value.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                float(line.rsplit(" ", 1)[1])

    def test_admin_status_needs_the_token(self):
        d = self.start()
        status, headers, body = d.get("/api/v1/status")
        self.assertEqual(status, 401)
        self.assertIn("Bearer", headers["WWW-Authenticate"])
        status, _, _ = d.request("GET", "/api/v1/status",
                                 headers={"Authorization": "Bearer wrong-token-0123456789"})
        self.assertEqual(status, 401)
        status, _, _ = d.request("GET", "/api/v1/status",
                                 headers={"Authorization": "Bearer " + harness.TOKEN + "x"})
        self.assertEqual(status, 401)
        status, _, body = d.admin("/api/v1/status")
        self.assertEqual(status, 200, body)
        doc = json.loads(body)
        self.assertEqual(doc["database"]["schema_version"], doc["database"]["schema_expected"])
        names = [n["name"] for n in doc["nodes"]]
        self.assertIn(doc["node"], names)
        self.assertIn("refused", d.log())

    def test_unknown_path_and_wrong_method(self):
        d = self.start()
        status, _, body = d.get("/no/such/thing")
        self.assertEqual(status, 404)
        self.assertIn("error", json.loads(body))
        status, headers, _ = d.request("POST", "/healthz", body=b"{}")
        self.assertEqual(status, 405)
        self.assertEqual(headers["Allow"], "GET")

    def test_body_and_headers_have_limits(self):
        d = self.start("http.max_body_bytes=2048", "http.max_header_bytes=2048")
        status, _, _ = d.request("POST", "/healthz", body=b"x" * 5000)
        self.assertEqual(status, 413)
        status, _, body = d.request("GET", "/healthz", headers={"X-Big": "y" * 3000})
        self.assertEqual(status, 431)
        self.assertIn("too large", body)
        # Still serving.
        self.assertEqual(d.get("/healthz")[0], 200)

    def test_malformed_requests_never_crash_the_daemon(self):
        d = self.start()
        garbage = [
            b"GARBAGE\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"\x00\xff\xfe\x01\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
            b"POST /healthz HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n",
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n",  # never finished
            b"GET /%%%%%%?%%=%%& HTTP/1.1\r\n\r\n",
            b"GET http://[::1 HTTP/1.1\r\n\r\n",
        ]
        for raw in garbage:
            with socket.create_connection(("127.0.0.1", d.port), timeout=5) as s:
                try:
                    s.sendall(raw)
                    s.shutdown(socket.SHUT_WR)
                    s.settimeout(5)
                    s.recv(65536)
                except OSError:
                    pass  # the server may close on us; it must not die
            self.assertIsNone(d.proc.poll(), "daemon died on %r" % raw[:40])
        self.assertEqual(d.get("/healthz")[0], 200)

    def test_request_log_masks_phone_numbers_and_carries_ids(self):
        d = self.start()
        status, headers, _ = d.request("GET", "/sms?from=%2B989121234567&to=3000&alt=09351112233",
                                       headers={"X-Request-Id": "kannel-42"})
        self.assertEqual(headers["X-Request-Id"], "kannel-42")
        # A request id that is not safe to log is replaced by our own.
        _, headers, _ = d.request("GET", "/x", headers={"X-Request-Id": "bad id\twith spaces"})
        self.assertNotEqual(headers["X-Request-Id"], "bad id\twith spaces")
        d.stop()
        log = d.log()
        self.assertIn("98912***4567", log)
        self.assertIn("0935***2233", log)
        self.assertNotIn("989121234567", log)
        self.assertNotIn("09351112233", log)
        self.assertIn("id=kannel-42", log)
        self.assertIn("to=3000", log)

    def test_json_log_lines(self):
        d = self.start("log.format=json")
        d.get("/nowhere?msisdn=989121234567")
        self.assertEqual(d.stop(), 0)
        lines = [l for l in d.log().splitlines() if l.strip()]
        self.assertGreater(len(lines), 2)
        docs = [json.loads(l) for l in lines]
        reqs = [x for x in docs if x["msg"] == "request"]
        self.assertEqual(reqs[0]["status"], "404")
        self.assertIn("98912***4567", reqs[0]["uri"])
        self.assertTrue(all("ts" in x and "level" in x for x in docs))


if __name__ == "__main__":
    unittest.main(verbosity=2)
