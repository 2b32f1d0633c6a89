-- mcp_inference_enhancement 0006: drop the knowledge_edges indexes
DROP INDEX knowledge_edges_target_node_id_relation_type_idx;
