-- cyrex_backend 0014: drop the rewards indexes
DROP INDEX public.rewards_quest_id_idx;
DROP INDEX public.rewards_user_id_granted_at_idx;
