-- cyrex 0005: audit trail of an entity; events of a type over time; events of a workflow; time-range scans of the append-only log (BRIN)
CREATE INDEX events_entity_created_at_idx ON events (entity_type, entity_id, created_at DESC);
CREATE INDEX events_event_type_created_at_idx ON events (event_type, created_at DESC);
CREATE INDEX events_workflow_id_idx ON events (workflow_id);
CREATE INDEX events_created_at_brin_idx ON events USING brin (created_at);
