CREATE TABLE "db_engine_probe" (
	"id" serial PRIMARY KEY,
	"prefix" cidr NOT NULL
);
