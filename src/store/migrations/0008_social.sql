-- The social side of the game: referrals, the daily quiz, the leaderboard.
--
-- referrals: who brought whom. referee_id is unique: a subscriber has one referrer,
-- ever, however often or concurrently a code is sent. status is 'pending' (accepted,
-- rewards wait for the referee's first event when the campaign says require_active),
-- 'rewarded' (both sides got their rewards, refs "referral:<id>:..."), or 'capped' (the
-- referrer had used up the cap by the time the pending referral became due). day_key
-- and week_key are the local day and week of the rewards, for "N referrals in a
-- period" missions.
CREATE TABLE IF NOT EXISTS referrals (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  referrer_id BIGINT UNSIGNED NOT NULL,
  referee_id BIGINT UNSIGNED NOT NULL,
  status VARCHAR(16) NOT NULL,
  day_key CHAR(10) NULL,
  week_key CHAR(10) NULL,
  created_at DATETIME(6) NOT NULL,
  rewarded_at DATETIME(6) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY referrals_referee (referee_id),
  KEY referrals_referrer (campaign_id, referrer_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Rewarded referrals per referrer and campaign: the cap is a conditional UPDATE of this
-- row (rewarded < cap), whose row lock also orders a referrer's referrals, so the
-- milestone counts are reached one at a time and each exactly once.
CREATE TABLE IF NOT EXISTS referral_counters (
  campaign_id VARCHAR(40) NOT NULL,
  referrer_id BIGINT UNSIGNED NOT NULL,
  rewarded INT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (campaign_id, referrer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One answer per subscriber, campaign and local day: the key makes a second ANSWER a
-- no-op whatever the timing.
CREATE TABLE IF NOT EXISTS quiz_answers (
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  day_key CHAR(10) NOT NULL,
  choice TINYINT UNSIGNED NOT NULL,
  correct TINYINT(1) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (subscriber_id, campaign_id, day_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The leaderboard: board_points is a member's balance (NULL for numbers that never
-- joined), kept by the server in the same statement as points, and indexed. The top
-- five are the index's last entries; a rank is a bounded count of the entries above a
-- score (covered by the index). No award path maintains anything for it. It is a column
-- of its own rather than an index on points because a statement like "UPDATE ... WHERE
-- id = ? AND points >= ?" (spending) may then be planned as a range scan of that index,
-- locking every row in the range: concurrent spends and expiries were seen to deadlock.
ALTER TABLE subscribers
  ADD COLUMN IF NOT EXISTS board_points BIGINT AS (IF(joined_at IS NULL, NULL, points)) PERSISTENT,
  ADD INDEX IF NOT EXISTS subscribers_board (board_points);
