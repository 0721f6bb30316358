-- Expiry, redemptions and voucher imports.
--
-- points_ledger.open_expires_at is expires_at while the lot still holds points and NULL
-- otherwise (spent, expired, a debit row, or a lot that never expires), so the expiry
-- job and the expiry warnings read exactly the lots that matter through its index, not
-- every lot that ever expired.
ALTER TABLE points_ledger
  ADD COLUMN IF NOT EXISTS open_expires_at DATETIME(6)
    AS (IF(remaining > 0, expires_at, NULL)) PERSISTENT,
  ADD INDEX IF NOT EXISTS points_ledger_open (open_expires_at, subscriber_id);

-- A day (in the campaign's time zone) whose expiry warnings have all been queued, so
-- the periodic job handles each day once instead of rescanning the warning window.
CREATE TABLE IF NOT EXISTS points_warning_days (
  campaign_id VARCHAR(40) NOT NULL,
  day_key CHAR(10) NOT NULL,
  warned INT UNSIGNED NOT NULL,
  done_at DATETIME(6) NOT NULL,
  PRIMARY KEY (campaign_id, day_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every catalog item redeemed: what it cost, what it gave. The points it cost are the
-- ledger row with ref "redeem:<id>".
CREATE TABLE IF NOT EXISTS redemptions (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  subscriber_id BIGINT UNSIGNED NOT NULL,
  campaign_id VARCHAR(40) NOT NULL,
  campaign_version INT UNSIGNED NOT NULL,
  item_id VARCHAR(40) NOT NULL,
  cost BIGINT NOT NULL,
  points BIGINT NOT NULL DEFAULT 0,
  chances BIGINT NOT NULL DEFAULT 0,
  voucher_code VARCHAR(100) NULL,
  created_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  KEY redemptions_subscriber (subscriber_id, created_at),
  KEY redemptions_item (campaign_id, item_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A voucher code is an opaque string from its vendor: "Ab3x" and "AB3X" are two codes.
ALTER TABLE vouchers MODIFY code VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
