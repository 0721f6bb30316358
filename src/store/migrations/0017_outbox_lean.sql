-- A leaner outbox: two indexes fewer for every row written and for every claim and send
-- result (each moved an entry in both), measured at a third of the cost of those
-- updates, for lookups that no longer need them:
--   outbox_owner (lease_owner): a claim reads its rows back by their ids, and a result
--     finds its row by id and checks the owner on it;
--   outbox_lease (state, lease_until): rows whose lease ran out are found among the
--     'sending' rows of outbox_due (state, not_before), which are only the rows being
--     sent now (claimed and not yet reported), and that look-up runs only when the
--     queued rows due do not fill a claim.
ALTER TABLE outbox DROP INDEX IF EXISTS outbox_owner, DROP INDEX IF EXISTS outbox_lease;
