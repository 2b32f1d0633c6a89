-- flipsync_app 0004: drop the categories indexes
DROP INDEX categories_parent_id_idx;
