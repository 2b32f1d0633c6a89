-- cyrex_backend 0026: drop the activity_logs indexes
DROP INDEX audit.activity_logs_created_at_brin_idx;
DROP INDEX audit.activity_logs_user_id_created_at_idx;
DROP INDEX audit.activity_logs_entity_created_at_idx;
