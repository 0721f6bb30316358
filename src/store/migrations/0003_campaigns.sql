-- Campaign files as loaded with `gamigate campaign load`: every version is kept (past
-- outcomes name the version that produced them, e.g. points_ledger.campaign_version);
-- at most one version per campaign is active, and none after `campaign stop`.
--
-- campaign_versions.source is the file text exactly as given; checksum is its 64-bit
-- FNV-1a in 16 hex digits (the same function as schema_migrations), used to find an
-- identical earlier version so that loading the same file again changes nothing.
CREATE TABLE IF NOT EXISTS campaigns (
  id VARCHAR(40) NOT NULL,
  active_version INT UNSIGNED NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS campaign_versions (
  campaign_id VARCHAR(40) NOT NULL,
  version INT UNSIGNED NOT NULL,
  source MEDIUMTEXT NOT NULL,
  checksum CHAR(16) NOT NULL,
  loaded_at DATETIME(6) NOT NULL,
  loaded_by VARCHAR(128) NOT NULL,
  PRIMARY KEY (campaign_id, version),
  KEY campaign_versions_checksum (campaign_id, checksum),
  CONSTRAINT campaign_versions_campaign FOREIGN KEY (campaign_id) REFERENCES campaigns (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The active version must be one that was stored (NULL = stopped).
ALTER TABLE campaigns ADD CONSTRAINT campaigns_active_version
  FOREIGN KEY IF NOT EXISTS (id, active_version) REFERENCES campaign_versions (campaign_id, version);
