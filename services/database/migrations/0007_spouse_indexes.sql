-- The identity and PINFL indexes of registry_people (0003) serve one query: the marriage rules'
-- "is this person already in a current marriage recorded here" (currentMarriagesOf in
-- services/registry/records/store.ts), which only ever looks at spouses
-- (`role in ('spouse1', 'spouse2')`). Every birth nevertheless wrote five entries into them
-- (child, mother, father; the parents' PINFLs), on the registration's own transaction, while the
-- office's counter row is locked. Indexing spouses only keeps the marriage rules' plan (the PINFL
-- arm still uses its index, the name arm the date-of-birth index, as before) and takes that work
-- off every birth. Search (by name, date of birth) uses other indexes and is unchanged.

drop index registry_people_identity;
create index registry_people_spouse_identity on registry_people (identity_name, date_of_birth)
  where role in ('spouse1', 'spouse2');

drop index registry_people_pinfl;
create index registry_people_spouse_pinfl on registry_people (pinfl)
  where pinfl is not null and role in ('spouse1', 'spouse2');
