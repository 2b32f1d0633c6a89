-- mcp_inference_enhancement 0001: drop embeddings
DROP TABLE embeddings;
