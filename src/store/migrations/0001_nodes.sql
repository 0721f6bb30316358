-- Nodes: every gamigate process registers itself here at start and refreshes
-- last_seen while it runs, so operators can see which nodes share this database
-- and which version each one runs.
CREATE TABLE IF NOT EXISTS nodes (
  name VARCHAR(100) NOT NULL,
  version VARCHAR(40) NOT NULL,
  pid INT UNSIGNED NOT NULL,
  started_at DATETIME(6) NOT NULL,
  last_seen DATETIME(6) NOT NULL,
  PRIMARY KEY (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
