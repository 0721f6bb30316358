-- Spins are made several at a time by set-based statements (src/store/spins.c, called
-- by game/wheel.c for every spin of a group commit): the per-spin procedure and its
-- prize taker have no caller left.
DROP PROCEDURE IF EXISTS gg_spin;
DROP PROCEDURE IF EXISTS gg_take_prize_core;
