-- The game's writes as procedures: one CALL per use case instead of a round trip per
-- statement (bench/README.md: the statements of a spin cost the server about half as
-- much inside one procedure as sent one by one). Each procedure is the only SQL for what
-- it does; src/store calls it and keeps its C contract. The *_core procedures take and
-- give OUT parameters and send no rows, so procedures can call each other; the others
-- answer one row for the C caller.
--
-- gg_award_core: an award into the ledgers, once per ref (refs "<ref>:p" and "<ref>:c").
-- Points > 0 open a lot that expires after p_expiry_days (0 = never) and, with
-- p_qualifying, count toward tiers; the balances on the subscriber row move in the same
-- transaction as their ledger rows. OUT: the points and chances actually awarded (0 for
-- a ref used before) and the subscriber's qualifying points after (-1 when unchanged).
DELIMITER //
CREATE PROCEDURE gg_award_core(
  IN p_sub BIGINT UNSIGNED,
  IN p_campaign VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_version INT UNSIGNED,
  IN p_points BIGINT,
  IN p_chances BIGINT,
  IN p_reason VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_ref VARCHAR(158) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  IN p_expiry_days INT UNSIGNED,
  IN p_qualifying TINYINT,
  OUT o_points BIGINT,
  OUT o_chances BIGINT,
  OUT o_qualifying BIGINT)
BEGIN
  DECLARE v_lot BIGINT DEFAULT IF(p_points > 0, p_points, 0);
  SET o_points = 0, o_chances = 0, o_qualifying = -1;
  IF p_points <> 0 THEN
    INSERT INTO points_ledger (subscriber_id, campaign_id, campaign_version, delta, reason,
                               ref, remaining, expires_at, created_at)
      VALUES (p_sub, p_campaign, p_version, p_points, p_reason, CONCAT(p_ref, ':p'), v_lot,
              IF(v_lot > 0 AND p_expiry_days > 0,
                 UTC_TIMESTAMP(6) + INTERVAL p_expiry_days DAY, NULL),
              UTC_TIMESTAMP(6))
      ON DUPLICATE KEY UPDATE id = id;
    IF ROW_COUNT() = 1 THEN
      UPDATE subscribers SET points = points + p_points,
             qualifying_points = qualifying_points + IF(p_qualifying, v_lot, 0),
             updated_at = UTC_TIMESTAMP(6)
       WHERE id = p_sub;
      SELECT qualifying_points INTO o_qualifying FROM subscribers WHERE id = p_sub;
      SET o_points = p_points;
    END IF;
  END IF;
  IF p_chances <> 0 THEN
    INSERT INTO chances_ledger (subscriber_id, campaign_id, campaign_version, delta, reason,
                                ref, created_at)
      VALUES (p_sub, p_campaign, p_version, p_chances, p_reason, CONCAT(p_ref, ':c'),
              UTC_TIMESTAMP(6))
      ON DUPLICATE KEY UPDATE id = id;
    IF ROW_COUNT() = 1 THEN
      UPDATE subscribers SET chances = chances + p_chances, updated_at = UTC_TIMESTAMP(6)
       WHERE id = p_sub;
      SET o_chances = p_chances;
    END IF;
  END IF;
END //

-- gg_award: gg_award_core for the C side; one row: points, chances, qualifying.
CREATE PROCEDURE gg_award(
  IN p_sub BIGINT UNSIGNED,
  IN p_campaign VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_version INT UNSIGNED,
  IN p_points BIGINT,
  IN p_chances BIGINT,
  IN p_reason VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_ref VARCHAR(158) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin,
  IN p_expiry_days INT UNSIGNED,
  IN p_qualifying TINYINT)
BEGIN
  DECLARE v_points, v_chances, v_qualifying BIGINT;
  CALL gg_award_core(p_sub, p_campaign, p_version, p_points, p_chances, p_reason, p_ref,
                     p_expiry_days, p_qualifying, v_points, v_chances, v_qualifying);
  SELECT v_points, v_chances, v_qualifying;
END //

-- gg_take_voucher_core: hands the oldest free code of p_pool to the subscriber (NULL
-- when the pool is empty).
CREATE PROCEDURE gg_take_voucher_core(
  IN p_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_sub BIGINT UNSIGNED,
  OUT o_code VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin)
BEGIN
  DECLARE v_id BIGINT UNSIGNED DEFAULT NULL;
  SET o_code = NULL;
  SELECT id, code INTO v_id, o_code FROM vouchers
   WHERE pool = p_pool AND subscriber_id IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF v_id IS NOT NULL THEN
    UPDATE vouchers SET subscriber_id = p_sub, assigned_at = UTC_TIMESTAMP(6) WHERE id = v_id;
  END IF;
END //

-- gg_take_voucher: gg_take_voucher_core for the C side; one row: the code or NULL.
CREATE PROCEDURE gg_take_voucher(
  IN p_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_sub BIGINT UNSIGNED)
BEGIN
  DECLARE v_code VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  CALL gg_take_voucher_core(p_pool, p_sub, v_code);
  SELECT v_code;
END //

-- gg_take_prize_core: one unit of a wheel prize - its daily counter (p_daily >= 0) and
-- total counter (p_total >= 0) each go up only while under their cap, and its voucher
-- (p_pool <> '') is handed out; all or nothing. The counters' row locks make
-- concurrent spins on every node wait for each other. OUT: 1 taken, 0 not available.
CREATE PROCEDURE gg_take_prize_core(
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
  -- Affected rows of the upsert: 1 created at 1 (a cap of 0 creates it at 0), 2 raised,
  -- 0 left at the cap.
  IF p_daily >= 0 THEN
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
  IF NOT o_ok THEN
    -- Give back what was taken before the part that failed.
    UPDATE wheel_prize_counters SET awarded = awarded - 1
     WHERE campaign_id = p_campaign AND prize_id = p_prize
       AND ((v_day_taken AND day_key = p_day) OR (v_total_taken AND day_key = '*'));
  END IF;
END //

-- gg_spin: the whole of a spin after the draw, which C made (p_random over p_total gave
-- the drawn prize). Refuses when the member has had p_per_day spins today; else takes
-- the drawn prize (caps and voucher, gg_take_prize_core) or, when it is not available,
-- the fallback prize (never a second draw); records the spin; awards the prize's
-- points and chances (ref "spin:<spin id>"); completes the spin mission for its period
-- (p_mission = '' when the campaign has none) and awards its reward once. One row:
--   spun (0 = no spins left today), fallback (1 = the fallback prize was awarded),
--   voucher code or NULL, points, chances (awarded in all), qualifying points after
--   (-1 = unchanged), spins done before this one
CREATE PROCEDURE gg_spin(
  IN p_sub BIGINT UNSIGNED,
  IN p_campaign VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_version INT UNSIGNED,
  IN p_day CHAR(10) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_per_day INT UNSIGNED,
  IN p_random BIGINT UNSIGNED,
  IN p_total BIGINT UNSIGNED,
  IN p_expiry_days INT UNSIGNED,
  IN p_prize VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_prize_daily BIGINT,
  IN p_prize_total BIGINT,
  IN p_prize_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_prize_points BIGINT,
  IN p_prize_chances BIGINT,
  IN p_fb VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_fb_daily BIGINT,
  IN p_fb_total BIGINT,
  IN p_fb_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_fb_points BIGINT,
  IN p_fb_chances BIGINT,
  IN p_mission VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_period VARCHAR(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci,
  IN p_mission_points BIGINT,
  IN p_mission_chances BIGINT,
  IN p_mission_pool VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci)
proc: BEGIN
  DECLARE v_done BIGINT DEFAULT 0;
  DECLARE v_ok, v_fallback TINYINT DEFAULT 0;
  DECLARE v_code, v_unused VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_spin BIGINT UNSIGNED;
  DECLARE v_ref VARCHAR(158) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
  DECLARE v_points, v_chances, v_q, v_mp, v_mc, v_mq BIGINT DEFAULT 0;

  SELECT COUNT(*) INTO v_done FROM spins
   WHERE subscriber_id = p_sub AND campaign_id = p_campaign AND day_key = p_day;
  IF v_done >= p_per_day THEN
    SELECT 0, 0, NULL, 0, 0, -1, v_done;
    LEAVE proc;
  END IF;

  CALL gg_take_prize_core(p_campaign, p_prize, p_day, p_prize_daily, p_prize_total,
                          p_prize_pool, p_sub, v_ok, v_code);
  IF NOT v_ok THEN
    SET v_fallback = 1;
    CALL gg_take_prize_core(p_campaign, p_fb, p_day, p_fb_daily, p_fb_total, p_fb_pool,
                            p_sub, v_ok, v_code);
  END IF;

  INSERT INTO spins (subscriber_id, campaign_id, campaign_version, day_key, seq,
                     random_value, total_weight, drawn_prize, awarded_prize, voucher_code,
                     created_at)
    VALUES (p_sub, p_campaign, p_version, p_day, v_done + 1, p_random, p_total, p_prize,
            IF(v_fallback, p_fb, p_prize), v_code, UTC_TIMESTAMP(6));
  SET v_spin = LAST_INSERT_ID();
  SET v_ref = CONCAT('spin:', v_spin);
  CALL gg_award_core(p_sub, p_campaign, p_version,
                     IF(v_fallback, p_fb_points, p_prize_points),
                     IF(v_fallback, p_fb_chances, p_prize_chances),
                     'spin', v_ref, p_expiry_days, 1, v_points, v_chances, v_q);

  IF p_mission <> '' THEN
    INSERT INTO mission_completions (subscriber_id, campaign_id, mission_id, period_key,
                                     completed_at)
      VALUES (p_sub, p_campaign, p_mission, p_period, UTC_TIMESTAMP(6))
      ON DUPLICATE KEY UPDATE completed_at = completed_at;
    IF ROW_COUNT() = 1 THEN
      SET v_ref = CONCAT('mission:', p_campaign, ':', p_mission, ':', p_sub, ':', p_period);
      CALL gg_award_core(p_sub, p_campaign, p_version, p_mission_points, p_mission_chances,
                         'mission', v_ref, p_expiry_days, 1, v_mp, v_mc, v_mq);
      IF p_mission_pool <> '' THEN
        CALL gg_take_voucher_core(p_mission_pool, p_sub, v_unused);
      END IF;
      SET v_points = v_points + v_mp, v_chances = v_chances + v_mc;
      IF v_mq >= 0 THEN
        SET v_q = v_mq;
      END IF;
    END IF;
  END IF;
  SELECT 1, v_fallback, v_code, v_points, v_chances, v_q, v_done;
END //
DELIMITER ;
