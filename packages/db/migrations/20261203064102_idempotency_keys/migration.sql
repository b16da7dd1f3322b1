CREATE TABLE "idempotency_keys" (
	"actor" text,
	"key" text,
	"hash" text NOT NULL,
	"state" text NOT NULL,
	"response" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"locked_until" timestamp with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY("actor","key"),
	CONSTRAINT "idempotency_keys_state" CHECK ("state" IN ('running', 'done'))
);
--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires" ON "idempotency_keys" ("expires_at");