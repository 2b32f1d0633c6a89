-- flipsync_app 0002: case-insensitive unique login lookup by e-mail
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));
