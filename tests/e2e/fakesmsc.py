"""A fake SMS centre for Kannel's `smsc = fake` driver: the subscriber's side of the
end-to-end Kannel tests. Standard library only.

Who connects to whom: bearerbox's fake driver LISTENS on the smsc group's `port` and
accepts one client at a time; the fake SMS centre (Kannel's own test/fakesmsc.c, and this
class) CONNECTS to it as a TCP client (Kannel 1.4.5 gw/smsc/smsc_fake.c:
fake_open_connection() makes a server socket, fake_listener() accepts; the user guide's
appendix "Using the fake SMS center": "The bearerbox will listen for fakesmsc client
connections to the port(s) specified in the configuration file").

The wire: one message per line, ending in "\\n", fields separated by one space:

    <sender> <receiver> <type> <payload>

MO, from us to bearerbox (smsc_fake.c msg_to_bb()):
    text      payload taken literally (coding 0, 7-bit; Kannel keeps it as UTF-8)
    data      payload url-encoded 8-bit bytes (coding 1)
    ucs2      payload url-encoded UCS-2/UTF-16BE bytes (coding 2) -- "ucs2", no dash
    udh-data  <url-encoded UDH> <url-encoded bytes>
    udh-text  <url-encoded UDH> <literal text>
    udh       same as udh-data (old name)
    route     <smsbox-id> <literal text>
    dlr-mask  <number> <literal text>
MT, from bearerbox to us (smsc_fake.c sms_to_client()):
    text      coding 0: the text written literally (Kannel's internal UTF-8; a newline in
              the text is written as is, so such a message spans several lines)
    data      coding 1: url-encoded bytes
    ucs-2     coding 2: url-encoded UTF-16BE bytes -- "ucs-2", WITH a dash
    udh       "<url-encoded UDH> data <url-encoded bytes>" whenever a UDH is present,
              i.e. every part of a concatenated (long) message; the coding is NOT on the
              wire then (see MT.coding).
Bearerbox splits a long MT itself (gw/smscconn.c smscconn_send() -> sms_split() with
the smsc group's max-sms-octets, 140 by default) and prefixes each part with a
concatenation UDH (05 00 03 ref total seq); receive_mt() puts the parts back together.
"""

import collections
import queue
import socket
import threading
import time
import urllib.parse

# One message received from Kannel (an MT), after reassembly of concatenated parts.
#   sender, receiver  as on the wire (sender = the service's short code)
#   type              the wire type: "text", "data", "ucs-2" or "udh"
#   coding            0, 1, 2, or for "udh" the coding guessed from the bytes (see
#                     _guess_coding); None when it cannot be told
#   text              the decoded text (str)
#   raw               the message bytes (UTF-8 for text, UTF-16BE for ucs-2 ...)
#   parts             how many SMS parts it came in
MT = collections.namedtuple("MT", "sender receiver type coding text raw parts")


def _quote(data):
    """Url-encodes bytes the way Kannel's octstr_url_decode() reads them back."""
    return urllib.parse.quote_from_bytes(data, safe="")


def _unquote(text):
    """Kannel's octstr_url_encode() output (or ours) to bytes; '+' is a space."""
    return urllib.parse.unquote_to_bytes(text.replace("+", " "))


def _concat_info(udh):
    """(reference, total, sequence) from a concatenation UDH, or None."""
    if len(udh) < 1:
        return None
    end = min(len(udh), 1 + udh[0])
    i = 1
    while i + 1 < end:
        iei, length = udh[i], udh[i + 1]
        value = udh[i + 2:i + 2 + length]
        if iei == 0x00 and length == 3 and len(value) == 3:
            return value[0], value[1], value[2]
        if iei == 0x08 and length == 4 and len(value) == 4:
            return (value[0] << 8) | value[1], value[2], value[3]
        i += 2 + length
    return None


def _guess_coding(data):
    """The fake driver drops the coding of a message with a UDH. Tell UCS-2 from text:
    UTF-16BE text of Latin, Persian/Arabic (U+06xx) and general punctuation (U+20xx,
    e.g. ZWNJ) has every high byte below 0x30, which ASCII/UTF-8 text of letters does
    not. Returns 2 or 0."""
    if data and len(data) % 2 == 0 and all(b < 0x30 for b in data[0::2]):
        try:
            data.decode("utf-16-be")
            return 2
        except UnicodeDecodeError:
            pass
    return 0


def _decode(data, coding):
    if coding == 2:
        return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")


class FakeSMSC:
    """The SMS centre side of Kannel's fake protocol, as a TCP client of bearerbox.

        smsc = FakeSMSC(port)          # port = the fake smsc group's `port`
        smsc.connect(timeout=20)       # retries until bearerbox accepts
        smsc.send_mo("+989121234567", "3000", "HELP")
        mt = smsc.receive_mt(timeout=15)
        smsc.close()

    A reader thread parses what bearerbox writes; receive_mt() hands out whole
    messages in arrival order."""

    # How long a text MT waits for continuation lines (a newline inside the text).
    TEXT_SETTLE_S = 0.3

    def __init__(self, port, host="127.0.0.1"):
        self.host = host
        self.port = port
        self.sock = None
        self.messages = queue.Queue()
        self.lines = []          # every raw line received, for failure messages
        self.sent = []           # every line sent
        self._pending = None     # a text MT that may still get continuation lines
        self._pending_at = 0.0
        self._parts = {}         # (sender, receiver, ref, total) -> {seq: (udh, data)}
        self._closing = False
        self._reader = None
        self._lock = threading.Lock()

    # -- connection --------------------------------------------------------------

    def connect(self, timeout=20):
        """Connects to bearerbox's fake smsc port, retrying while it is not listening
        yet; raises AssertionError after timeout seconds."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                self.sock = socket.create_connection((self.host, self.port), timeout=1)
                break
            except OSError as e:
                last = e
                time.sleep(0.1)
        else:
            raise AssertionError("fake SMSC: bearerbox does not accept on %s:%d after %.0f s"
                                 " (%s)" % (self.host, self.port, timeout, last))
        self.sock.settimeout(0.1)
        self._reader = threading.Thread(target=self._read_loop, daemon=True,
                                        name="fakesmsc-reader")
        self._reader.start()

    def connected(self):
        return self.sock is not None and self._reader is not None and self._reader.is_alive()

    def close(self):
        self._closing = True
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()
        if self._reader is not None:
            self._reader.join(2)

    # -- MO ----------------------------------------------------------------------

    def send_mo(self, sender, receiver, text, ucs2=False):
        """Sends one MO message as the subscriber `sender` to `receiver` (the short
        code). ucs2=True sends it as UCS-2 (coding 2, UTF-16BE bytes, url-encoded), the
        way a phone sends Persian; otherwise as literal 7-bit text."""
        for name, value in (("sender", sender), ("receiver", receiver)):
            if not value or any(c.isspace() for c in value):
                raise ValueError("fake SMSC: %s must be one word: %r" % (name, value))
        if ucs2:
            line = "%s %s ucs2 %s" % (sender, receiver, _quote(text.encode("utf-16-be")))
        else:
            if "\n" in text or "\r" in text:
                raise ValueError("fake SMSC: a text MO cannot hold a line break; use ucs2")
            line = "%s %s text %s" % (sender, receiver, text)
        self.send_line(line)

    def send_line(self, line):
        """Sends one raw protocol line (without its newline)."""
        if self.sock is None:
            raise AssertionError("fake SMSC: not connected")
        with self._lock:
            self.sent.append(line)
        self.sock.sendall(line.encode("utf-8") + b"\n")

    # -- MT ----------------------------------------------------------------------

    def receive_mt(self, timeout=15):
        """The next MT from Kannel, or None when none came within timeout seconds."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            return None

    def expect_nothing(self, seconds):
        """The MT that arrived within `seconds`, or None when nothing came (waits the
        whole time)."""
        return self.receive_mt(timeout=seconds)

    def transcript(self):
        """Every line sent and received, for failure messages."""
        with self._lock:
            return "\n".join(["> " + l for l in self.sent] +
                             ["< " + l for l in self.lines]) or "(nothing)"

    # -- reader thread -------------------------------------------------------------

    def _read_loop(self):
        buf = b""
        while not self._closing:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                self._flush_pending(force=False)
                continue
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self._line(line.rstrip(b"\r"))
            self._flush_pending(force=False)
        self._flush_pending(force=True)

    def _flush_pending(self, force):
        if self._pending is None:
            return
        if force or time.monotonic() - self._pending_at >= self.TEXT_SETTLE_S:
            sender, receiver, data = self._pending
            self._pending = None
            self.messages.put(MT(sender, receiver, "text", 0, _decode(data, 0), data, 1))

    def _line(self, line):
        with self._lock:
            self.lines.append(line.decode("utf-8", errors="replace"))
        fields = line.split(b" ", 3)
        kind = fields[2].decode("ascii", "replace") if len(fields) >= 3 else ""
        if len(fields) < 3 or kind not in ("text", "data", "ucs-2", "udh"):
            # Not a message start: the next line of a text MT whose text held "\n".
            if self._pending is not None:
                self._pending = (self._pending[0], self._pending[1],
                                 self._pending[2] + b"\n" + line)
                self._pending_at = time.monotonic()
            return
        self._flush_pending(force=True)
        sender = fields[0].decode("utf-8", "replace")
        receiver = fields[1].decode("utf-8", "replace")
        payload = fields[3] if len(fields) == 4 else b""
        if kind == "text":
            self._pending = (sender, receiver, payload)
            self._pending_at = time.monotonic()
        elif kind == "data":
            data = _unquote(payload.decode("ascii", "replace"))
            self.messages.put(MT(sender, receiver, "data", 1, _decode(data, 1), data, 1))
        elif kind == "ucs-2":
            data = _unquote(payload.decode("ascii", "replace"))
            self.messages.put(MT(sender, receiver, "ucs-2", 2, _decode(data, 2), data, 1))
        else:
            self._udh(sender, receiver, payload.decode("ascii", "replace"))

    def _udh(self, sender, receiver, payload):
        # "<udh> data <bytes>" (Kannel 1.4.x); older trees wrote "<udh> <bytes>".
        words = payload.split(" ")
        if len(words) == 3 and words[1] == "data":
            udh, data = _unquote(words[0]), _unquote(words[2])
        elif len(words) == 2:
            udh, data = _unquote(words[0]), _unquote(words[1])
        else:
            udh, data = b"", _unquote(payload)
        info = _concat_info(udh)
        if info is None or info[1] <= 1:
            coding = _guess_coding(data)
            self.messages.put(MT(sender, receiver, "udh", coding, _decode(data, coding),
                                 data, 1))
            return
        ref, total, seq = info
        key = (sender, receiver, ref, total)
        parts = self._parts.setdefault(key, {})
        parts[seq] = data
        if len(parts) == total and all(n in parts for n in range(1, total + 1)):
            del self._parts[key]
            whole = b"".join(parts[n] for n in range(1, total + 1))
            coding = _guess_coding(whole)
            self.messages.put(MT(sender, receiver, "udh", coding, _decode(whole, coding),
                                 whole, total))
