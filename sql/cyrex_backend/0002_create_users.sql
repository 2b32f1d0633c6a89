-- cyrex_backend 0002: app accounts, the id every other cyrex schema refers to (seed 004: public.users)
CREATE TABLE public.users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email             text NOT NULL UNIQUE CHECK (email = lower(email) AND position('@' IN email) > 1),
    username          text NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 40),
    display_name      text,
    avatar_url        text,
    role_id           uuid NOT NULL REFERENCES public.roles (id) ON DELETE RESTRICT,
    status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    timezone          text NOT NULL DEFAULT 'UTC',
    email_verified_at timestamptz,
    last_login_at     timestamptz,
    preferences       jsonb NOT NULL DEFAULT '{}',
    metadata          jsonb NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
