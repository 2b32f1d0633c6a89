-- flipsync_app 0007: catalogue browsing by category/supplier, attribute filters, text search
CREATE INDEX products_category_id_idx ON products (category_id);
CREATE INDEX products_supplier_id_idx ON products (supplier_id);
CREATE INDEX products_attributes_gin_idx ON products USING gin (attributes jsonb_path_ops);
CREATE INDEX products_search_tsv_gin_idx ON products USING gin (search_tsv);
