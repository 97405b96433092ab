-- The registry officers' API (issue 4): registry offices, registration-number counters, the
-- registry's index of its records (office, number, current version, people for search and for the
-- marriage rules), access tokens, and the append-only audit trail.
--
-- The records' content lives in the ledger (record_versions, append-only); the tables here only
-- point into it. registry_records.current_version moves forward on a correction; the versions
-- themselves never change.

create table registry_offices (
  code text primary key check (code ~ '^[0-9]{4}$'),
  name text not null,
  region_code text not null check (region_code ~ '^17[0-9]{2}$'),  -- SOATO code of the top-level unit
  kind text not null check (kind in ('regional-department', 'district-office', 'public-service-center'))
);

-- Regional civil registry (FHDYo) departments carry their region's SOATO code; district offices
-- and Public Service Centers carry the region's two-digit SOATO suffix and a serial.
insert into registry_offices (code, name, region_code, kind) values
  ('1703', 'Andijon viloyati FHDYo boshqarmasi', '1703', 'regional-department'),
  ('0301', 'Andijon shahar FHDYo bo''limi', '1703', 'district-office'),
  ('0302', 'Asaka tumani FHDYo bo''limi', '1703', 'district-office'),
  ('0303', 'Shahrixon tumani FHDYo bo''limi', '1703', 'district-office'),
  ('0304', 'Xonobod shahar Davlat xizmatlari markazi', '1703', 'public-service-center'),
  ('1706', 'Buxoro viloyati FHDYo boshqarmasi', '1706', 'regional-department'),
  ('0601', 'Buxoro shahar FHDYo bo''limi', '1706', 'district-office'),
  ('0602', 'G''ijduvon tumani FHDYo bo''limi', '1706', 'district-office'),
  ('0603', 'Kogon shahar Davlat xizmatlari markazi', '1706', 'public-service-center'),
  ('1708', 'Jizzax viloyati FHDYo boshqarmasi', '1708', 'regional-department'),
  ('0801', 'Jizzax shahar FHDYo bo''limi', '1708', 'district-office'),
  ('0802', 'Zomin tumani FHDYo bo''limi', '1708', 'district-office'),
  ('0803', 'G''allaorol tumani Davlat xizmatlari markazi', '1708', 'public-service-center'),
  ('1710', 'Qashqadaryo viloyati FHDYo boshqarmasi', '1710', 'regional-department'),
  ('1001', 'Qarshi shahar FHDYo bo''limi', '1710', 'district-office'),
  ('1002', 'Shahrisabz shahar FHDYo bo''limi', '1710', 'district-office'),
  ('1003', 'Kitob tumani Davlat xizmatlari markazi', '1710', 'public-service-center'),
  ('1712', 'Navoiy viloyati FHDYo boshqarmasi', '1712', 'regional-department'),
  ('1201', 'Navoiy shahar FHDYo bo''limi', '1712', 'district-office'),
  ('1202', 'Zarafshon shahar FHDYo bo''limi', '1712', 'district-office'),
  ('1203', 'Karmana tumani Davlat xizmatlari markazi', '1712', 'public-service-center'),
  ('1714', 'Namangan viloyati FHDYo boshqarmasi', '1714', 'regional-department'),
  ('1401', 'Namangan shahar FHDYo bo''limi', '1714', 'district-office'),
  ('1402', 'Chust tumani FHDYo bo''limi', '1714', 'district-office'),
  ('1403', 'Uchqo''rg''on tumani Davlat xizmatlari markazi', '1714', 'public-service-center'),
  ('1718', 'Samarqand viloyati FHDYo boshqarmasi', '1718', 'regional-department'),
  ('1801', 'Samarqand shahar FHDYo bo''limi', '1718', 'district-office'),
  ('1802', 'Urgut tumani FHDYo bo''limi', '1718', 'district-office'),
  ('1803', 'Kattaqo''rg''on shahar FHDYo bo''limi', '1718', 'district-office'),
  ('1804', 'Pastdarg''om tumani Davlat xizmatlari markazi', '1718', 'public-service-center'),
  ('1722', 'Surxondaryo viloyati FHDYo boshqarmasi', '1722', 'regional-department'),
  ('2201', 'Termiz shahar FHDYo bo''limi', '1722', 'district-office'),
  ('2202', 'Denov tumani FHDYo bo''limi', '1722', 'district-office'),
  ('2203', 'Sherobod tumani Davlat xizmatlari markazi', '1722', 'public-service-center'),
  ('1724', 'Sirdaryo viloyati FHDYo boshqarmasi', '1724', 'regional-department'),
  ('2401', 'Guliston shahar FHDYo bo''limi', '1724', 'district-office'),
  ('2402', 'Yangiyer shahar FHDYo bo''limi', '1724', 'district-office'),
  ('2403', 'Sirdaryo tumani Davlat xizmatlari markazi', '1724', 'public-service-center'),
  ('1726', 'Toshkent shahar FHDYo boshqarmasi', '1726', 'regional-department'),
  ('2601', 'Yunusobod tumani FHDYo bo''limi', '1726', 'district-office'),
  ('2602', 'Chilonzor tumani FHDYo bo''limi', '1726', 'district-office'),
  ('2603', 'Mirzo Ulug''bek tumani FHDYo bo''limi', '1726', 'district-office'),
  ('2604', 'Yashnobod tumani Davlat xizmatlari markazi', '1726', 'public-service-center'),
  ('2605', 'Shayxontohur tumani FHDYo bo''limi', '1726', 'district-office'),
  ('1727', 'Toshkent viloyati FHDYo boshqarmasi', '1727', 'regional-department'),
  ('2701', 'Nurafshon shahar FHDYo bo''limi', '1727', 'district-office'),
  ('2702', 'Chirchiq shahar FHDYo bo''limi', '1727', 'district-office'),
  ('2703', 'Zangiota tumani FHDYo bo''limi', '1727', 'district-office'),
  ('2704', 'Qibray tumani Davlat xizmatlari markazi', '1727', 'public-service-center'),
  ('1730', 'Farg''ona viloyati FHDYo boshqarmasi', '1730', 'regional-department'),
  ('3001', 'Farg''ona shahar FHDYo bo''limi', '1730', 'district-office'),
  ('3002', 'Qo''qon shahar FHDYo bo''limi', '1730', 'district-office'),
  ('3003', 'Marg''ilon shahar FHDYo bo''limi', '1730', 'district-office'),
  ('3004', 'Rishton tumani Davlat xizmatlari markazi', '1730', 'public-service-center'),
  ('1733', 'Xorazm viloyati FHDYo boshqarmasi', '1733', 'regional-department'),
  ('3301', 'Urganch shahar FHDYo bo''limi', '1733', 'district-office'),
  ('3302', 'Xiva shahar FHDYo bo''limi', '1733', 'district-office'),
  ('3303', 'Hazorasp tumani Davlat xizmatlari markazi', '1733', 'public-service-center'),
  ('1735', 'Qoraqalpog''iston Respublikasi FHDYo boshqarmasi', '1735', 'regional-department'),
  ('3501', 'Nukus shahar FHDYo bo''limi', '1735', 'district-office'),
  ('3502', 'To''rtko''l tumani FHDYo bo''limi', '1735', 'district-office'),
  ('3503', 'Xo''jayli tumani Davlat xizmatlari markazi', '1735', 'public-service-center');

-- One row per office and year, locked by the registration's own transaction while it allocates:
-- a rollback returns the number, so numbers have no gaps and no duplicates (unlike a sequence).
create table registration_counters (
  office_code text not null references registry_offices (code),
  year integer not null check (year between 1900 and 9999),
  last_sequence integer not null check (last_sequence >= 1),
  primary key (office_code, year)
);

create table registry_records (
  record_id uuid primary key,
  seq bigint generated always as identity unique,           -- listing order and search cursor
  kind text not null check (kind in ('birth', 'marriage')),
  office_code text not null references registry_offices (code),
  registration_year integer not null,
  registration_sequence integer not null check (registration_sequence >= 1),
  registration_number text not null unique,
  current_version integer not null check (current_version >= 1),
  registered_at timestamptz not null default now(),
  corrected_at timestamptz,
  unique (office_code, registration_year, registration_sequence),
  -- Checked at commit, so a registration can send its index rows before its ledger row in one
  -- pipelined write (services/registry/registrations.ts).
  foreign key (record_id, current_version) references record_versions (record_id, version) deferrable initially deferred
);
create index registry_records_office_seq on registry_records (office_code, seq);

-- The people of each record's current version (replaced on a correction): search by name and
-- date of birth, and the marriage rules (two different persons, no second current marriage).
create table registry_people (
  record_id uuid not null references registry_records (record_id),
  role text not null check (role in ('child', 'mother', 'father', 'spouse1', 'spouse2')),
  search_name text not null,          -- normalised "family given patronymic"
  identity_name text not null,        -- normalised "family given"
  identity_name_after text,           -- normalised "family-after given" for spouses
  date_of_birth date not null,
  pinfl text check (pinfl ~ '^[0-9]{14}$'),
  primary key (record_id, role)
);
create index registry_people_search_name on registry_people using gin (search_name gin_trgm_ops);
create index registry_people_birth on registry_people (date_of_birth);
create index registry_people_identity on registry_people (identity_name, date_of_birth);
create index registry_people_pinfl on registry_people (pinfl) where pinfl is not null;

-- Bearer tokens: only the SHA-256 of the token is stored; the token is shown once at creation.
create table access_tokens (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 100),
  role text not null check (role in ('registrar', 'archivist', 'auditor', 'admin')),
  office_code text references registry_offices (code),
  token_hash bytea not null unique check (length(token_hash) = 32),
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  check (role <> 'registrar' or office_code is not null)
);
create unique index access_tokens_active_name on access_tokens (name) where revoked_at is null;

-- Who changed what, when and from where. Append-only, like the ledger.
create table audit_trail (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  request_id text,
  actor_token_id uuid,
  actor_name text,
  actor_role text,
  actor_office text,
  method text not null,
  route text not null,
  path text not null,
  record_id uuid,
  status integer not null,
  client_address text,
  forwarded_for text,
  user_agent text
);
create index audit_trail_record on audit_trail (record_id) where record_id is not null;

create function audit_trail_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'the audit trail is append-only: % on % refused', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_trail_append_only before update or delete on audit_trail
  for each row execute function audit_trail_refuse_change();
create trigger audit_trail_no_truncate before truncate on audit_trail
  for each statement execute function audit_trail_refuse_change();
