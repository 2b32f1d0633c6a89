-- collab_sessions 0004: pre-load the four agents the seed names; commands are defaults the operator may update
INSERT INTO agents (name, type, command, capabilities) VALUES
    ('claude_code', 'code',     'claude -p',                    '["code", "refactor", "review", "tests"]'),
    ('codex',       'code',     'codex exec',                   '["code", "tests"]'),
    ('gemini_cli',  'code',     'gemini -p',                    '["code", "analysis", "document"]'),
    ('researcher',  'research', 'python -m agents.researcher',  '["research", "analysis", "document"]')
ON CONFLICT (name) DO NOTHING;
