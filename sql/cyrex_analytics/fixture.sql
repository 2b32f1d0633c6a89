-- cyrex_analytics fixture: 20k users with momentum, streaks and boosts, 60k level-ups, 40k achievements.
-- user ids are md5('user-<n>')::uuid. Runs as the owner role inside a rolled-back transaction;
-- parent rows get explicit ids.
SELECT setseed(0.42);

INSERT INTO momentum (id, user_id, total_momentum, current_level, commits, reviews, display_momentum)
SELECT i, md5('user-' || i)::uuid, m, 1 + m / 100, floor(random() * 300)::int, floor(random() * 100)::int, random() < 0.8
FROM (SELECT i, floor(power(random(), 3) * 20000)::int AS m FROM generate_series(1, 20000) AS i) s;

INSERT INTO level_progress (momentum_id, level, total_momentum_at_time, reached_at)
SELECT 1 + i % 20000, 1 + i / 20000, (1 + i / 20000) * 100, now() - random() * interval '365 days'
FROM generate_series(0, 59999) AS i;

-- every user unlocks one or two of 39 common kinds; every 20th user also 'first-pr-merged'
INSERT INTO achievements (momentum_id, achievement_id, name, rarity, unlocked_at)
SELECT m, code, initcap(replace(code, '-', ' ')),
       (ARRAY['common','common','uncommon','rare','epic','legendary'])[1 + floor(random() * 6)::int],
       now() - random() * interval '365 days'
FROM (SELECT 1 + i AS m, 'kind-' || (i % 39) AS code FROM generate_series(0, 19999) AS i
      UNION ALL
      SELECT 1 + i, 'kind-' || ((i + 7) % 39) FROM generate_series(0, 18999) AS i
      UNION ALL
      SELECT 1 + i * 20, 'first-pr-merged' FROM generate_series(0, 999) AS i) s;

INSERT INTO streaks (user_id, daily_current, daily_longest, daily_last_date)
SELECT md5('user-' || i)::uuid, d, d + floor(random() * 30)::int, current_date - (i % 3)
FROM (SELECT i, floor(power(random(), 4) * 365)::int AS d FROM generate_series(1, 20000) AS i) s;

-- the nightly reset already ran for almost everyone
INSERT INTO boosts (user_id, boost_credits, max_autopilot_time_per_day, autopilot_time_used_today, last_autopilot_reset)
SELECT md5('user-' || i)::uuid, floor(random() * 50)::int, 60, floor(random() * 60)::int,
       CASE WHEN random() < 0.02 THEN current_date - 1 ELSE current_date END
FROM generate_series(1, 20000) AS i;
