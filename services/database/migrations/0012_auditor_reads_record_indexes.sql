-- `crvs audit` and `crvs verify record` also check the indexes the application reads records
-- through against the ledger (services/audit/record-index.ts): which version registry_records
-- shows as current, what archive_documents shows of an archive entry, and which records the
-- audit trail says were written. The auditor's role reads them; of the audit trail, only what
-- ties a successful write to its record (not who made it, nor from where).
do $$
begin
  if exists (select from pg_roles where rolname = 'crvs_auditor') then
    grant select on registry_records, archive_documents to crvs_auditor;
    grant select (id, record_id, status, occurred_at) on audit_trail to crvs_auditor;
  end if;
end
$$;
