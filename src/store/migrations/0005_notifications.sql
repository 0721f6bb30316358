-- Messages the game wants to send a subscriber on its own (tier upgrades, expiry
-- warnings, winner notices). Until the outbox lands they wait here as pending rows;
-- the outbox will pick them up. ref makes each notice happen at most once.
CREATE TABLE IF NOT EXISTS notifications (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NULL,
  kind VARCHAR(16) NOT NULL,
  template VARCHAR(40) NOT NULL,
  vars TEXT NOT NULL,
  ref VARCHAR(120) NOT NULL,
  status VARCHAR(16) NOT NULL DEFAULT 'pending',
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY notifications_ref (ref),
  KEY notifications_pending (status, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
