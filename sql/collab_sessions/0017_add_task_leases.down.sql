-- collab_sessions 0017: drop the leases; dead-lettered tasks become failed, as before 0017
UPDATE tasks SET status = 'failed' WHERE status = 'dead';
ALTER TABLE tasks DROP CONSTRAINT tasks_lease_check;
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('pending', 'claimed', 'running', 'completed', 'failed'));
ALTER TABLE tasks
    DROP COLUMN max_attempts,
    DROP COLUMN attempts,
    DROP COLUMN lease_expires_at,
    DROP COLUMN lease_token;
