-- cyrex_backend 0009: a project's tasks by status (covers the project foreign key); a user's tasks by due date (covers the assignee foreign key)
CREATE INDEX tasks_project_id_status_idx ON public.tasks (project_id, status);
CREATE INDEX tasks_assignee_id_due_at_idx ON public.tasks (assignee_id, due_at);
