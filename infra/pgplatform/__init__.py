"""pgplatform: one PostgreSQL + pgvector server, a schema and least-privilege roles per service."""
