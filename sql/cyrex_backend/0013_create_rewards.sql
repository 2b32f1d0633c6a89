-- cyrex_backend 0013: rewards granted to a user, from a quest or otherwise, and their claim state (seed 004: public.rewards)
CREATE TABLE public.rewards (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    quest_id    uuid REFERENCES public.quests (id) ON DELETE SET NULL,  -- NULL: level-up, streak or manual grant
    reward_type text NOT NULL CHECK (reward_type IN ('momentum', 'boost_credits', 'badge', 'cosmetic')),
    amount      integer NOT NULL DEFAULT 1 CHECK (amount > 0),
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'claimed', 'expired')),
    metadata    jsonb NOT NULL DEFAULT '{}',
    granted_at  timestamptz NOT NULL DEFAULT now(),
    claimed_at  timestamptz,
    expires_at  timestamptz,
    CHECK ((status = 'claimed') = (claimed_at IS NOT NULL)),
    CHECK (expires_at IS NULL OR expires_at > granted_at)
);
