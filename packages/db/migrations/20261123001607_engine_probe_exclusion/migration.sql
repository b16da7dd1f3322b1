-- Custom SQL migration file, put your code below! --
ALTER TABLE "db_engine_probe" ADD CONSTRAINT "db_engine_probe_no_overlap" EXCLUDE USING gist ("prefix" inet_ops WITH &&);
