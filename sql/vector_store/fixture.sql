-- vector_store fixture: 2k documents with random 384-d embeddings and source/space metadata.
-- Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

INSERT INTO documents (title, content, embedding, metadata, created_at)
SELECT 'Document ' || i,
       'Body of document ' || i || '. ' || repeat('Lorem ipsum dolor sit amet. ', 1 + i % 10),
       -- the subquery references the row, so each row gets its own vector
       ARRAY(SELECT random() FROM generate_series(1, 384) WHERE i > 0)::vector,
       jsonb_build_object('source', (ARRAY['confluence','github','slack','gdrive'])[1 + i % 4],
                          'space', 'space-' || floor(random() * 40)::int,
                          'lang', 'en'),
       now() - random() * interval '365 days'
FROM generate_series(1, 2000) AS i;

-- steady state: autovacuum would have merged the GIN pending lists after a bulk load
SELECT gin_clean_pending_list(c.oid)
FROM pg_class c JOIN pg_am a ON a.oid = c.relam
WHERE a.amname = 'gin' AND c.relnamespace = current_schema()::regnamespace;
