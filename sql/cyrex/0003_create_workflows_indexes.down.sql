-- cyrex 0003: drop the workflows indexes
DROP INDEX workflows_status_updated_at_idx;
