-- agent_memory 0005: replay a session in order; retention sweeps by age
CREATE INDEX conversations_session_id_created_at_idx ON conversations (session_id, created_at);
CREATE INDEX conversations_created_at_idx ON conversations (created_at);
