-- Tier reviews (game/tiers.h): one row per campaign and review period ("2026-05" for
-- the month that ended, "end" for the end of the campaign). The row is the claim: a
-- batch of the review locks it, reads how far the review got (after_id, the last
-- subscriber id done), reviews the next members and moves after_id in the same
-- transaction, so two runs or two nodes never review a member twice and a review that
-- stopped half-way carries on where it was. done_at is set when every member is done.
CREATE TABLE IF NOT EXISTS tier_reviews (
  campaign_id VARCHAR(40) NOT NULL,
  period_key VARCHAR(16) NOT NULL,
  after_id BIGINT UNSIGNED NOT NULL DEFAULT 0,
  reviewed BIGINT NOT NULL DEFAULT 0,
  downgraded BIGINT NOT NULL DEFAULT 0,
  upgraded BIGINT NOT NULL DEFAULT 0,
  started_at DATETIME(6) NOT NULL,
  done_at DATETIME(6) NULL,
  PRIMARY KEY (campaign_id, period_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Corrections by support (gamigate points adjust / reverse): the ledger row a
-- correction wrote, with the agent's note. The ledger itself only carries the reason
-- "adjust", "reversal" or "refund".
CREATE TABLE IF NOT EXISTS points_corrections (
  ledger_ref VARCHAR(120) NOT NULL,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  delta BIGINT NOT NULL,
  note VARCHAR(255) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (ledger_ref),
  KEY points_corrections_subscriber (subscriber_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
