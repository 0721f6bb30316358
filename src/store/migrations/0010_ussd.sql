-- USSD sessions and the answer to every step (issue 6).
--
-- ussd_sessions: one row per gateway sessionId. The menu position is a pure function of
-- the session's answers (the `text` of each request), so the row only keeps what is not:
-- the number and language the session started with, when it started and was last seen
-- (idle and total timeouts), and whether it ended. screen/page/last_text show where the
-- subscriber is, for operators. Several gamigate nodes serve one session through it.
CREATE TABLE IF NOT EXISTS ussd_sessions (
  session_id VARCHAR(64) NOT NULL,
  msisdn VARCHAR(16) NOT NULL,
  service_code VARCHAR(32) NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  lang CHAR(2) NOT NULL,
  screen VARCHAR(40) NULL,
  page INT UNSIGNED NOT NULL DEFAULT 0,
  last_text VARCHAR(255) NOT NULL DEFAULT '',
  steps INT UNSIGNED NOT NULL DEFAULT 0,
  status VARCHAR(16) NOT NULL DEFAULT 'open',
  started_at DATETIME(6) NOT NULL,
  last_at DATETIME(6) NOT NULL,
  ended_at DATETIME(6) NULL,
  PRIMARY KEY (session_id),
  KEY ussd_sessions_last (last_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- ussd_steps: idempotency. (session_id, text) is unique: the same request again gets
-- `response` (the whole "CON ..."/"END ..." body) and nothing runs twice. full_reply keeps
-- an action's whole reply when it needed more than one screen (its later pages).
CREATE TABLE IF NOT EXISTS ussd_steps (
  session_id VARCHAR(64) NOT NULL,
  text VARBINARY(255) NOT NULL,
  response VARCHAR(1000) NOT NULL,
  full_reply VARCHAR(2000) NULL,
  command VARCHAR(32) NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (session_id, text)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
