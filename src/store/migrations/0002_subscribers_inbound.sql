-- Subscribers and the record of every inbound SMS.
--
-- subscribers: one row per normalised MSISDN (E.164). joined_at is the consent time
-- of JOIN (NULL for numbers that only sent STOP or LANG); opted_out_at is set by STOP
-- and cleared by START or JOIN: while it is set no promotional message may go out.
-- points, chances and tier are maintained by the game (ledger) in later migrations.
CREATE TABLE IF NOT EXISTS subscribers (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  msisdn VARCHAR(16) NOT NULL,
  lang CHAR(2) NULL,
  joined_at DATETIME(6) NULL,
  opted_out_at DATETIME(6) NULL,
  points BIGINT NOT NULL DEFAULT 0,
  chances BIGINT NOT NULL DEFAULT 0,
  tier VARCHAR(32) NULL,
  created_at DATETIME(6) NOT NULL,
  updated_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY subscribers_msisdn (msisdn)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- inbound_messages: idempotency and the record. (adapter, provider_id) is unique: a
-- retried webhook finds its row and gets the stored reply. Without a provider id,
-- provider_id is "h:<hash of from, to, text>:<time bucket>". raw_text keeps the bytes
-- as received (with their charset); text is the normalised form the grammar saw.
CREATE TABLE IF NOT EXISTS inbound_messages (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  adapter VARCHAR(16) NOT NULL,
  provider_id VARCHAR(80) NOT NULL,
  msisdn VARCHAR(16) NOT NULL,
  recipient VARCHAR(32) NOT NULL,
  raw_text VARBINARY(4096) NOT NULL,
  raw_charset VARCHAR(32) NOT NULL,
  text VARCHAR(2000) NOT NULL,
  command VARCHAR(32) NULL,
  outcome VARCHAR(16) NOT NULL,
  reply VARCHAR(2000) NOT NULL,
  reply_lang CHAR(2) NULL,
  reply_encoding VARCHAR(8) NULL,
  reply_segments INT UNSIGNED NOT NULL DEFAULT 0,
  received_at DATETIME(6) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY inbound_provider (adapter, provider_id),
  KEY inbound_msisdn_time (msisdn, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
