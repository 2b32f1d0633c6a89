-- agent_memory fixture: 100 memory banks, 5k embedded memories (384-d, 40 topic clusters; enough
-- rows for the planner to prefer HNSW at hnsw.ef_search = 100), 40k conversation turns.
-- Runs as the owner role inside a transaction that is rolled back; parent rows get explicit ids.
SELECT setseed(0.42);

INSERT INTO memory_banks (id, name, description)
SELECT i, 'bank-' || i, 'Memory bank of project ' || i FROM generate_series(1, 100) AS i;

-- Bulk-load pattern (as pgvector recommends): inserting row by row into an HNSW index costs
-- milliseconds per 384-d vector, so memories_embedding_hnsw_idx is dropped and rebuilt from
-- its own catalog definition around the load; all of it is rolled back with the fixture.
DO $load$
DECLARE
    def text := pg_get_indexdef('memories_embedding_hnsw_idx'::regclass);
BEGIN
    DROP INDEX memories_embedding_hnsw_idx;
    INSERT INTO memories (memory_bank_id, content, embedding, metadata, importance, access_count, last_accessed, created_at)
    SELECT 1 + i % 100,
           'Memory ' || i || ': the user prefers concise answers with code samples',
           (SELECT array_agg(sin(d * (1 + i % 40)) + (random() - 0.5) * 0.3 ORDER BY d) FROM generate_series(1, 384) AS d)::vector,
           jsonb_build_object('kind', (ARRAY['fact','preference','decision'])[1 + i % 3]),
           1 + floor(random() * 10)::int, floor(random() * 30)::int,
           now() - random() * interval '10 days', now() - random() * interval '90 days'
    FROM generate_series(1, 5000) AS i;
    EXECUTE def;
END
$load$;

-- 2k sessions of ~20 alternating turns, in time order
INSERT INTO conversations (session_id, role, content, created_at)
SELECT 'session-' || (i / 20),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
       'Turn ' || i || ' of the conversation',
       now() - interval '90 days' + i * interval '194 seconds'
FROM generate_series(1, 40000) AS i;
