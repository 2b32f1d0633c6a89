-- cyrex 0009: drop the cyrex_invoices indexes
DROP INDEX cyrex_invoices_fraud_invoice_date_idx;
DROP INDEX cyrex_invoices_industry_invoice_date_idx;
DROP INDEX cyrex_invoices_vendor_id_invoice_date_idx;
