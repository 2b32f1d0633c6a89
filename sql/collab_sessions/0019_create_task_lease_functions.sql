-- collab_sessions 0019: claim_task with leases, and the calls a worker makes while it holds one: heartbeat_task, complete_task, fail_task
-- A claim hands out a lease (a token and a deadline). The worker extends it while it works
-- (heartbeat_task) and ends it with complete_task or fail_task, each honoured only for the
-- current token: once a lease has run out and another worker has reclaimed the task, the late
-- worker's calls return false and its result is discarded. So a task may run twice when a
-- worker dies or stalls past its lease, but it completes exactly once. A task whose leases run
-- out max_attempts times is dead-lettered (status 'dead') rather than retried for ever.
-- Same call conventions as 0016: READ COMMITTED, SECURITY INVOKER (the caller needs UPDATE on
-- tasks), PL/pgSQL for plan caching, search_path pinned.
DROP FUNCTION claim_task(text, text);

CREATE FUNCTION claim_task(p_agent_name text, p_control_agent text,
                           p_lease interval DEFAULT interval '5 minutes')
RETURNS SETOF tasks
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
    v_id        bigint;
    v_exhausted boolean;
BEGIN
    IF p_lease IS NULL OR p_lease <= interval '0' THEN
        RAISE EXCEPTION 'claim_task: the lease must be a positive interval, got %', p_lease;
    END IF;
    -- Leases that ran out first (their worker died or stalled): the oldest deadline first.
    LOOP
        SELECT id, attempts >= max_attempts INTO v_id, v_exhausted
          FROM tasks
         WHERE agent_name = p_agent_name AND status IN ('claimed', 'running')
           AND lease_expires_at < now()
         ORDER BY lease_expires_at
         LIMIT 1
           FOR UPDATE SKIP LOCKED;
        EXIT WHEN NOT FOUND;
        IF NOT v_exhausted THEN
            RETURN QUERY
            UPDATE tasks
               SET status = 'claimed', claimed_by = p_control_agent, claimed_at = now(),
                   started_at = NULL, process_id = NULL, lease_token = gen_random_uuid(),
                   lease_expires_at = now() + p_lease, attempts = attempts + 1, updated_at = now()
             WHERE id = v_id
            RETURNING *;
            RETURN;
        END IF;
        UPDATE tasks
           SET status = 'dead', lease_token = NULL, lease_expires_at = NULL, updated_at = now(),
               error = coalesce(error || '; ', '') || 'lease ran out ' || attempts || ' times'
         WHERE id = v_id;
    END LOOP;
    RETURN QUERY
    UPDATE tasks
       SET status = 'claimed', claimed_by = p_control_agent, claimed_at = now(),
           lease_token = gen_random_uuid(), lease_expires_at = now() + p_lease,
           attempts = attempts + 1, updated_at = now()
     WHERE id = (SELECT id FROM tasks
                  WHERE agent_name = p_agent_name AND status = 'pending'
                  ORDER BY priority DESC, created_at, id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
    RETURNING *;
END;
$$;

CREATE FUNCTION heartbeat_task(p_task_id bigint, p_lease_token uuid,
                               p_lease interval DEFAULT interval '5 minutes')
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
BEGIN
    UPDATE tasks SET lease_expires_at = now() + p_lease, updated_at = now()
     WHERE id = p_task_id AND lease_token = p_lease_token AND status IN ('claimed', 'running');
    RETURN FOUND;
END;
$$;

CREATE FUNCTION complete_task(p_task_id bigint, p_lease_token uuid, p_output jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
BEGIN
    UPDATE tasks
       SET status = 'completed', output_data = p_output, completed_at = now(),
           lease_token = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE id = p_task_id AND lease_token = p_lease_token AND status IN ('claimed', 'running');
    RETURN FOUND;
END;
$$;

-- Back to the queue while attempts remain, else dead-lettered; NULL when the caller no longer
-- holds the lease.
CREATE FUNCTION fail_task(p_task_id bigint, p_lease_token uuid, p_error text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE tasks
       SET status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'pending' END,
           error = p_error, claimed_by = NULL, claimed_at = NULL, started_at = NULL,
           process_id = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE id = p_task_id AND lease_token = p_lease_token AND status IN ('claimed', 'running')
    RETURNING status INTO v_status;
    RETURN v_status;
END;
$$;
