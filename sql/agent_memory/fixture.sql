-- agent_memory fixture: 100 memory banks, 2k embedded memories, 40k conversation turns.
-- Runs as the owner role inside a transaction that is rolled back; parent rows get explicit ids.
SELECT setseed(0.42);

INSERT INTO memory_banks (id, name, description)
SELECT i, 'bank-' || i, 'Memory bank of project ' || i FROM generate_series(1, 100) AS i;

INSERT INTO memories (memory_bank_id, content, embedding, metadata, importance, access_count, last_accessed, created_at)
SELECT 1 + i % 100,
       'Memory ' || i || ': the user prefers concise answers with code samples',
       ARRAY(SELECT random() FROM generate_series(1, 384) WHERE i > 0)::vector,
       jsonb_build_object('kind', (ARRAY['fact','preference','decision'])[1 + i % 3]),
       1 + floor(random() * 10)::int, floor(random() * 30)::int,
       now() - random() * interval '10 days', now() - random() * interval '90 days'
FROM generate_series(1, 2000) AS i;

-- 2k sessions of ~20 alternating turns, in time order
INSERT INTO conversations (session_id, role, content, created_at)
SELECT 'session-' || (i / 20),
       CASE WHEN i % 2 = 0 THEN 'user' ELSE 'assistant' END,
       'Turn ' || i || ' of the conversation',
       now() - interval '90 days' + i * interval '194 seconds'
FROM generate_series(1, 40000) AS i;
