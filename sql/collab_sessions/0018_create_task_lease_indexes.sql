-- collab_sessions 0018: held tasks by lease deadline, where claim_task (0019) finds the leases that ran out; small (held tasks only), so no agent column
CREATE INDEX tasks_lease_expires_at_idx ON tasks (lease_expires_at) WHERE status IN ('claimed', 'running');
