-- The outbox: every outbound SMS is a row here before any attempt to send it.
--
-- state: queued -> sending -> sent -> delivered | failed | expired. A sender claims
-- due rows (queued with not_before passed, or sending with an expired lease) and holds
-- them under a lease (lease_owner, lease_until): rows held by a process that crashed
-- are claimed again by another once the lease runs out, so a message is sent at least
-- once and never lost. client_ref is unique and goes to the provider wherever it can
-- de-duplicate (and in the DLR URL), so a retry after a crash does not double it.
-- kind: reply | transactional | promotional (policies: quiet hours and the daily cap
-- apply to promotional only; STOP stops everything but replies). dlr_rank orders
-- delivery reports so a late "buffered" never overwrites "delivered".
CREATE TABLE IF NOT EXISTS outbox (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  client_ref VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  kind VARCHAR(16) NOT NULL,
  subscriber_id BIGINT UNSIGNED NULL,
  msisdn VARCHAR(16) NOT NULL,
  text VARCHAR(2000) NOT NULL,
  lang CHAR(2) NULL,
  campaign_id VARCHAR(40) NULL,
  source VARCHAR(80) NULL,
  priority TINYINT NOT NULL DEFAULT 0,
  segments INT UNSIGNED NOT NULL DEFAULT 1,
  state VARCHAR(12) NOT NULL DEFAULT 'queued',
  not_before DATETIME(6) NOT NULL,
  expires_at DATETIME(6) NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  lease_owner VARCHAR(100) NULL,
  lease_until DATETIME(6) NULL,
  provider VARCHAR(16) NULL,
  provider_id VARCHAR(80) NULL,
  last_error VARCHAR(255) NULL,
  dlr_status VARCHAR(32) NULL,
  dlr_rank TINYINT NOT NULL DEFAULT 0,
  created_at DATETIME(6) NOT NULL,
  sent_at DATETIME(6) NULL,
  done_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY outbox_client_ref (client_ref),
  KEY outbox_due (state, not_before),
  KEY outbox_lease (state, lease_until),
  KEY outbox_owner (lease_owner),
  KEY outbox_subscriber_day (subscriber_id, kind, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A delivery report meaning "blocked / advertising filter" opts the member out of
-- promotional traffic (as STOP does), without touching their membership.
ALTER TABLE subscribers ADD COLUMN IF NOT EXISTS promo_blocked_at DATETIME(6) NULL;

-- Reminders: what campaign managers schedule (gamigate reminder add, /api/v1/reminders,
-- or a campaign file's "reminders"). definition is the checked JSON (schedule, segment,
-- texts per language); next_run_at is the next time it fires (NULL: never again).
-- status: active | paused | done.
CREATE TABLE IF NOT EXISTS reminders (
  id VARCHAR(40) NOT NULL,
  campaign_id VARCHAR(40) NULL,
  definition TEXT NOT NULL,
  status VARCHAR(12) NOT NULL DEFAULT 'active',
  next_run_at DATETIME(6) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY reminders_due (status, next_run_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per firing of a reminder: (reminder_id, scheduled_for) is unique, so two
-- nodes never start the same firing. A run materialises its segment into the outbox in
-- batches, walking subscribers by id (cursor = the last id done) under a lease, so a
-- node that dies mid-run leaves it to another, which goes on from the cursor. Its
-- outbox rows are "rem:<run id>:<subscriber id>": each member at most once per run.
CREATE TABLE IF NOT EXISTS reminder_runs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  reminder_id VARCHAR(40) NOT NULL,
  scheduled_for DATETIME(6) NOT NULL,
  status VARCHAR(12) NOT NULL DEFAULT 'running',
  cursor_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  members BIGINT UNSIGNED NOT NULL DEFAULT 0,
  refused BIGINT UNSIGNED NOT NULL DEFAULT 0,
  lease_owner VARCHAR(100) NULL,
  lease_until DATETIME(6) NULL,
  started_at DATETIME(6) NOT NULL,
  finished_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY reminder_runs_firing (reminder_id, scheduled_for),
  KEY reminder_runs_open (status, lease_until)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

ALTER TABLE outbox ADD INDEX IF NOT EXISTS outbox_source (source, state);
