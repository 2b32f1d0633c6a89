-- vector_store fixture: 1.5k documents in 40 topics with source/space metadata, inserted into the
-- live indexes (no DROP INDEX: that would hold an ACCESS EXCLUSIVE lock on the service's table
-- until the rollback, and rebuild HNSW on every run).
-- Every document of a topic carries its topic's 384-d embedding (chunks of one boilerplate
-- page): HNSW keeps equal vectors as one element with up to 10 heap TIDs, so a row-by-row
-- insert costs a search of a graph of ~150 elements instead of 1.5k, and the index stays small
-- against the heap. The planner prices an HNSW scan by index pages and ef_search, a sequential
-- scan by heap pages; at 1.5k rows (~375 heap pages, ~40 index pages) HNSW is chosen with a wide
-- margin at hnsw.ef_search = 100 (dev, staging, prod) and the default 40 (ci).
-- Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

INSERT INTO documents (title, content, embedding, metadata, created_at)
SELECT 'Document ' || i,
       'Body of document ' || i || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + i % 10),
       t.embedding,
       jsonb_build_object('source', (ARRAY['confluence','github','slack','gdrive'])[1 + i % 4],
                          'space', 'space-' || floor(random() * 40)::int,
                          'lang', 'en'),
       now() - random() * interval '365 days'
FROM generate_series(1, 1500) AS i
JOIN (SELECT k, (SELECT array_agg(sin(d * k) ORDER BY d) FROM generate_series(1, 384) AS d)::vector AS embedding
      FROM generate_series(1, 40) AS k) t ON t.k = 1 + i % 40;
