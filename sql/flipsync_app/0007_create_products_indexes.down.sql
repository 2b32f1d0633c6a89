-- flipsync_app 0007: drop the products indexes
DROP INDEX products_search_tsv_gin_idx;
DROP INDEX products_attributes_gin_idx;
DROP INDEX products_supplier_id_idx;
DROP INDEX products_category_id_idx;
