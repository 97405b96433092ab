-- An API process may number a batch of registrations before its transaction begins, from where it
-- saw its offices' counters last (services/registry/records/number-forecast.ts), and take the
-- numbers from the counters in the very statement that writes the batch: BEGIN, that statement and
-- COMMIT then go to the server together, one round trip for the whole transaction. The database has
-- the last word. The statement calls this with whether the counters came out where the process
-- foresaw; if they did not (another process or server registered for the office meanwhile), it fails
-- the statement, and with it the transaction and its COMMIT, before a number is written twice or
-- skipped. The process then numbers the batch the usual way, from the counters.
create function registration_numbers_as_foreseen(foreseen boolean) returns boolean
language plpgsql volatile as $$
begin
  if not foreseen then
    raise exception 'the registration numbers foreseen for this batch were taken meanwhile'
      using errcode = 'CR001', hint = 'number the batch again from registration_counters';
  end if;
  return true;
end
$$;
