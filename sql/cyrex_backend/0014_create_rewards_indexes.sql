-- cyrex_backend 0014: a user's rewards, newest first (covers the user foreign key); rewards of a quest (covers the quest foreign key)
CREATE INDEX rewards_user_id_granted_at_idx ON public.rewards (user_id, granted_at DESC);
CREATE INDEX rewards_quest_id_idx ON public.rewards (quest_id);
