-- Voucher codes are taken by C (store/game.c game_take_vouchers: SKIP LOCKED, then a
-- wait only when too few are left), for one member or a whole group commit; the
-- procedures that did it for one member have no caller left.
DROP PROCEDURE IF EXISTS gg_take_voucher;
DROP PROCEDURE IF EXISTS gg_take_voucher_core;
