-- mcp_inference_enhancement fixture: 1.5k embeddings (384-d, 40 topics; see below for why that few
-- suffice for HNSW), 4k graph nodes, 12k edges.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

-- Inserted into the copy's HNSW index, built empty like the live one. Every row of a
-- topic carries its topic's 384-d embedding: HNSW keeps equal vectors as one element with up to
-- 10 heap TIDs, so each insert searches a graph of ~150 elements and the index stays small
-- against the heap, which is what the planner weighs (index pages and ef_search against heap
-- pages). At 1.5k rows HNSW is chosen at hnsw.ef_search = 100 (dev, staging, prod) and 40 (ci).
INSERT INTO embeddings (source_type, source_id, content, embedding, metadata, created_at)
SELECT (ARRAY['document','code','issue','chat'])[1 + i % 4], 'src-' || i, 'Chunk ' || i,
       t.embedding,
       jsonb_build_object('collection', 'collection-' || floor(random() * 100)::int),
       now() - random() * interval '90 days'
FROM generate_series(1, 1500) AS i
JOIN (SELECT k, (SELECT array_agg(sin(d * k) ORDER BY d) FROM generate_series(1, 384) AS d)::vector AS embedding
      FROM generate_series(1, 40) AS k) t ON t.k = 1 + i % 40;

INSERT INTO knowledge_nodes (id, node_type, name, properties)
SELECT i, (ARRAY['person','service','library','concept','file'])[1 + i % 5], 'entity-' || i,
       jsonb_build_object('source', 'doc-' || floor(random() * 500)::int, 'confidence', round(random()::numeric, 2))
FROM generate_series(1, 4000) AS i;

-- three relation types, each a permutation-like mapping so (source, relation, target) stays unique
INSERT INTO knowledge_edges (source_node_id, target_node_id, relation_type, weight)
SELECT 1 + i % 4000, 1 + (i * 7919) % 4000,
       (ARRAY['depends_on','mentions','owned_by'])[1 + i / 4000], random()
FROM generate_series(0, 11999) AS i;
