-- mcp_inference_enhancement 0004: find entities by name whatever their type; property filters
CREATE INDEX knowledge_nodes_name_idx ON knowledge_nodes (name);
CREATE INDEX knowledge_nodes_properties_gin_idx ON knowledge_nodes USING gin (properties jsonb_path_ops);
