"""One ComponentResource per concept: image, server, database, service access, bootstrap."""
