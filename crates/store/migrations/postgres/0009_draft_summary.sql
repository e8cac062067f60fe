-- What lists of drafts show (customer, sender, subject, reasons, line count),
-- so the review queue never reads every draft's whole content.
ALTER TABLE drafts ADD COLUMN summary TEXT;
