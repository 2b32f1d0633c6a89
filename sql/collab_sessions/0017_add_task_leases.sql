-- collab_sessions 0017: leases on claimed tasks (a deadline, the holder's token, attempts) and a dead-letter state, so a task whose worker died returns to the queue (claim_task, 0018)
ALTER TABLE tasks
    ADD COLUMN lease_token      uuid,
    ADD COLUMN lease_expires_at timestamptz,
    ADD COLUMN attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    ADD COLUMN max_attempts     integer NOT NULL DEFAULT 3 CHECK (max_attempts >= 1);
ALTER TABLE tasks DROP CONSTRAINT tasks_status_check;
ALTER TABLE tasks ADD CONSTRAINT tasks_status_check
    CHECK (status IN ('pending', 'claimed', 'running', 'completed', 'failed', 'dead'));
-- Tasks claimed before leases existed get one that has already run out: the next claim
-- returns them to work instead of leaving them claimed for ever.
UPDATE tasks SET lease_token = gen_random_uuid(), lease_expires_at = now(), attempts = 1
 WHERE status IN ('claimed', 'running');
-- A task held by a worker has a lease; no other task has one.
ALTER TABLE tasks ADD CONSTRAINT tasks_lease_check
    CHECK ((status IN ('claimed', 'running')) = (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)
           AND (lease_token IS NULL) = (lease_expires_at IS NULL));
