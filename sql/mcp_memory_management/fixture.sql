-- mcp_memory_management fixture: 2k contexts, a 3-level memory tree of 6k nodes, 1.5k embeddings
-- (384-d, 40 topics; see below for why that few suffice for HNSW).
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO contexts (id, context_key, scope, owner, data, expires_at)
SELECT i, 'ctx-' || i, (ARRAY['global','project','session','agent'])[1 + i % 4], 'agent-' || (i % 300),
       jsonb_build_object('n', i),
       CASE WHEN r < 0.03 THEN now() - random() * interval '1 day'
            WHEN r < 0.40 THEN now() + random() * interval '7 days' END
FROM (SELECT i, random() AS r FROM generate_series(1, 2000) AS i) s;

-- level 2 (roots) 1..200, level 1 201..1000, level 0 1001..6000
INSERT INTO memories (id, context_id, parent_id, level, content, importance)
SELECT i, 1 + i % 2000,
       CASE WHEN i <= 200 THEN NULL WHEN i <= 1000 THEN 1 + i % 200 ELSE 201 + i % 800 END,
       CASE WHEN i <= 200 THEN 2 WHEN i <= 1000 THEN 1 ELSE 0 END,
       'Memory node ' || i, random()
FROM generate_series(1, 6000) AS i;

-- Inserted into the copy's HNSW index, built empty like the live one. Every row of a
-- topic carries its topic's 384-d embedding: HNSW keeps equal vectors as one element with up to
-- 10 heap TIDs, so each insert searches a graph of ~150 elements and the index stays small
-- against the heap, which is what the planner weighs (index pages and ef_search against heap
-- pages). At 1.5k rows HNSW is chosen at hnsw.ef_search = 100 (dev, staging, prod) and 40 (ci).
INSERT INTO embeddings (memory_id, embedding)
SELECT 1000 + i, t.embedding
FROM generate_series(1, 1500) AS i
JOIN (SELECT k, (SELECT array_agg(sin(d * k) ORDER BY d) FROM generate_series(1, 384) AS d)::vector AS embedding
      FROM generate_series(1, 40) AS k) t ON t.k = 1 + i % 40;
