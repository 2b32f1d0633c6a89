-- collab_sessions 0020: back to 0019's heartbeat_task, complete_task and fail_task (status condition in the WHERE clause)
CREATE OR REPLACE FUNCTION heartbeat_task(p_task_id bigint, p_lease_token uuid,
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
     WHERE id = p_task_id AND lease_token = p_lease_token AND status IN ('claimed', 'running');
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
     WHERE id = p_task_id AND lease_token = p_lease_token AND status IN ('claimed', 'running')
    RETURNING status INTO v_status;
    RETURN v_status;
END;
$$;
