-- Hot rows: a prize with a small cap, a voucher pool. Under load every spin that draws
-- such a prize used to lock the same row and hold the lock until its commit (with group
-- commit, the commit of a whole batch), so spins queued behind each other.
--
-- gg_take_prize_core: a counter already at its cap is seen by a plain read (committed
-- counters never pass their cap: a unit is given back in the transaction that took it)
-- and skipped without taking its lock; only a counter still under its cap is raised by
-- the locking upsert, which checks the cap again.
-- gg_take_voucher_core: takes the oldest free code that no other transaction holds
-- (SKIP LOCKED); only when every free code is held does it wait for them, so an
-- exhausted pool is never announced while a code might still come free.
DELIMITER //
CREATE OR REPLACE PROCEDURE gg_take_voucher_core(
  IN p_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_sub BIGINT UNSIGNED,
  OUT o_code VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)
BEGIN
  DECLARE v_id BIGINT UNSIGNED DEFAULT NULL;
  SET o_code = NULL;
  SELECT id, code INTO v_id, o_code FROM vouchers
   WHERE pool = p_pool AND subscriber_id IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF v_id IS NULL THEN
    SELECT id, code INTO v_id, o_code FROM vouchers
     WHERE pool = p_pool AND subscriber_id IS NULL ORDER BY id LIMIT 1 FOR UPDATE;
  END IF;
  IF v_id IS NOT NULL THEN
    UPDATE vouchers SET subscriber_id = p_sub, assigned_at = UTC_TIMESTAMP(6) WHERE id = v_id;
  END IF;
END //

CREATE OR REPLACE PROCEDURE gg_take_prize_core(
  IN p_campaign VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_prize VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_day CHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_daily BIGINT,
  IN p_total BIGINT,
  IN p_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_sub BIGINT UNSIGNED,
  OUT o_ok TINYINT,
  OUT o_code VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)
BEGIN
  DECLARE v_day_taken, v_total_taken TINYINT DEFAULT 0;
  DECLARE v_rc INT DEFAULT 0;
  SET o_ok = 1, o_code = NULL;
  -- At a cap already: no lock taken, nothing changed.
  IF (p_daily >= 0 AND COALESCE((SELECT awarded FROM wheel_prize_counters
        WHERE campaign_id = p_campaign AND prize_id = p_prize AND day_key = p_day), -1)
        >= p_daily)
     OR (p_total >= 0 AND COALESCE((SELECT awarded FROM wheel_prize_counters
        WHERE campaign_id = p_campaign AND prize_id = p_prize AND day_key = '*'), -1)
        >= p_total) THEN
    SET o_ok = 0;
  END IF;
  -- Affected rows of the upsert: 1 created at 1 (a cap of 0 creates it at 0), 2 raised,
  -- 0 left at the cap.
  IF o_ok AND p_daily >= 0 THEN
    INSERT INTO wheel_prize_counters (campaign_id, prize_id, day_key, awarded)
      VALUES (p_campaign, p_prize, p_day, IF(p_daily > 0, 1, 0))
      ON DUPLICATE KEY UPDATE awarded = IF(awarded < p_daily, awarded + 1, awarded);
    SET v_rc = ROW_COUNT();
    SET v_day_taken = v_rc = 2 OR (v_rc = 1 AND p_daily > 0);
    SET o_ok = v_day_taken;
  END IF;
  IF o_ok AND p_total >= 0 THEN
    INSERT INTO wheel_prize_counters (campaign_id, prize_id, day_key, awarded)
      VALUES (p_campaign, p_prize, '*', IF(p_total > 0, 1, 0))
      ON DUPLICATE KEY UPDATE awarded = IF(awarded < p_total, awarded + 1, awarded);
    SET v_rc = ROW_COUNT();
    SET v_total_taken = v_rc = 2 OR (v_rc = 1 AND p_total > 0);
    SET o_ok = v_total_taken;
  END IF;
  IF o_ok AND p_pool <> '' THEN
    CALL gg_take_voucher_core(p_pool, p_sub, o_code);
    SET o_ok = o_code IS NOT NULL;
  END IF;
  IF NOT o_ok AND (v_day_taken OR v_total_taken) THEN
    -- Give back what was taken before the part that failed.
    UPDATE wheel_prize_counters SET awarded = awarded - 1
     WHERE campaign_id = p_campaign AND prize_id = p_prize
       AND ((v_day_taken AND day_key = p_day) OR (v_total_taken AND day_key = '*'));
  END IF;
END //
DELIMITER ;
