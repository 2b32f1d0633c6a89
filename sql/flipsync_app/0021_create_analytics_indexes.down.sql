-- flipsync_app 0021: drop the analytics indexes
DROP INDEX analytics_properties_gin_idx;
DROP INDEX analytics_event_type_occurred_at_idx;
DROP INDEX analytics_occurred_at_brin_idx;
