-- cyrex 0009: a vendor's invoices; invoices of an industry in a date range; fraud analytics
CREATE INDEX cyrex_invoices_vendor_id_invoice_date_idx ON cyrex_invoices (vendor_id, invoice_date DESC);
CREATE INDEX cyrex_invoices_industry_invoice_date_idx ON cyrex_invoices (industry, invoice_date);
CREATE INDEX cyrex_invoices_fraud_invoice_date_idx ON cyrex_invoices (invoice_date) WHERE fraud_detected;
