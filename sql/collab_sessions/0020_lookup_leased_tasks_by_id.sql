-- collab_sessions 0020: heartbeat_task, complete_task and fail_task (0019) find their task by primary key instead of scanning the lease index
-- 0019 wrote `status IN ('claimed', 'running')` into their WHERE clause. That matches the
-- predicate of tasks_lease_expires_at_idx (0018), which the planner then takes for the smaller
-- path and reads whole, filtering on id: every complete_task visited each held task and each
-- not-yet-vacuumed entry of a finished one (measured with auto_explain under scripts/bench: 3
-- buffers at the start of a drain, 260 after 4,000 claims). The condition is implied anyway:
-- 0017's tasks_lease_check gives a task a lease token exactly when it is claimed or running, so
-- `lease_token = p_lease_token` already says the caller holds it, and without the status
-- condition the only usable index is the primary key. Signatures, results and semantics are
-- 0019's.
CREATE OR REPLACE FUNCTION heartbeat_task(p_task_id bigint, p_lease_token uuid,
                                          p_lease interval DEFAULT interval '5 minutes')
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
BEGIN
    UPDATE tasks SET lease_expires_at = now() + p_lease, updated_at = now()
     WHERE id = p_task_id AND lease_token = p_lease_token;
    RETURN FOUND;
END;
$$;

CREATE OR REPLACE FUNCTION complete_task(p_task_id bigint, p_lease_token uuid,
                                         p_output jsonb DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
BEGIN
    UPDATE tasks
       SET status = 'completed', output_data = p_output, completed_at = now(),
           lease_token = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE id = p_task_id AND lease_token = p_lease_token;
    RETURN FOUND;
END;
$$;

-- Back to the queue while attempts remain, else dead-lettered; NULL when the caller no longer
-- holds the lease.
CREATE OR REPLACE FUNCTION fail_task(p_task_id bigint, p_lease_token uuid, p_error text)
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
     WHERE id = p_task_id AND lease_token = p_lease_token
    RETURNING status INTO v_status;
    RETURN v_status;
END;
$$;
