-- flipsync_app 0004: children of a category (foreign key parent_id)
CREATE INDEX categories_parent_id_idx ON categories (parent_id);
