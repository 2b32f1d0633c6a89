-- mcp_inference_enhancement 0005: drop knowledge_edges
DROP TABLE knowledge_edges;
