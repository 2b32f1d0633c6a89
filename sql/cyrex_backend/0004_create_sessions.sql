-- cyrex_backend 0004: login sessions, looked up by the hash of their token (seed 004: public.sessions)
CREATE TABLE public.sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES public.users (id) ON DELETE CASCADE,
    token_hash   text NOT NULL UNIQUE,
    ip_address   inet,
    user_agent   text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CHECK (expires_at > created_at)
);
