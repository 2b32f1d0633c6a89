-- mcp_inference_enhancement fixture: 5k embeddings (384-d, 40 topic clusters; enough rows for the
-- planner to prefer HNSW at hnsw.ef_search = 100), 20k graph nodes, 60k edges.
-- Runs as the owner role inside a transaction that is rolled back; parent rows get explicit ids.
SELECT setseed(0.42);

-- Bulk-load pattern (as pgvector recommends): inserting row by row into an HNSW index costs
-- milliseconds per 384-d vector, so embeddings_embedding_hnsw_idx is dropped and rebuilt from
-- its own catalog definition around the load; all of it is rolled back with the fixture.
DO $load$
DECLARE
    def text := pg_get_indexdef('embeddings_embedding_hnsw_idx'::regclass);
BEGIN
    DROP INDEX embeddings_embedding_hnsw_idx;
    INSERT INTO embeddings (source_type, source_id, content, embedding, metadata, created_at)
    SELECT (ARRAY['document','code','issue','chat'])[1 + i % 4], 'src-' || i, 'Chunk ' || i,
           (SELECT array_agg(sin(d * (1 + i % 40)) + (random() - 0.5) * 0.3 ORDER BY d) FROM generate_series(1, 384) AS d)::vector,
           jsonb_build_object('collection', 'collection-' || floor(random() * 100)::int),
           now() - random() * interval '90 days'
    FROM generate_series(1, 5000) AS i;
    EXECUTE def;
END
$load$;

INSERT INTO knowledge_nodes (id, node_type, name, properties)
SELECT i, (ARRAY['person','service','library','concept','file'])[1 + i % 5], 'entity-' || i,
       jsonb_build_object('source', 'doc-' || floor(random() * 500)::int, 'confidence', round(random()::numeric, 2))
FROM generate_series(1, 20000) AS i;

-- three relation types, each a permutation-like mapping so (source, relation, target) stays unique
INSERT INTO knowledge_edges (source_node_id, target_node_id, relation_type, weight)
SELECT 1 + i % 20000, 1 + (i * 7919) % 20000,
       (ARRAY['depends_on','mentions','owned_by'])[1 + i / 20000], random()
FROM generate_series(0, 59999) AS i;

-- steady state: autovacuum would have merged the GIN pending lists after a bulk load
SELECT gin_clean_pending_list(c.oid)
FROM pg_class c JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace;
