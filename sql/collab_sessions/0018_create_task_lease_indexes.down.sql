-- collab_sessions 0018: drop the lease index
DROP INDEX tasks_lease_expires_at_idx;
