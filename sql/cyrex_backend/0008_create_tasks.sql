-- cyrex_backend 0008: tasks of a project, each worth momentum when done (seed 004: public.tasks)
CREATE TABLE public.tasks (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    project_id        uuid NOT NULL REFERENCES public.projects (id) ON DELETE CASCADE,
    assignee_id       uuid REFERENCES public.users (id) ON DELETE SET NULL,
    title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description       text,
    status            text NOT NULL DEFAULT 'todo'
                      CHECK (status IN ('todo', 'in_progress', 'blocked', 'done', 'cancelled')),
    priority          smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
    momentum_value    integer NOT NULL DEFAULT 10 CHECK (momentum_value >= 0),
    estimated_minutes integer CHECK (estimated_minutes > 0),
    due_at            timestamptz,
    completed_at      timestamptz,
    tags              text[] NOT NULL DEFAULT '{}',
    metadata          jsonb NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'done') = (completed_at IS NOT NULL))
);
