-- agent_memory fixture: 100 memory banks, 1.5k embedded memories (384-d, 40 topics; see below for
-- why that few suffice for HNSW), 4k conversation turns.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO memory_banks (id, name, description)
SELECT i, 'bank-' || i, 'Memory bank of project ' || i FROM generate_series(1, 100) AS i;

-- Inserted into the copy's HNSW index, built empty like the live one. Every row of a
-- topic carries its topic's 384-d embedding: HNSW keeps equal vectors as one element with up to
-- 10 heap TIDs, so each insert searches a graph of ~150 elements and the index stays small
-- against the heap, which is what the planner weighs (index pages and ef_search against heap
-- pages). At 1.5k rows HNSW is chosen at hnsw.ef_search = 100 (dev, staging, prod) and 40 (ci).
INSERT INTO memories (memory_bank_id, content, embedding, metadata, importance, access_count, last_accessed, created_at)
SELECT 1 + i % 100,
       'Memory ' || i || ': the user prefers concise answers with code samples',
       t.embedding,
       jsonb_build_object('kind', (ARRAY['fact','preference','decision'])[1 + i % 3]),
       1 + floor(random() * 10)::int, floor(random() * 30)::int,
       now() - random() * interval '10 days', now() - random() * interval '90 days'
FROM generate_series(1, 1500) AS i
JOIN (SELECT k, (SELECT array_agg(sin(d * k) ORDER BY d) FROM generate_series(1, 384) AS d)::vector AS embedding
      FROM generate_series(1, 40) AS k) t ON t.k = 1 + i % 40;

-- 200 sessions of ~20 alternating turns, in time order
INSERT INTO conversations (session_id, role, content, created_at)
SELECT 'session-' || (i / 20),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
       'Turn ' || i || ' of the conversation',
       now() - interval '90 days' + i * interval '1940 seconds'
FROM generate_series(1, 4000) AS i;
