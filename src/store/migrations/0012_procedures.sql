-- Stored procedures: one round trip for what used to take several. Each is the SQL of
-- one store function (src/store); the C side keeps the same contract.
--
-- gg_inbound_begin: the first statement of every inbound message. Counts the number's
-- records within the rate window and reads its subscriber row. With p_lock = 1 it also
-- opens the message's transaction (left open for the caller to COMMIT or ROLLBACK),
-- creates the row when missing and locks it (FOR UPDATE) before anything else is read,
-- so two messages from one number apply one after the other and the transaction's
-- snapshot (made by its first plain read, the COUNT) already sees what the previous
-- message committed. With p_lock = 0 (commands that only read) nothing is locked and no
-- transaction is opened. One row:
--   recent, exists, id, msisdn, lang, member, opted_out, points, chances, tier
DELIMITER //
CREATE PROCEDURE gg_inbound_begin(
  IN p_msisdn VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_window_s INT,
  IN p_lock TINYINT)
BEGIN
  DECLARE v_recent BIGINT DEFAULT 0;
  DECLARE v_id BIGINT UNSIGNED DEFAULT 0;
  IF p_lock THEN
    START TRANSACTION;
    INSERT INTO subscribers (msisdn, created_at, updated_at)
      VALUES (p_msisdn, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))
      ON DUPLICATE KEY UPDATE id = id;
    SELECT id INTO v_id FROM subscribers WHERE msisdn = p_msisdn FOR UPDATE;
  END IF;
  SELECT COUNT(*) INTO v_recent FROM inbound_messages
   WHERE msisdn = p_msisdn AND received_at > UTC_TIMESTAMP(6) - INTERVAL p_window_s SECOND;
  SELECT v_recent, s.id IS NOT NULL, COALESCE(s.id, 0), COALESCE(s.msisdn, ''),
         COALESCE(s.lang, ''), s.joined_at IS NOT NULL, s.opted_out_at IS NOT NULL,
         COALESCE(s.points, 0), COALESCE(s.chances, 0), COALESCE(s.tier, '')
    FROM (SELECT 1 AS one) d LEFT JOIN subscribers s ON s.msisdn = p_msisdn;
END //
DELIMITER ;
