-- `crvs audit` and `crvs verify record` also check the registry's people index against the
-- records it derives from (services/audit/registry-index.ts): the names search finds and the
-- identity names, dates of birth and PINFLs the marriage rules compare. The auditor's role reads
-- it; it holds nothing the committed records the role reads already do not.
do $$
begin
  if exists (select from pg_roles where rolname = 'crvs_auditor') then
    grant select on registry_people to crvs_auditor;
  end if;
end
$$;
