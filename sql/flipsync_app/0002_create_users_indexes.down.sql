-- flipsync_app 0002: drop the users indexes
DROP INDEX users_email_lower_key;
