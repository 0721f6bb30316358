"""Kannel (bearerbox + smsbox) as child processes of a test, with a kannel.conf rendered
from kannel.conf.in into the test's temporary folder. Standard library only.

    gw = Gateway(folder, get_url)   # get_url: the sms-service URL, with Kannel's % codes
    gw.start(smsc)                  # smsc: a fakesmsc.FakeSMSC, connected once bearerbox is up
    ...
    gw.stop()                       # SIGTERM, then SIGKILL after a grace period

Everything listens on 127.0.0.1 on free ports. Every wait is bounded."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "kannel.conf.in")
ADMIN_PASSWORD = "e2e-kannel-admin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_binary(name):
    """The path of a Kannel binary (Debian puts them in /usr/sbin), or None."""
    return shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/usr/local/sbin/" + name) if os.access(p, os.X_OK)),
        None)


def require_binaries():
    """Paths of bearerbox and smsbox; AssertionError with the fix when missing."""
    found = {name: find_binary(name) for name in ("bearerbox", "smsbox")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        raise AssertionError(
            "Kannel is not installed (%s not found): install the Debian package with "
            "`apt-get install -y kannel` (tools/test does it: `kannel` is in GG_PACKAGES "
            "in tools/lib/common.sh)" % " and ".join(missing))
    return found["bearerbox"], found["smsbox"]


def render(template_text, values):
    """Replaces every @NAME@ in the template; fails on an unknown or a leftover name."""
    text = template_text
    for name, value in values.items():
        if "@%s@" % name not in text:
            raise AssertionError("kannel.conf.in has no @%s@" % name)
        text = text.replace("@%s@" % name, str(value))
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise AssertionError("kannel.conf.in: no value for %s" % ", ".join(sorted(set(left))))
    return text


class Gateway:
    """bearerbox + smsbox with a generated configuration in `folder`."""

    def __init__(self, folder, get_url):
        self.bearerbox_bin, self.smsbox_bin = require_binaries()
        self.folder = os.path.join(folder, "kannel")
        os.makedirs(self.folder, exist_ok=True)
        self.admin_port = free_port()
        self.smsbox_port = free_port()
        self.sendsms_port = free_port()
        self.fake_port = free_port()
        self.conf_path = os.path.join(self.folder, "kannel.conf")
        with open(TEMPLATE) as f:
            text = render(f.read(), {
                "ADMIN_PORT": self.admin_port, "SMSBOX_PORT": self.smsbox_port,
                "SENDSMS_PORT": self.sendsms_port, "FAKE_PORT": self.fake_port,
                "FOLDER": self.folder, "GET_URL": get_url,
                "ADMIN_PASSWORD": ADMIN_PASSWORD})
        with open(self.conf_path, "w") as f:
            f.write(text)
        self.procs = {}
        self._outputs = {}

    # -- processes ---------------------------------------------------------------

    def _spawn(self, name, binary):
        out = open(os.path.join(self.folder, name + ".out"), "w")
        self._outputs[name] = out
        # Its own process group, so stop() can signal it without touching anything else.
        self.procs[name] = subprocess.Popen([binary, self.conf_path], stdout=out,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            cwd=self.folder, start_new_session=True)

    def _check_alive(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise AssertionError("%s exited with %s:\n%s" % (name, proc.returncode,
                                                                 self.output(name)))

    def start(self, smsc, timeout=30):
        """Starts bearerbox, connects the fake SMS centre `smsc` (a fakesmsc.FakeSMSC for
        self.fake_port), starts smsbox, and returns once bearerbox reports the SMSC
        online and one smsbox connected."""
        self._spawn("bearerbox", self.bearerbox_bin)
        self._wait(lambda: self.status() is not None, timeout,
                   "bearerbox's admin status page on port %d" % self.admin_port)
        smsc.connect(timeout=timeout)
        self._spawn("smsbox", self.smsbox_bin)
        self._wait(self.ready, timeout, "the fake SMSC online and smsbox connected in "
                   "bearerbox's status")

    def _wait(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out after %.0f s waiting for %s\nstatus:\n%s\n%s" % (
            timeout, what, self.status(), self.logs_tail()))

    def stop(self, grace=10):
        """SIGTERM to smsbox then bearerbox, SIGKILL whatever is left after `grace`
        seconds. Safe to call twice."""
        for name in ("smsbox", "bearerbox"):
            proc = self.procs.get(name)
            if proc is None or proc.poll() is not None:
                continue
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(5)
        for out in self._outputs.values():
            out.close()

    # -- status and logs -----------------------------------------------------------

    def admin(self, path, timeout=2):
        """(status, body) of an admin HTTP command, or None when it does not answer."""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=timeout)
            try:
                sep = "&" if "?" in path else "?"
                conn.request("GET", path + sep + "password=" +
                             urllib.parse.quote(ADMIN_PASSWORD))
                resp = conn.getresponse()
                return resp.status, resp.read().decode("utf-8", "replace")
            finally:
                conn.close()
        except (OSError, http.client.HTTPException):
            return None

    def status(self):
        """The text of /status.txt, or None when bearerbox does not answer yet."""
        got = self.admin("/status.txt")
        if got is None or got[0] != 200:
            return None
        return got[1]

    def ready(self):
        text = self.status()
        if text is None:
            return False
        smsc_online = any(line.strip().startswith("fake") and "online" in line
                          for line in text.splitlines())
        smsbox_up = "smsbox:" in text and "(on-line" in text
        return smsc_online and smsbox_up

    def output(self, name):
        path = os.path.join(self.folder, name + ".out")
        if name in self._outputs and not self._outputs[name].closed:
            self._outputs[name].flush()
        try:
            with open(path, errors="replace") as f:
                return f.read()[-4000:]
        except OSError:
            return ""

    def log(self, name):
        """A log file in the folder: bearerbox.log, smsbox.log, smsbox-access.log ..."""
        try:
            with open(os.path.join(self.folder, name), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def logs_tail(self, lines=40):
        parts = []
        for name in ("smsbox-access.log", "smsbox.log", "bearerbox.log"):
            text = self.log(name).splitlines()[-lines:]
            parts.append("--- %s (last %d lines)\n%s" % (name, lines, "\n".join(text)))
        return "\n".join(parts)
