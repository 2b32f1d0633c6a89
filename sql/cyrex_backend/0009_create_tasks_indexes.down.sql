-- cyrex_backend 0009: drop the tasks indexes
DROP INDEX public.tasks_assignee_id_due_at_idx;
DROP INDEX public.tasks_project_id_status_idx;
