-- External events (recharges, bundles, bills, custom) posted to /api/v1/events by the
-- billing system. event_id is the sender's id and the primary key: an event counts
-- once, however often it is posted, and a replay answers with the stored result (JSON
-- text). Ids are compared exactly (case matters: billing ids are often base62).
-- subscriber_id is set only when the number was a member when the event arrived;
-- event missions count a member's events by (subscriber_id, type, at). at is the time
-- of the event in UTC (the sender's, else the time it arrived).
CREATE TABLE IF NOT EXISTS events (
  event_id VARCHAR(80) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  msisdn VARCHAR(16) NOT NULL,
  subscriber_id BIGINT UNSIGNED NULL,
  type VARCHAR(16) NOT NULL,
  amount BIGINT NOT NULL,
  at DATETIME NOT NULL,
  result TEXT NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (event_id),
  KEY events_counting (subscriber_id, type, at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Ledger and notification refs carry event ids ("event:<campaign>:<event_id>:p" is up
-- to 129 bytes): room for 159 bytes (what reward_apply builds), compared exactly, so
-- that events "AB1" and "ab1" are two events and not one.
ALTER TABLE points_ledger MODIFY ref VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE chances_ledger MODIFY ref VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE notifications MODIFY ref VARCHAR(160) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
