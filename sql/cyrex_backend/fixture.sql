-- cyrex_backend fixture: public (5 roles, 2k users, 4k sessions, 1k projects, 6k tasks, 24 seasons,
-- 3k quests, 4k rewards), then the analytics and audit rows of the same users (each section reseeded).
-- A selective lookup wins from about a thousand rows; activity_logs keep 30k rows (~4 block ranges)
-- so that their BRIN index skips most of the table. Ids are
-- md5('<kind>-<n>')::uuid: user-<n>, role-<name>, project-<n>, task-<n>, season-<n>, quest-<n>.
-- Runs as the owner role into empty temporary copies of the tables, rolled back (sql/README.md).
SELECT setseed(0.42);

-- public ---------------------------------------------------------------------------------------

INSERT INTO public.roles (id, name, description, permissions, is_system)
SELECT md5('role-' || name)::uuid, name, initcap(name) || ' role', perms::jsonb, true
FROM (VALUES ('owner',     '["*"]'),
             ('admin',     '["users:manage", "quests:manage", "seasons:manage", "rewards:grant"]'),
             ('moderator', '["users:suspend", "projects:read"]'),
             ('member',    '["projects:write", "tasks:write", "rewards:claim"]'),
             ('guest',     '["projects:read", "tasks:read"]')) AS r (name, perms);

-- one owner, 4 admins, 20 moderators, 100 guests, the rest members; one sign-up every 500 minutes
INSERT INTO public.users (id, email, username, display_name, role_id, status, email_verified_at,
                          last_login_at, preferences, created_at, updated_at)
SELECT md5('user-' || i)::uuid, 'user' || i || '@example.com', 'user_' || i, 'User ' || i,
       md5('role-' || CASE WHEN i = 1 THEN 'owner' WHEN i % 500 = 0 THEN 'admin' WHEN i % 100 = 1 THEN 'moderator'
                           WHEN i % 20 = 3 THEN 'guest' ELSE 'member' END)::uuid,
       CASE WHEN r < 0.97 THEN 'active' WHEN r < 0.99 THEN 'suspended' ELSE 'deleted' END,
       CASE WHEN r < 0.9 THEN c + interval '10 minutes' END,
       greatest(c, now() - random() * interval '60 days'),
       jsonb_build_object('theme', (ARRAY['light', 'dark'])[1 + i % 2], 'notifications', i % 3 <> 0),
       c, c
FROM (SELECT i, random() AS r, now() - interval '700 days' + i * interval '500 minutes' AS c
      FROM generate_series(1, 2000) AS i) s;

-- 2% expired but not yet swept, 10% revoked (logged out), the rest live for 30 days
INSERT INTO public.sessions (user_id, token_hash, ip_address, user_agent, created_at, last_seen_at, expires_at, revoked_at)
SELECT md5('user-' || (1 + floor(random() * 2000)::int))::uuid, encode(sha256(convert_to('token-' || i, 'UTF8')), 'hex'),
       ('10.' || (i % 256) || '.' || (i / 256 % 256) || '.' || (1 + i % 250))::inet,
       (ARRAY['Mozilla/5.0 (Macintosh)', 'Mozilla/5.0 (Windows NT 10.0)', 'cyrex-cli/1.4', 'CyrexMobile/2.1 (iOS)'])[1 + i % 4],
       c, c + interval '5 minutes', c + interval '30 days',
       CASE WHEN r >= 0.02 AND r < 0.12 THEN c + interval '1 hour' END
FROM (SELECT i, r, CASE WHEN r < 0.02 THEN now() - interval '31 days' - random() * interval '2 days'
                        ELSE now() - random() * interval '29 days' END AS c
      FROM (SELECT i, random() AS r FROM generate_series(1, 4000) AS i) a) s;

-- users 1..400 own two or three projects each
INSERT INTO public.projects (id, owner_id, name, description, status, color, metadata, created_at, updated_at, archived_at)
SELECT md5('project-' || i)::uuid, md5('user-' || (1 + i % 400))::uuid, 'Project ' || i,
       'Synthetic project ' || i, st, '#' || substr(md5('color-' || (i % 12)), 1, 6),
       jsonb_build_object('visibility', (ARRAY['private', 'team', 'public'])[1 + i % 3]),
       c, c + random() * (now() - c), CASE WHEN st = 'archived' THEN now() - random() * interval '30 days' END
FROM (SELECT i, now() - random() * interval '365 days' AS c,
             CASE WHEN r < 0.80 THEN 'active' WHEN r < 0.90 THEN 'paused' WHEN r < 0.97 THEN 'completed' ELSE 'archived' END AS st
      FROM (SELECT i, random() AS r FROM generate_series(1, 1000) AS i) a) s;

-- six tasks per project, mostly done; 10% unassigned
INSERT INTO public.tasks (id, project_id, assignee_id, title, status, priority, momentum_value, estimated_minutes,
                          due_at, completed_at, tags, created_at, updated_at)
SELECT md5('task-' || i)::uuid, md5('project-' || (1 + i % 1000))::uuid,
       CASE WHEN random() < 0.9 THEN md5('user-' || (1 + floor(random() * 2000)::int))::uuid END,
       'Task ' || i, st, floor(random() * 5)::int, 5 * (1 + floor(random() * 10)::int), 15 * (1 + floor(random() * 16)::int),
       c + (1 + floor(random() * 30)::int) * interval '1 day',
       CASE WHEN st = 'done' THEN least(now(), c + random() * interval '20 days') END,
       ARRAY[(ARRAY['frontend', 'backend', 'docs', 'design', 'ops'])[1 + i % 5]], c, c
FROM (SELECT i, now() - random() * interval '180 days' AS c,
             CASE WHEN r < 0.60 THEN 'done' WHEN r < 0.75 THEN 'todo' WHEN r < 0.85 THEN 'in_progress'
                  WHEN r < 0.90 THEN 'blocked' ELSE 'cancelled' END AS st
      FROM (SELECT i, random() AS r FROM generate_series(1, 6000) AS i) a) s;

-- monthly seasons: 19 ended, season 20 active, 4 upcoming
INSERT INTO public.seasons (id, name, description, starts_at, ends_at, status)
SELECT md5('season-' || i)::uuid, 'Season ' || i, 'Monthly season ' || i, s, s + interval '1 month',
       CASE WHEN s > now() THEN 'upcoming' WHEN s + interval '1 month' > now() THEN 'active' ELSE 'ended' END
FROM (SELECT i, date_trunc('month', now()) + (i - 20) * interval '1 month' AS s FROM generate_series(1, 24) AS i) x;

-- 120 quests per season, created season by season, and 120 evergreen ones
INSERT INTO public.quests (id, season_id, title, description, quest_type, criteria, momentum_reward, is_active)
SELECT md5('quest-' || i)::uuid, CASE WHEN i <= 2880 THEN md5('season-' || (1 + (i - 1) / 120))::uuid END,
       'Quest ' || i, 'Complete the quest ' || i,
       CASE WHEN i > 2880 THEN 'milestone' ELSE (ARRAY['daily', 'weekly', 'seasonal'])[1 + i % 3] END,
       jsonb_build_object('action', (ARRAY['task_completed', 'pr_merged', 'doc_written', 'review_done', 'streak_kept'])[1 + i % 5],
                          'count', 1 + i % 10),
       10 * (1 + i % 20), i > 2280
FROM generate_series(1, 3000) AS i;

-- 80% of rewards come from a quest; unclaimed ones expire after 30 days
INSERT INTO public.rewards (user_id, quest_id, reward_type, amount, status, granted_at, claimed_at, expires_at)
SELECT md5('user-' || (1 + floor(random() * 2000)::int))::uuid,
       CASE WHEN random() < 0.8 THEN md5('quest-' || (1 + floor(random() * 3000)::int))::uuid END,
       rt, CASE WHEN rt IN ('badge', 'cosmetic') THEN 1 ELSE 5 * (1 + floor(random() * 20)::int) END,
       st, g, CASE WHEN st = 'claimed' THEN g + random() * interval '3 days' END, g + interval '30 days'
FROM (SELECT i, g, (ARRAY['momentum', 'boost_credits', 'badge', 'cosmetic'])[1 + i % 4] AS rt,
             CASE WHEN r < 0.75 THEN 'claimed' WHEN g > now() - interval '30 days' THEN 'pending' ELSE 'expired' END AS st
      FROM (SELECT i, random() AS r, now() - random() * interval '365 days' AS g FROM generate_series(1, 4000) AS i) a) s;

-- analytics (the former cyrex_analytics fixture) ----------------------------------------------
SELECT setseed(0.42);

INSERT INTO analytics.momentum (id, user_id, total_momentum, current_level, commits, reviews, display_momentum)
SELECT i, md5('user-' || i)::uuid, m, 1 + m / 100, floor(random() * 300)::int, floor(random() * 100)::int, random() < 0.8
FROM (SELECT i, floor(power(random(), 3) * 2000)::int AS m FROM generate_series(1, 2000) AS i) s;

INSERT INTO analytics.level_progress (momentum_id, level, total_momentum_at_time, reached_at)
SELECT 1 + i % 2000, 1 + i / 2000, (1 + i / 2000) * 100, now() - random() * interval '365 days'
FROM generate_series(0, 5999) AS i;

-- every user unlocks one or two of 39 common kinds; every 20th user also 'first-pr-merged'
INSERT INTO analytics.achievements (momentum_id, achievement_id, name, rarity, unlocked_at)
SELECT m, code, initcap(replace(code, '-', ' ')),
       (ARRAY['common','common','uncommon','rare','epic','legendary'])[1 + floor(random() * 6)::int],
       now() - random() * interval '365 days'
FROM (SELECT 1 + i AS m, 'kind-' || (i % 39) AS code FROM generate_series(0, 1999) AS i
      UNION ALL
      SELECT 1 + i, 'kind-' || ((i + 7) % 39) FROM generate_series(0, 1899) AS i
      UNION ALL
      SELECT 1 + i * 20, 'first-pr-merged' FROM generate_series(0, 99) AS i) s;

INSERT INTO analytics.streaks (user_id, daily_current, daily_longest, daily_last_date)
SELECT md5('user-' || i)::uuid, d, d + floor(random() * 30)::int, current_date - (i % 3)
FROM (SELECT i, floor(power(random(), 4) * 365)::int AS d FROM generate_series(1, 2000) AS i) s;

-- the nightly reset already ran for almost everyone
INSERT INTO analytics.boosts (user_id, boost_credits, max_autopilot_time_per_day, autopilot_time_used_today, last_autopilot_reset)
SELECT md5('user-' || i)::uuid, floor(random() * 50)::int, 60, floor(random() * 60)::int,
       CASE WHEN random() < 0.02 THEN current_date - 1 ELSE current_date END
FROM generate_series(1, 2000) AS i;

-- audit (the former cyrex_audit fixture) --------------------------------------------------------
SELECT setseed(0.42);

INSERT INTO audit.activity_logs (entity_type, entity_id, action, user_id, new_data, created_at)
SELECT (ARRAY['tasks','projects','users','quests'])[1 + i % 4],
       md5((ARRAY['task-','project-','user-','quest-'])[1 + i % 4] || (i / 4) % 1000)::uuid,
       (ARRAY['INSERT','UPDATE','UPDATE','UPDATE','DELETE'])[1 + i % 5],
       md5('user-' || floor(random() * 2000)::int)::uuid, '{"changed": true}',
       now() - interval '90 days' + i * interval '259 seconds'
FROM generate_series(1, 30000) AS i;

INSERT INTO audit.task_completions (task_id, user_id, momentum_earned, time_taken_minutes, quality_rating, completed_at)
SELECT md5('task-' || floor(random() * 2000)::int)::uuid, md5('user-' || floor(random() * 2000)::int)::uuid,
       floor(random() * 50)::int, floor(random() * 240)::int, 1 + floor(random() * 5)::int,
       now() - random() * interval '365 days'
FROM generate_series(1, 4000) AS i;

INSERT INTO audit.user_activity_summary (user_id, last_active_at, total_tasks_completed, total_momentum_earned, active_days_count)
SELECT md5('user-' || i)::uuid, CASE WHEN random() < 0.95 THEN now() - random() * interval '180 days' END,
       floor(random() * 300)::int, floor(random() * 5000)::int, floor(random() * 200)::int
FROM generate_series(1, 2000) AS i;
