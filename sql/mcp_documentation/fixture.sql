-- mcp_documentation fixture: 200 projects, 6k documents with prose, 10k generated items (3% drafts).
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

INSERT INTO projects (id, name, repository_url)
SELECT i, 'project-' || i, 'https://git.example.com/project-' || i FROM generate_series(1, 200) AS i;

INSERT INTO documents (id, project_id, path, title, doc_type, format, content)
SELECT i, 1 + i % 200, 'docs/page-' || i || '.md',
       initcap(topic[1 + floor(random() * 12)::int]) || ' guide ' || i,
       (ARRAY['guide','reference','api_spec','diagram','readme','changelog'])[1 + i % 6], 'markdown',
       'This page explains ' || topic[1 + floor(random() * 12)::int] || ' and ' || topic[1 + floor(random() * 12)::int]
         || '. ' || repeat('Follow the steps below and check the logs. ', 1 + i % 6)
FROM (SELECT i, ARRAY['authentication','token rotation','deployment','billing','search indexing','rate limiting',
                      'webhooks','caching','migrations','monitoring','backups','access control'] AS topic
      FROM generate_series(1, 6000) AS i) s;

INSERT INTO generated_content (project_id, document_id, content_type, generator, content, status, created_at)
SELECT 1 + floor(random() * 200)::int, CASE WHEN random() < 0.7 THEN 1 + floor(random() * 6000)::int END,
       (ARRAY['summary','api_docs','diagram','changelog','tutorial'])[1 + i % 5], 'gpt-docs',
       'Generated text ' || i,
       CASE WHEN r < 0.03 THEN 'draft' WHEN r < 0.10 THEN 'rejected' WHEN r < 0.40 THEN 'approved' ELSE 'published' END,
       now() - random() * interval '90 days'
FROM (SELECT i, random() AS r FROM generate_series(1, 10000) AS i) s;
