-- cyrex_audit fixture: 60k audit entries in time order, 40k task completions, 20k user summaries.
-- user ids are md5('user-<n>')::uuid, task ids md5('task-<n>')::uuid.
-- Runs as the owner role inside a transaction that is rolled back.
SELECT setseed(0.42);

INSERT INTO activity_logs (entity_type, entity_id, action, user_id, new_data, created_at)
SELECT (ARRAY['tasks','projects','users','quests'])[1 + i % 4],
       md5((ARRAY['task-','project-','user-','quest-'])[1 + i % 4] || (i / 4) % 10000)::uuid,
       (ARRAY['INSERT','UPDATE','UPDATE','UPDATE','DELETE'])[1 + i % 5],
       md5('user-' || floor(random() * 20000)::int)::uuid, '{"changed": true}',
       now() - interval '90 days' + i * interval '129 seconds'
FROM generate_series(1, 60000) AS i;

INSERT INTO task_completions (task_id, user_id, momentum_earned, time_taken_minutes, quality_rating, completed_at)
SELECT md5('task-' || floor(random() * 20000)::int)::uuid, md5('user-' || floor(random() * 20000)::int)::uuid,
       floor(random() * 50)::int, floor(random() * 240)::int, 1 + floor(random() * 5)::int,
       now() - random() * interval '365 days'
FROM generate_series(1, 40000) AS i;

INSERT INTO user_activity_summary (user_id, last_active_at, total_tasks_completed, total_momentum_earned, active_days_count)
SELECT md5('user-' || i)::uuid, CASE WHEN random() < 0.95 THEN now() - random() * interval '180 days' END,
       floor(random() * 300)::int, floor(random() * 5000)::int, floor(random() * 200)::int
FROM generate_series(1, 20000) AS i;
