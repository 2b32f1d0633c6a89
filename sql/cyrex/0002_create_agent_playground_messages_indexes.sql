-- cyrex 0002: load an instance's conversation in order; retention sweeps by age
CREATE INDEX agent_playground_messages_instance_id_created_at_idx ON agent_playground_messages (instance_id, created_at);
CREATE INDEX agent_playground_messages_created_at_idx ON agent_playground_messages (created_at);
