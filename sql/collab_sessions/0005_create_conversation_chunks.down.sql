-- collab_sessions 0005: drop conversation_chunks
DROP TABLE conversation_chunks;
