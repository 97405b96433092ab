-- The auditor's read-only role (DESIGN.md: auditors read PostgreSQL read-only). `crvs audit` and
-- `crvs verify record` connect through DATABASE_READONLY_URL as a login role that is a member of
-- crvs_auditor, for example:
--   create role inspector login password '...' in role crvs_auditor;
-- crvs_auditor itself cannot log in, and may only read the ledger tables.
--
-- Roles are cluster-wide while migrations run per database: creating the role is idempotent,
-- tolerates a concurrent migration of another database creating it at the same moment, and is
-- skipped with a notice where the migrating user may not create roles (managed PostgreSQL); an
-- administrator then creates it once by hand. The grants are per database and always applied.
do $$
begin
  if not exists (select from pg_roles where rolname = 'crvs_auditor') then
    create role crvs_auditor nologin;
  end if;
exception
  when duplicate_object or unique_violation then null;
  when insufficient_privilege then
    raise notice 'crvs_auditor not created (no CREATEROLE privilege); create it as an administrator';
end
$$;

do $$
begin
  if exists (select from pg_roles where rolname = 'crvs_auditor') then
    grant usage on schema public to crvs_auditor;
    grant select on record_versions, ledger_pending, batches, batch_leaves, batch_anchors to crvs_auditor;
  end if;
end
$$;
