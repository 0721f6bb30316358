-- Verifiable lottery draws (docs/draws.md).
--
-- draws: one row per draw, created by `gamigate draw commit` with a copy of the draw's
-- definition from its campaign (so later edits of the campaign cannot change a committed
-- draw) and SHA-256(seed), the published commitment. status goes committed -> frozen
-- (export_sha256 and totals of the entries before the cut-off) -> done (the result file,
-- its hash, the beacon used). The conditional updates on status make each step happen
-- once, whatever runs concurrently.
CREATE TABLE IF NOT EXISTS draws (
  draw_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  cutoff DATETIME NOT NULL,
  winners INT UNSIGNED NOT NULL,
  backups INT UNSIGNED NOT NULL,
  multiple_wins TINYINT(1) NOT NULL,
  beacon_round BIGINT UNSIGNED NULL,
  status VARCHAR(16) NOT NULL,
  seed_sha256 CHAR(64) CHARACTER SET ascii NOT NULL,
  committed_at DATETIME(6) NOT NULL,
  committed_by VARCHAR(128) NOT NULL,
  export_sha256 CHAR(64) CHARACTER SET ascii NULL,
  entries BIGINT NULL,
  chances BIGINT NULL,
  frozen_at DATETIME(6) NULL,
  beacon VARCHAR(128) CHARACTER SET ascii NULL,
  result MEDIUMTEXT CHARACTER SET ascii NULL,
  result_sha256 CHAR(64) CHARACTER SET ascii NULL,
  run_at DATETIME(6) NULL,
  PRIMARY KEY (draw_id),
  KEY draws_campaign (campaign_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The sealed seeds: a table of their own that only `draw run` reads (the API and
-- `draw status` never do) until the run reveals it in the result.
CREATE TABLE IF NOT EXISTS draw_seeds (
  draw_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  seed CHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (draw_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The winners and backups of a finished draw, with who they are.
CREATE TABLE IF NOT EXISTS draw_winners (
  draw_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  pick INT UNSIGNED NOT NULL,
  backup TINYINT(1) NOT NULL,
  rank_no INT UNSIGNED NOT NULL,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  pid CHAR(16) CHARACTER SET ascii NOT NULL,
  masked VARCHAR(20) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (draw_id, pick)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The audit trail, one hash chain over every draw: row_hash = SHA-256 of the previous
-- row's hash and this row's fields (docs/draws.md), so an edited or deleted row breaks
-- the chain. draw_audit_head holds the last row's id and hash (locked to append, one
-- appender at a time); it also catches the deletion of the last rows.
CREATE TABLE IF NOT EXISTS draw_audit (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  draw_id VARCHAR(40) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  action VARCHAR(16) NOT NULL,
  actor VARCHAR(128) NOT NULL,
  at_utc CHAR(26) CHARACTER SET ascii NOT NULL,
  details VARCHAR(1000) NOT NULL,
  prev_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  row_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (id),
  KEY draw_audit_draw (draw_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS draw_audit_head (
  k TINYINT UNSIGNED NOT NULL,
  last_id BIGINT UNSIGNED NOT NULL,
  last_hash CHAR(64) CHARACTER SET ascii NOT NULL,
  PRIMARY KEY (k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
INSERT IGNORE INTO draw_audit_head (k, last_id, last_hash)
  VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- A draw's entries are the chances of its campaign created before its cut-off, summed
-- per member: this index covers that query and hands it the rows in member order, so
-- the freeze reads 10 million chances without a temporary table or a sort.
ALTER TABLE chances_ledger
  ADD INDEX IF NOT EXISTS chances_ledger_draw (campaign_id, subscriber_id, created_at, delta);
