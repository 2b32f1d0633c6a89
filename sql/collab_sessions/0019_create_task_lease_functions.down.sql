-- collab_sessions 0019: back to 0016's claim_task (no leases)
DROP FUNCTION fail_task(bigint, uuid, text);
DROP FUNCTION complete_task(bigint, uuid, jsonb);
DROP FUNCTION heartbeat_task(bigint, uuid, interval);
DROP FUNCTION claim_task(text, text, interval);

-- Picks the highest-priority, oldest pending task of p_agent_name, skipping rows other callers
-- hold locked, and marks it claimed in the same statement: each task goes to exactly one caller.
-- Returns the claimed row, or no row when the agent's queue is empty. Call it in READ COMMITTED
-- (the default); under REPEATABLE READ a concurrent claim surfaces as a serialization error.
-- SECURITY INVOKER: the caller needs UPDATE on tasks. search_path is pinned as for the triggers.
-- PL/pgSQL rather than SQL: a SQL function with a SET clause is never inlined and re-plans its
-- UPDATE on every call, while PL/pgSQL keeps the plan for the session (claims are the hot path:
-- about a third less server CPU per claim, see scripts/bench).
CREATE FUNCTION claim_task(p_agent_name text, p_control_agent text)
RETURNS SETOF tasks
LANGUAGE plpgsql
VOLATILE
SET search_path FROM CURRENT
AS $$
BEGIN
    RETURN QUERY
    UPDATE tasks
       SET status = 'claimed', claimed_by = p_control_agent, claimed_at = now(), updated_at = now()
     WHERE id = (SELECT id FROM tasks
                  WHERE agent_name = p_agent_name AND status = 'pending'
                  ORDER BY priority DESC, created_at, id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
    RETURNING *;
END;
$$;
