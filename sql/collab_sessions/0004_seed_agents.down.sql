-- collab_sessions 0004: remove the pre-loaded agents
DELETE FROM agents WHERE name IN ('claude_code', 'codex', 'gemini_cli', 'researcher');
