-- mcp_inference_enhancement 0003: drop knowledge_nodes
DROP TABLE knowledge_nodes;
