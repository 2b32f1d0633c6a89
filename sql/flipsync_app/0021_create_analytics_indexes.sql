-- flipsync_app 0021: time-range scans (BRIN on the append order), per-event-type series, property filters
CREATE INDEX analytics_occurred_at_brin_idx ON analytics USING brin (occurred_at);
CREATE INDEX analytics_event_type_occurred_at_idx ON analytics (event_type, occurred_at);
CREATE INDEX analytics_properties_gin_idx ON analytics USING gin (properties jsonb_path_ops);
