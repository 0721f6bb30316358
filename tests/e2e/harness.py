"""End-to-end test harness: the real gamigate binary as a process, real HTTP over
loopback, the real private MariaDB started by the ctest db fixture (or, for tests that
stop and start the server, a private MariaDB of the test's own through tools/db).

Every test gets its own database, its own free port and its own temporary folder, so
test runs can share a machine. Standard library only.
"""

import http.client
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOKEN = "test-admin-token-0123456789"
# The grammar and templates of this checkout, for daemons started away from its root.
SMS_SETS = ["sms.grammar_file=" + os.path.join(ROOT, "conf", "grammar.json"),
            "sms.templates_dir=" + os.path.join(ROOT, "templates")]


def binary():
    path = os.environ.get("GAMIGATE_BIN")
    if not path or not os.access(path, os.X_OK):
        sys.exit("GAMIGATE_BIN is not set to the gamigate binary: run this test through ctest")
    return path


def fixture_socket():
    path = os.environ.get("GAMIGATE_TEST_DB_SOCKET_FILE")
    if not path or not os.path.exists(path):
        sys.exit("GAMIGATE_TEST_DB_SOCKET_FILE is missing: run this test through ctest "
                 "(its db fixture starts the private MariaDB)")
    with open(path) as f:
        return f.read().strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout, what):
    """Polls predicate until it is true; fails after timeout (a guard against hangs,
    not a latency figure)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out after %.0f s waiting for %s" % (timeout, what))


class Database:
    """A database of its own on a MariaDB server reached through a unix socket."""

    def __init__(self, socket_path, tag):
        self.socket = socket_path
        self.name = "gg_e2e_%s_%d_%d" % (tag, os.getpid(), random.randint(0, 99999))
        self.sql("CREATE DATABASE `%s` CHARACTER SET utf8mb4" % self.name, db="")

    def client_args(self, db=None):
        args = ["mariadb", "--no-defaults", "--socket=" + self.socket, "-ugamigate",
                "-pgamigate", "--batch", "--skip-column-names", "--unbuffered"]
        name = self.name if db is None else db
        if name:
            args.append(name)
        return args

    def sql(self, statement, db=None):
        out = subprocess.run(self.client_args(db), input=statement, text=True,
                             capture_output=True, timeout=60)
        if out.returncode != 0:
            raise AssertionError("SQL failed: %s\n%s" % (statement, out.stderr))
        return out.stdout.strip()

    def hold(self, statement):
        """Runs statement in a client session that stays open (for LOCK TABLES);
        returns the process: write 'UNLOCK TABLES;' and close stdin to end it."""
        proc = subprocess.Popen(self.client_args(), stdin=subprocess.PIPE, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdin.write(statement + "\nSELECT 'held';\n")
        proc.stdin.flush()
        line = proc.stdout.readline().strip()
        if line != "held":
            raise AssertionError("could not hold %r: %s" % (statement, proc.stderr.read()))
        return proc

    def drop(self):
        self.sql("DROP DATABASE IF EXISTS `%s`" % self.name, db="")


class PrivateServer:
    """A MariaDB server of the test's own (tools/db with its own folder, socket only),
    for tests that stop and start the database."""

    def __init__(self, folder):
        self.env = dict(os.environ, GAMIGATE_DB_DIR=os.path.join(folder, "db"),
                        GAMIGATE_DB_PORT="0")
        self.tool("start", "--fresh")
        out = subprocess.run([os.path.join(ROOT, "tools", "db"), "env"], env=self.env,
                             capture_output=True, text=True, check=True)
        for line in out.stdout.splitlines():
            if line.startswith("export GAMIGATE_DATABASE_SOCKET="):
                self.socket = line.split("=", 1)[1].strip("'")

    def tool(self, *args):
        out = subprocess.run([os.path.join(ROOT, "tools", "db")] + list(args), env=self.env,
                             capture_output=True, text=True, timeout=180)
        if out.returncode != 0:
            raise AssertionError("tools/db %s failed:\n%s%s" % (" ".join(args), out.stdout,
                                                                out.stderr))
        return out.stdout


class Daemon:
    """gamigate serve as a child process; stderr (the log) is collected."""

    def __init__(self, db, folder, extra_sets=(), env=None):
        self.port = free_port()
        self.db = db
        self.log_path = os.path.join(folder, "gamigate-%d.log" % self.port)
        self.log_file = open(self.log_path, "w")
        sets = ["http.listen=127.0.0.1:%d" % self.port, "admin.token=" + TOKEN,
                "database.socket=" + db.socket, "database.name=" + db.name,
                "database.user=gamigate", "database.password=gamigate",
                "database.health_interval_ms=200"] + SMS_SETS + list(extra_sets)
        args = [binary(), "-c", "/dev/null"]
        for s in sets:
            args += ["--set", s]
        self.proc = subprocess.Popen(args + ["serve"], stdout=self.log_file,
                                     stderr=subprocess.STDOUT, cwd=folder,
                                     env=env or os.environ)
        wait_for(self.listening, 30, "the daemon to listen")

    def listening(self):
        if self.proc.poll() is not None:
            raise AssertionError("gamigate exited with %s:\n%s" % (self.proc.returncode,
                                                                  self.log()))
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def request(self, method, path, body=None, headers=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def admin(self, path, **kw):
        return self.request("GET", path, headers={"Authorization": "Bearer " + TOKEN}, **kw)

    def metric(self, name):
        """The value of one unlabelled (or fully labelled) metric line."""
        _, _, text = self.get("/metrics")
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[-1])
        return None

    def log(self):
        if not self.log_file.closed:
            self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def wait_exit(self, timeout=30):
        """Waits for the process to end by itself; returns its exit status."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("gamigate did not exit within %d s" % timeout)
        return self.proc.returncode

    def stop(self, sig=signal.SIGTERM, timeout=30):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("gamigate did not stop within %d s" % timeout)
        self.log_file.close()
        return self.proc.returncode


def run_cli(*args, env=None, cwd=None):
    """Runs the gamigate binary; returns (exit status, stdout, stderr). Unless env is
    given, the grammar file is the repository's (campaign commands compile a campaign's
    grammar additions over it), as for the daemons the tests start."""
    if env is None:
        env = dict(os.environ, GAMIGATE_SMS_GRAMMAR_FILE=os.path.join(ROOT, "conf",
                                                                      "grammar.json"))
    out = subprocess.run([binary()] + list(args), capture_output=True, text=True,
                         timeout=60, env=env, cwd=cwd)
    return out.returncode, out.stdout, out.stderr


def migrate(db):
    code, out, err = run_cli("-c", "/dev/null", "--set", "database.socket=" + db.socket,
                             "--set", "database.name=" + db.name, "--set",
                             "database.password=gamigate", "migrate")
    if code != 0:
        raise AssertionError("migrate failed (%d): %s%s" % (code, out, err))


class DaemonTest(unittest.TestCase):
    """A fresh, migrated database and a temporary folder per test."""

    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="gamigate-e2e-")
        self.db = Database(fixture_socket(), self.id().split(".")[-1][:20])
        migrate(self.db)
        self.daemons = []
        self.servers = []

    def private_server(self):
        server = PrivateServer(self.folder)
        self.servers.append(server)
        return server

    def start(self, *sets, db=None):
        d = Daemon(db or self.db, self.folder, sets)
        self.daemons.append(d)
        return d

    def tearDown(self):
        for d in self.daemons:
            if d.proc.poll() is None:
                d.proc.kill()
                d.proc.wait()
            rc = d.proc.returncode
            text = d.log()
            d.log_file.close()
            # A sanitizer report anywhere in the daemon's output is a failure.
            if "ERROR: AddressSanitizer" in text or "runtime error:" in text or \
               "ERROR: LeakSanitizer" in text or "WARNING: ThreadSanitizer" in text:
                self.fail("sanitizer report in the daemon log (exit %s):\n%s" % (rc, text))
        self.db.drop()
        for server in self.servers:
            try:
                server.tool("stop")
            except AssertionError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


def in_thread(fn, *args):
    """Starts fn(*args) in a thread; returns (thread, result list)."""
    result = []

    def run():
        try:
            result.append(fn(*args))
        except Exception as e:  # reported by the caller's assertions
            result.append(e)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, result
