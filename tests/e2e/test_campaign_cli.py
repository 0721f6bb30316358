"""End to end: `gamigate campaign` through the real binary — validate good and broken
files (exit codes, one line per problem with its JSON path), load/list/stop against the
fixture's MariaDB (versions, re-loading the same file, conflicts on a short code), help
on every sub-command, and the honest `reload`."""

import copy
import json
import os
import shutil
import tempfile
import unittest

import harness

SAMPLE = os.path.join(harness.ROOT, "campaigns", "nowruz-1405.json")
SUMMARY = ("nowruz-1405: 2026-03-21 00:00 to 2026-04-02 23:59 Asia/Tehran "
           "(Jalali 1405-01-01 to 1405-01-13), short code 3000, 6 prizes, 5 missions")


def db_args(db):
    return ["-c", "/dev/null", "--set", "database.socket=" + db.socket, "--set",
            "database.name=" + db.name, "--set", "database.password=gamigate"]


class CampaignCliTest(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="gamigate-campaign-")
        with open(SAMPLE, encoding="utf-8") as f:
            self.sample = json.load(f)
        self.dbs = []

    def tearDown(self):
        for db in self.dbs:
            db.drop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, name, data):
        path = os.path.join(self.folder, name)
        with open(path, "w", encoding="utf-8") as f:
            if isinstance(data, str):
                f.write(data)
            else:
                json.dump(data, f, ensure_ascii=False, indent=2)
        return path

    def database(self, tag, migrated=True):
        db = harness.Database(harness.fixture_socket(), tag)
        self.dbs.append(db)
        if migrated:
            harness.migrate(db)
        return db

    def cli(self, *args):
        code, out, err = harness.run_cli(*args)
        # A sanitizer report is a failure whatever the exit status.
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, err)
        return code, out, err

    # ---- help ----

    def test_help_on_every_sub_command(self):
        for sub in ([], ["validate"], ["load"], ["list"], ["stop"], ["reload"]):
            code, out, _ = self.cli("campaign", *sub, "--help")
            self.assertEqual(code, 0, sub)
            self.assertIn("usage: gamigate", out, sub)
            self.assertIn("campaign", out, sub)
        code, out, _ = self.cli("--help")
        self.assertIn("campaign validate FILE", out)
        code, _, err = self.cli("campaign")
        self.assertEqual(code, 2)
        self.assertIn("campaign needs validate, load, list, stop or reload", err)
        code, _, err = self.cli("campaign", "frobnicate")
        self.assertEqual(code, 2)
        code, _, err = self.cli("-c", "/dev/null", "campaign", "validate")
        self.assertEqual(code, 2)
        self.assertIn("needs at least one file", err)

    # ---- validate ----

    def test_validate_the_sample(self):
        code, out, err = self.cli("-c", "/dev/null", "campaign", "validate", SAMPLE)
        self.assertEqual(code, 0, err)
        self.assertEqual(out, SAMPLE + ": ok: " + SUMMARY + "\n")
        self.assertEqual(err, "")

    def test_validate_lists_every_problem(self):
        bad = copy.deepcopy(self.sample)
        bad["id"] = "Nowruz 1405"
        bad["wheel"]["prizes"][2]["weight"] = -5
        bad["wheel"]["fallback"] = "try-agian"
        bad["missions"][2]["questions"][3]["answer"] = 7
        del bad["tiers"][1]["name"]["en"]
        bad["earning"][1]["window"]["from"] = "8pm"
        bad["refferal"] = bad.pop("referral")
        path = self.write("bad.json", bad)
        code, out, err = self.cli("-c", "/dev/null", "campaign", "validate", path, SAMPLE)
        self.assertEqual(code, 2)
        # The good file still gets its line.
        self.assertEqual(out, SAMPLE + ": ok: " + SUMMARY + "\n")
        for line in (
                '$.refferal: unknown field; did you mean "referral"?',
                "$.id: must be 3 to 40 of a-z, 0-9 and '-' (got \"Nowruz 1405\"); use "
                "lower case",
                '$.earning[1].window.from: must be a local time "HH:MM"',
                "$.tiers[1].name.en: missing; every text needs fa and en",
                "$.missions[2].questions[3].answer: there are 4 choices",
                "$.missions[4].type: a referrals mission needs referral codes",
                "$.wheel.prizes[2].weight: must be a whole number from 1 to 1000000 (got -5)",
                '$.wheel.fallback: no prize has the id "try-agian"; did you mean '
                '"try-again"?'):
            self.assertTrue(any(l.startswith(path + ": " + line) for l in err.splitlines()),
                            "%s\nnot in:\n%s" % (line, err))
        problems = [l for l in err.splitlines() if l.startswith(path + ": $")]
        self.assertEqual(len(problems), 8, err)
        self.assertIn("1 of 2 files are invalid", err)

    def test_validate_syntax_errors_and_missing_files(self):
        path = self.write("syntax.json", '{\n  "id": "x",\n  "name": ,\n}\n')
        code, _, err = self.cli("-c", "/dev/null", "campaign", "validate", path)
        self.assertEqual(code, 2)
        self.assertIn(path + ":3:11: JSON syntax error:", err)
        path = self.write("dup.json", '{"id": "abc",\n "id": "abd"}')
        code, _, err = self.cli("-c", "/dev/null", "campaign", "validate", path)
        self.assertEqual(code, 2)
        self.assertIn("duplicate object key", err)
        code, _, err = self.cli("-c", "/dev/null", "campaign", "validate",
                                "/nonexistent/x.json")
        self.assertEqual(code, 2)
        self.assertIn("/nonexistent/x.json: cannot open the campaign file", err)

    def test_validate_uses_the_configured_zone(self):
        data = copy.deepcopy(self.sample)
        del data["timezone"]
        path = self.write("nozone.json", data)
        code, out, err = self.cli("-c", "/dev/null", "--set", "game.timezone=UTC",
                                  "campaign", "validate", path)
        self.assertEqual(code, 0, err)
        self.assertIn("2026-03-21 00:00 to 2026-04-02 23:59 UTC", out)

    # ---- load, list, stop ----

    def test_load_list_stop(self):
        db = self.database("camp_cli")
        base = db_args(db)
        code, out, err = self.cli(*base, "campaign", "list")
        self.assertEqual(code, 0, err)
        self.assertIn("no campaigns loaded", out)

        code, out, err = self.cli(*base, "campaign", "load", SAMPLE)
        self.assertEqual(code, 0, err)
        self.assertIn("nowruz-1405: stored as version 1, now active\n", out)
        self.assertIn("SIGHUP", out)

        code, out, err = self.cli(*base, "campaign", "load", SAMPLE)
        self.assertEqual(code, 0, err)
        self.assertIn("identical to version 1, which is already active; nothing changed", out)
        self.assertEqual(db.sql("SELECT COUNT(*) FROM campaign_versions"), "1")

        changed = copy.deepcopy(self.sample)
        changed["wheel"]["prizes"][0]["weight"] = 390
        changed["wheel"]["prizes"][5]["weight"] = 340
        path = self.write("nowruz-1405.json", changed)
        code, out, err = self.cli(*base, "campaign", "load", path)
        self.assertEqual(code, 0, err)
        self.assertIn("nowruz-1405: stored as version 2, now active (was version 1)", out)
        self.assertEqual(db.sql("SELECT version FROM campaign_versions ORDER BY version"),
                         "1\n2")
        self.assertEqual(db.sql("SELECT active_version FROM campaigns"), "2")
        # The file text is stored exactly, Persian included.
        with open(path, encoding="utf-8") as f:
            self.assertIn("\u062c\u0634\u0646\u0648\u0627\u0631\u0647", f.read())
        self.assertEqual(db.sql("SELECT source LIKE '%\u062c\u0634\u0646\u0648\u0627\u0631\u0647%'"
                                " FROM campaign_versions WHERE version = 2"), "1")

        code, out, err = self.cli(*base, "campaign", "list")
        self.assertEqual(code, 0, err)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith("ID"), out)
        self.assertEqual(lines[1].split()[:4], ["nowruz-1405", "2", "2", "2"], out)

        # An invalid file changes nothing.
        broken = copy.deepcopy(self.sample)
        broken["short_codes"] = []
        code, _, err = self.cli(*base, "campaign", "load", self.write("broken.json", broken))
        self.assertEqual(code, 2)
        self.assertIn("$.short_codes: has 0 entries", err)
        self.assertIn("nothing was stored", err)
        self.assertEqual(db.sql("SELECT COUNT(*) FROM campaign_versions"), "2")

        # Another campaign on the same short code at the same time is refused.
        other = copy.deepcopy(self.sample)
        other["id"] = "nowruz-rival"
        other_path = self.write("rival.json", other)
        code, _, err = self.cli(*base, "campaign", "load", other_path)
        self.assertEqual(code, 2)
        self.assertIn("short code 3000 is also used by the active campaign nowruz-1405", err)
        self.assertEqual(db.sql("SELECT COUNT(*) FROM campaigns"), "1")

        code, out, err = self.cli(*base, "campaign", "stop", "nowruz-1405")
        self.assertEqual(code, 0, err)
        self.assertIn("nowruz-1405: stopped (version 2 is no longer active)", out)
        self.assertEqual(db.sql("SELECT active_version IS NULL FROM campaigns"), "1")
        code, out, _ = self.cli(*base, "campaign", "list")
        self.assertEqual(out.splitlines()[1].split()[:4], ["nowruz-1405", "-", "2", "2"])
        code, out, _ = self.cli(*base, "campaign", "stop", "nowruz-1405")
        self.assertEqual(code, 0)
        self.assertIn("not active; nothing changed", out)
        code, _, err = self.cli(*base, "campaign", "stop", "no-such-campaign")
        self.assertEqual(code, 2)
        self.assertIn('no campaign "no-such-campaign"', err)

        # Once the first is stopped, the rival may run.
        code, out, err = self.cli(*base, "campaign", "load", other_path)
        self.assertEqual(code, 0, err)
        self.assertIn("nowruz-rival: stored as version 1, now active", out)

        # Loading version 1's text again re-activates it without a third version.
        code, out, err = self.cli(*base, "campaign", "stop", "nowruz-rival")
        self.assertEqual(code, 0, err)
        code, out, err = self.cli(*base, "campaign", "load", SAMPLE)
        self.assertEqual(code, 0, err)
        self.assertIn("identical to stored version 1, now active again", out)
        self.assertEqual(db.sql("SELECT COUNT(*) FROM campaign_versions "
                                "WHERE campaign_id = 'nowruz-1405'"), "2")

    def test_load_needs_a_migrated_database(self):
        db = self.database("camp_nomig", migrated=False)
        code, _, err = self.cli(*db_args(db), "campaign", "load", SAMPLE)
        self.assertEqual(code, 1)
        self.assertIn("run gamigate migrate first", err)

    def test_unreachable_database(self):
        code, _, err = self.cli("-c", "/dev/null", "--set",
                                "database.socket=/nonexistent/mysqld.sock", "--set",
                                "database.connect_timeout_s=1", "campaign", "list")
        self.assertEqual(code, 1)
        self.assertIn("gamigate campaign list:", err)
        self.assertIn("tools/db start", err)

    def test_reload_says_what_it_does(self):
        code, out, _ = self.cli("campaign", "reload")
        self.assertEqual(code, 0)
        self.assertIn("does not signal running nodes yet", out)
        self.assertIn("SIGHUP", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
