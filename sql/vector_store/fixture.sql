-- vector_store fixture: 5k documents with 384-d embeddings clustered around 40 topics, and
-- source/space metadata. 5k rows: with hnsw.ef_search = 100 (the dev stack) the planner prefers
-- the HNSW index from about 4k rows; below that a sequential scan is genuinely cheaper.
-- Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

-- Bulk-load pattern (as pgvector recommends): inserting row by row into an HNSW index costs
-- milliseconds per 384-d vector, so documents_embedding_hnsw_idx is dropped and rebuilt from
-- its own catalog definition around the load; all of it is rolled back with the fixture.
DO $load$
DECLARE
    def text := pg_get_indexdef('documents_embedding_hnsw_idx'::regclass);
BEGIN
    DROP INDEX documents_embedding_hnsw_idx;
    INSERT INTO documents (title, content, embedding, metadata, created_at)
    SELECT 'Document ' || i,
           'Body of document ' || i || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + i % 10),
           (SELECT array_agg(sin(d * (1 + i % 40)) + (random() - 0.5) * 0.3 ORDER BY d) FROM generate_series(1, 384) AS d)::vector,
           jsonb_build_object('source', (ARRAY['confluence','github','slack','gdrive'])[1 + i % 4],
                              'space', 'space-' || floor(random() * 40)::int,
                              'lang', 'en'),
           now() - random() * interval '365 days'
    FROM generate_series(1, 5000) AS i;
    EXECUTE def;
END
$load$;

-- steady state: autovacuum would have merged the GIN pending lists after a bulk load
SELECT gin_clean_pending_list(c.oid)
FROM pg_class c JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace;
