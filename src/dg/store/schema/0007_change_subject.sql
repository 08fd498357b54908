-- 0006: a change of origin AS, prefix or organisation says which address it concerns, from
-- which record (A/AAAA) and in which role (the domain's own address, a name server's or a mail
-- host's) (issue 12). NULL for the other change types and for changes stored before.
ALTER TABLE changes ADD COLUMN address TEXT;
ALTER TABLE changes ADD COLUMN record_type TEXT;
ALTER TABLE changes ADD COLUMN role TEXT;
ALTER TABLE changes ADD COLUMN host TEXT;
