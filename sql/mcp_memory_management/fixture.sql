-- mcp_memory_management fixture: 10k contexts, a 3-level memory tree of 30k nodes, 5k embeddings
-- (384-d, 40 topic clusters; enough rows for the planner to prefer HNSW at hnsw.ef_search = 100).
-- Runs as the owner role inside a transaction that is rolled back; parent rows get explicit ids.
SELECT setseed(0.42);

INSERT INTO contexts (id, context_key, scope, owner, data, expires_at)
SELECT i, 'ctx-' || i, (ARRAY['global','project','session','agent'])[1 + i % 4], 'agent-' || (i % 300),
       jsonb_build_object('n', i),
       CASE WHEN r < 0.03 THEN now() - random() * interval '1 day'
            WHEN r < 0.40 THEN now() + random() * interval '7 days' END
FROM (SELECT i, random() AS r FROM generate_series(1, 10000) AS i) s;

-- level 2 (roots) 1..1000, level 1 1001..5000, level 0 5001..30000
INSERT INTO memories (id, context_id, parent_id, level, content, importance)
SELECT i, 1 + i % 10000,
       CASE WHEN i <= 1000 THEN NULL WHEN i <= 5000 THEN 1 + i % 1000 ELSE 1001 + i % 4000 END,
       CASE WHEN i <= 1000 THEN 2 WHEN i <= 5000 THEN 1 ELSE 0 END,
       'Memory node ' || i, random()
FROM generate_series(1, 30000) AS i;

-- Bulk-load pattern (as pgvector recommends): inserting row by row into an HNSW index costs
-- milliseconds per 384-d vector, so embeddings_embedding_hnsw_idx is dropped and rebuilt from
-- its own catalog definition around the load; all of it is rolled back with the fixture.
DO $load$
DECLARE
    def text := pg_get_indexdef('embeddings_embedding_hnsw_idx'::regclass);
BEGIN
    DROP INDEX embeddings_embedding_hnsw_idx;
    INSERT INTO embeddings (memory_id, embedding)
    SELECT 5000 + i,
           (SELECT array_agg(sin(d * (1 + i % 40)) + (random() - 0.5) * 0.3 ORDER BY d) FROM generate_series(1, 384) AS d)::vector
    FROM generate_series(1, 5000) AS i;
    EXECUTE def;
END
$load$;
