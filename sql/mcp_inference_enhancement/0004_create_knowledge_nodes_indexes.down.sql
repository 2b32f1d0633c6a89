-- mcp_inference_enhancement 0004: drop the knowledge_nodes indexes
DROP INDEX knowledge_nodes_properties_gin_idx;
DROP INDEX knowledge_nodes_name_idx;
