-- vector_store 0001: drop documents
DROP TABLE documents;
