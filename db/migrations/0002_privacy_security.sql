CREATE TABLE "rate_limits" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "erasures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"requested_by" text NOT NULL,
	"requested_by_staff_id" uuid,
	"erased_at" timestamp with time zone DEFAULT now() NOT NULL,
	"counts" jsonb NOT NULL,
	CONSTRAINT "erasures_requested_by" CHECK ("erasures"."requested_by" in ('customer', 'staff'))
);
--> statement-breakpoint
CREATE TABLE "staff_access_log" (
	"id" uuid PRIMARY KEY NOT NULL,
	"staff_id" uuid NOT NULL,
	"customer_id" uuid NOT NULL,
	"action" text NOT NULL,
	"ticket_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_access_log_action" CHECK ("staff_access_log"."action" in ('ticket_detail', 'export', 'erase'))
);
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "visitor_secret_hash" text;--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "erased_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "showrooms" ADD COLUMN "requires_consent" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "erasures" ADD CONSTRAINT "erasures_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "erasures" ADD CONSTRAINT "erasures_requested_by_staff_id_staff_accounts_id_fk" FOREIGN KEY ("requested_by_staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_access_log" ADD CONSTRAINT "staff_access_log_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_access_log" ADD CONSTRAINT "staff_access_log_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "erasures_customer" ON "erasures" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "staff_access_log_customer" ON "staff_access_log" USING btree ("customer_id","id");--> statement-breakpoint
CREATE INDEX "staff_access_log_staff" ON "staff_access_log" USING btree ("staff_id","id");--> statement-breakpoint
CREATE INDEX "staff_access_log_at" ON "staff_access_log" USING btree ("at");