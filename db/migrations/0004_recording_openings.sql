CREATE TABLE "recording_openings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"staff_id" uuid NOT NULL,
	"recording_id" uuid NOT NULL,
	"from_ms" integer NOT NULL,
	"to_ms" integer NOT NULL,
	"visitors" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "recording_openings" ADD CONSTRAINT "recording_openings_staff_id_staff_accounts_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "recording_openings_recording" ON "recording_openings" USING btree ("recording_id","id");--> statement-breakpoint
CREATE INDEX "recording_openings_staff" ON "recording_openings" USING btree ("staff_id","id");