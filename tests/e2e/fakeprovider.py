"""A local stand-in for an SMS provider's HTTP API, for the outbound tests: records every
request, de-duplicates by client reference (as real providers do with an idempotency
key) and answers as scripted: success, a status with a body and headers (5xx, 429 with
Retry-After, 4xx), a dropped connection, or a slow answer. Standard library only.

Understands the three adapters' requests: Kannel's GET sendsms (query), the generic JSON
or form POST, and the Twilio-compatible form POST."""

import http.server
import json
import threading
import time
import urllib.parse


class Request:
    def __init__(self, method, path, query, form, headers, at):
        self.method = method
        self.path = path
        self.query = query
        self.form = form
        self.headers = headers
        self.at = at

    def field(self, *names):
        for n in names:
            if n in self.form:
                return self.form[n]
            if n in self.query:
                return self.query[n]
        return None

    @property
    def ref(self):
        r = self.field("client_ref")
        if r is None:  # Kannel and Twilio carry it in the DLR URL
            url = self.field("dlr-url", "StatusCallback", "callback_url")
            if url:
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
                r = q.get("ref", [None])[0]
        return r

    @property
    def dlr_url(self):
        return self.field("dlr-url", "StatusCallback", "callback_url")


class FakeProvider:
    """Answers "ok" unless script (a list consumed one request at a time) says otherwise:
    ("status", code, body, headers) | ("drop",) | ("slow", seconds) | ("ok",)."""

    def __init__(self, port=0, kind="http"):
        self.kind = kind
        self.requests = []
        self.script = []
        self.default = ("ok",)
        self.lock = threading.Lock()
        self.seen = {}  # ref -> times
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_any(self):
                parts = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(parts.query).items()}
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                form = {}
                ctype = self.headers.get("Content-Type", "")
                if body and "json" in ctype:
                    form = json.loads(body)
                elif body:
                    form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()}
                req = Request(self.command, parts.path, query, form, dict(self.headers),
                              time.monotonic())
                with provider.lock:
                    provider.requests.append(req)
                    step = provider.script.pop(0) if provider.script else provider.default
                    if step[0] == "ok" and req.ref is not None:
                        provider.seen[req.ref] = provider.seen.get(req.ref, 0) + 1
                if step[0] == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if step[0] == "slow":
                    time.sleep(step[1])
                    step = ("ok",)
                if step[0] == "ok":
                    if provider.kind == "kannel":
                        self.answer(202, "0: Accepted for delivery")
                    elif provider.kind == "twilio":
                        self.answer(201, json.dumps({"sid": "SM%d" % len(provider.requests)}))
                    else:
                        self.answer(200, json.dumps({"id": "p-%d" % len(provider.requests)}))
                    return
                _, code, text, headers = step
                self.answer(code, text, headers)

            def answer(self, code, text, headers=None):
                data = text.encode()
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = handle_any
            do_POST = handle_any

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/send"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
