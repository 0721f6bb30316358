"""Helpers for the end-to-end Kannel tests: the kannel.conf template and a Gateway that
runs Debian's bearerbox and smsbox as plain child processes (never the system service,
never /etc/kannel). See gateway.py."""
