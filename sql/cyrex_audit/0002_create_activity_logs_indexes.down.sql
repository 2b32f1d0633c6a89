-- cyrex_audit 0002: drop the activity_logs indexes
DROP INDEX activity_logs_created_at_brin_idx;
DROP INDEX activity_logs_user_id_created_at_idx;
DROP INDEX activity_logs_entity_created_at_idx;
