-- cyrex_backend 0026: history of an entity; a user's actions; time-range scans of the append-only log (BRIN)
CREATE INDEX activity_logs_entity_created_at_idx ON audit.activity_logs (entity_type, entity_id, created_at DESC);
CREATE INDEX activity_logs_user_id_created_at_idx ON audit.activity_logs (user_id, created_at DESC);
CREATE INDEX activity_logs_created_at_brin_idx ON audit.activity_logs USING brin (created_at);
