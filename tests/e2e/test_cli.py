"""End to end: the gamigate command line — help on every command, configuration
errors that name file:line and exit 2, precedence of file, environment and --set,
migrate and migrate --status, an unreachable database."""

import os
import tempfile
import unittest

import harness


class CliTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="gamigate-cli-")

    def tearDown(self):
        import shutil
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.folder, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_help_on_every_command(self):
        for args in (["--help"], ["help"], ["serve", "--help"], ["migrate", "--help"],
                     ["config", "--help"], ["version", "--help"], ["--help", "migrate"]):
            code, out, err = harness.run_cli(*args)
            self.assertEqual(code, 0, args)
            self.assertIn("usage: gamigate", out, args)
        code, out, _ = harness.run_cli("migrate", "--help")
        self.assertIn("--status", out)

    def test_usage_errors_exit_2(self):
        code, _, err = harness.run_cli()
        self.assertEqual(code, 2)
        self.assertIn("usage:", err)
        code, _, err = harness.run_cli("frobnicate")
        self.assertEqual(code, 2)
        self.assertIn('unknown command "frobnicate"', err)
        code, _, err = harness.run_cli("migrate", "--sideways")
        self.assertEqual(code, 2)
        code, _, err = harness.run_cli("-c")
        self.assertEqual(code, 2)

    def test_version(self):
        code, out, _ = harness.run_cli("version")
        self.assertEqual(code, 0)
        self.assertRegex(out, r"^gamigate \d+\.\d+\.\d+ \(schema version \d+\)")

    def test_config_errors_name_file_line_and_key(self):
        path = self.write("bad.conf", "[http]\nlisten = 127.0.0.1:8080\n\n[database]\n"
                                      "prot = 3306\npool_size = 0\n[log]\nlevel = loud\n")
        code, out, err = harness.run_cli("-c", path, "config", "check")
        self.assertEqual(code, 2)
        self.assertIn(path + ":5: unknown key \"prot\" in [database]; did you mean port?", err)
        self.assertIn(path + ":6: database.pool_size: \"0\" is not valid; expected a whole "
                      "number from 1 to 256", err)
        self.assertIn(path + ":8: log.level", err)
        self.assertIn("debug|info|warn|error", err)
        self.assertIn("admin.token is required", err)
        self.assertIn("gamigate -c " + path + " config check", err)
        self.assertEqual(out, "")

    def test_missing_file_and_nonsense_flags(self):
        code, _, err = harness.run_cli("-c", "/nonexistent/gamigate.conf", "config", "check")
        self.assertEqual(code, 2)
        self.assertIn("/nonexistent/gamigate.conf: cannot open", err)
        code, _, err = harness.run_cli("-c", "/dev/null", "--set", "http.listen", "config",
                                       "check")
        self.assertEqual(code, 2)
        self.assertIn("is not section.key=value", err)
        env = dict(os.environ, GAMIGATE_DATABASE_POOL_SIZE="many")
        code, _, err = harness.run_cli("-c", "/dev/null", "config", "check", env=env)
        self.assertEqual(code, 2)
        self.assertIn("environment GAMIGATE_DATABASE_POOL_SIZE: database.pool_size", err)

    def test_precedence_file_env_set(self):
        path = self.write("ok.conf", "[admin]\ntoken = file-token-0123456789\n"
                                     "[http]\nlisten = 127.0.0.1:1111\n"
                                     "[database]\npool_size = 7\nname = fromfile\n")
        env = dict(os.environ, GAMIGATE_HTTP_LISTEN="127.0.0.1:2222",
                   GAMIGATE_DATABASE_NAME="fromenv", GAMIGATE_DB_DIR="/ignored/by/gamigate")
        code, out, err = harness.run_cli("-c", path, "--set", "http.listen=127.0.0.1:3333",
                                         "config", "check", env=env)
        self.assertEqual(code, 0, err)
        self.assertIn("http.listen = 127.0.0.1:3333    # --set", out)
        self.assertIn("database.name = fromenv    # environment GAMIGATE_DATABASE_NAME", out)
        self.assertIn("database.pool_size = 7    # %s:" % path, out)
        self.assertIn("admin.token = (set, hidden)", out)
        self.assertNotIn("file-token-0123456789", out)

    def test_shipped_config_is_valid_with_a_token(self):
        conf = os.path.join(harness.ROOT, "conf", "gamigate.conf")
        env = dict(os.environ, GAMIGATE_ADMIN_TOKEN="env-token-0123456789")
        code, out, err = harness.run_cli("-c", conf, "config", "check", env=env)
        self.assertEqual(code, 0, err)

    def test_migrate_status_and_apply(self):
        db = harness.Database(harness.fixture_socket(), "cli_migrate")
        try:
            base = ["-c", "/dev/null", "--set", "database.socket=" + db.socket, "--set",
                    "database.name=" + db.name, "--set", "database.password=gamigate"]
            code, out, err = harness.run_cli(*(base + ["migrate", "--status"]))
            self.assertEqual(code, 0, err)
            self.assertIn("pending   0001_nodes", out)
            self.assertIn("run gamigate migrate", out)
            code, out, err = harness.run_cli(*(base + ["migrate"]))
            self.assertEqual(code, 0, err)
            self.assertIn("applying 0001_nodes ... ok", out)
            code, out, err = harness.run_cli(*(base + ["migrate"]))
            self.assertEqual(code, 0, err)
            self.assertIn("schema is up to date", out)
            db.sql("INSERT INTO schema_migrations (version, name, checksum, applied_by) "
                   "VALUES (9999, '9999_future', '0000000000000000', 'test')")
            code, out, err = harness.run_cli(*(base + ["migrate"]))
            self.assertEqual(code, 2)
            self.assertIn("newer than the", err)
        finally:
            db.drop()

    def test_migrate_unreachable_database(self):
        code, out, err = harness.run_cli("-c", "/dev/null", "--set",
                                         "database.socket=/nonexistent/mysqld.sock",
                                         "--set", "database.connect_timeout_s=1", "migrate")
        self.assertEqual(code, 1)
        self.assertIn("gamigate migrate:", err)
        self.assertIn("tools/db start", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
