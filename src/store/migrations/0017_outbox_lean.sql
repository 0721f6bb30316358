-- The outbox without the index on lease_owner: every claim and every send result
-- rewrote an entry of it (the owner set, then cleared), about a third of the cost of
-- those two updates, and nothing needs it any more: a claim reads its rows back by
-- their ids, a result finds its row by id and checks the owner on it.
ALTER TABLE outbox DROP INDEX IF EXISTS outbox_owner;
