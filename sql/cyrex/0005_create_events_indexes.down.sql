-- cyrex 0005: drop the events indexes
DROP INDEX events_created_at_brin_idx;
DROP INDEX events_workflow_id_idx;
DROP INDEX events_event_type_created_at_idx;
DROP INDEX events_entity_created_at_idx;
