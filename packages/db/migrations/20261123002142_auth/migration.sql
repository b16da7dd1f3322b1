CREATE TABLE "auth_staff" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"username" text NOT NULL UNIQUE,
	"display_name" text NOT NULL,
	"email" text,
	"eppn" text UNIQUE,
	"roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "auth_staff_source" CHECK ("source" IN ('ldap', 'local')),
	CONSTRAINT "auth_staff_roles" CHECK ("roles" <@ ARRAY['noc', 'desk', 'admin']::text[])
);
--> statement-breakpoint
CREATE TABLE "auth_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	"name" text NOT NULL,
	"hash" text NOT NULL UNIQUE,
	"kind" text NOT NULL,
	"scope" text NOT NULL,
	"principal_kind" text NOT NULL,
	"principal_id" text NOT NULL,
	"script_roles" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_used_at" timestamp with time zone,
	CONSTRAINT "auth_tokens_kind" CHECK ("kind" IN ('api', 'session')),
	CONSTRAINT "auth_tokens_scope" CHECK ("scope" IN ('read', 'write')),
	CONSTRAINT "auth_tokens_principal_kind" CHECK ("principal_kind" IN ('staff', 'script', 'contact')),
	CONSTRAINT "auth_tokens_script_roles" CHECK ("script_roles" <@ ARRAY['noc', 'desk', 'admin']::text[]),
	CONSTRAINT "auth_tokens_expiry" CHECK ("expires_at" > "created_at")
);
--> statement-breakpoint
CREATE INDEX "auth_tokens_principal" ON "auth_tokens" ("principal_kind","principal_id");