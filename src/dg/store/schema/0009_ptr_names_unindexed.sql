-- 0009: ptr_names loses its index on name. A sweep's names arrive in address order, so every
-- name was a random insert into that index: measured on the rig's 66,048-address sweep it was
-- ~45 % of the CPU time of the thread that stores results (perf samples of that thread: 1,030
-- with the index, 578 without; sorting each batch by name first: no gain), and that thread
-- shares two cores with the DNS engine and the resolver. No command looks names up across
-- sweeps; a lookup by name (SweepStore::by_name) reads the table instead.
DROP INDEX IF EXISTS ptr_names_name;
