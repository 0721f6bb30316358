-- The game's state: an append-only points ledger whose positive rows are lots that
-- expire (oldest spent first), a chances ledger, the wheel's spins and per-prize cap
-- counters, daily check-ins with streaks, mission completions (at most once per
-- period, by key), and voucher pools. Balances on subscribers change only in the same
-- transaction as their ledger row.
ALTER TABLE subscribers ADD COLUMN IF NOT EXISTS qualifying_points BIGINT NOT NULL DEFAULT 0;

CREATE TABLE IF NOT EXISTS points_ledger (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  delta BIGINT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  ref VARCHAR(120) NOT NULL,
  remaining BIGINT NOT NULL DEFAULT 0,
  expires_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY points_ledger_ref (ref),
  KEY points_ledger_lots (subscriber_id, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS chances_ledger (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  delta BIGINT NOT NULL,
  reason VARCHAR(32) NOT NULL,
  ref VARCHAR(120) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY chances_ledger_ref (ref),
  KEY chances_ledger_subscriber (subscriber_id, campaign_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per spin; (subscriber, campaign, day, seq) makes "N spins a day" a key.
CREATE TABLE IF NOT EXISTS spins (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  day_key CHAR(10) NOT NULL,
  seq INT UNSIGNED NOT NULL,
  random_value BIGINT UNSIGNED NOT NULL,
  total_weight BIGINT UNSIGNED NOT NULL,
  drawn_prize VARCHAR(40) NOT NULL,
  awarded_prize VARCHAR(40) NOT NULL,
  voucher_code VARCHAR(100) NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY spins_per_day (subscriber_id, campaign_id, day_key, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Cap counters: day_key is the local day, or '*' for the campaign total.
CREATE TABLE IF NOT EXISTS wheel_prize_counters (
  campaign_id VARCHAR(40) NOT NULL,
  prize_id VARCHAR(40) NOT NULL,
  day_key CHAR(10) NOT NULL,
  awarded BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, prize_id, day_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS checkins (
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  day_key CHAR(10) NOT NULL,
  streak INT UNSIGNED NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (subscriber_id, campaign_id, day_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS mission_completions (
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  mission_id VARCHAR(40) NOT NULL,
  period_key VARCHAR(16) NOT NULL,
  completed_at DATETIME(6) NOT NULL,
  PRIMARY KEY (subscriber_id, campaign_id, mission_id, period_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Voucher codes, imported per pool; a code is handed to exactly one subscriber.
CREATE TABLE IF NOT EXISTS vouchers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  pool VARCHAR(40) NOT NULL,
  code VARCHAR(100) NOT NULL,
  subscriber_id BIGINT UNSIGNED NULL,
  assigned_at DATETIME(6) NULL,
  imported_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY vouchers_code (pool, code),
  KEY vouchers_free (pool, subscriber_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
