-- mcp_inference_enhancement 0006: incoming edges of a node (covers the target_node_id foreign key)
CREATE INDEX knowledge_edges_target_node_id_relation_type_idx ON knowledge_edges (target_node_id, relation_type);
