-- cyrex_backend 0011: quest definitions, seasonal or evergreen, with machine-readable completion criteria (seed 004: public.quests)
CREATE TABLE public.quests (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    season_id       uuid REFERENCES public.seasons (id) ON DELETE SET NULL,  -- NULL: evergreen
    title           text NOT NULL,
    description     text,
    quest_type      text NOT NULL CHECK (quest_type IN ('daily', 'weekly', 'seasonal', 'milestone')),
    criteria        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(criteria) = 'object'),
    momentum_reward integer NOT NULL DEFAULT 0 CHECK (momentum_reward >= 0),
    is_active       boolean NOT NULL DEFAULT true,
    starts_at       timestamptz,
    ends_at         timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at > starts_at)
);
