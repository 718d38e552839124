-- 0002: organisations, their members and invitations, uploaded images.

-- Uploaded files (logos now; images later), bytes in the database so that
-- several processes share them; content_type is sniffed, never trusted.
CREATE TABLE uploads (
	id @ID@,
	sha256 TEXT NOT NULL,
	content_type TEXT NOT NULL,
	bytes @BLOB@ NOT NULL,
	size BIGINT NOT NULL,
	uploaded_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL
);

-- kind: 'association' | 'business' | 'producer' | 'public_body'.
CREATE TABLE organisations (
	id @ID@,
	slug TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL,
	name TEXT NOT NULL,
	summary TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	commune_id BIGINT REFERENCES communes(id),
	address TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	logo_upload_id BIGINT REFERENCES uploads(id),
	created_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX organisations_name ON organisations(name);
CREATE INDEX organisations_commune ON organisations(commune_id);

-- role: 'owner' | 'editor' | 'box_office' | 'treasurer'.
CREATE TABLE org_members (
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
	role TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (org_id, account_id)
);
CREATE INDEX org_members_account ON org_members(account_id);

-- Invitations by email; accepted by the account holding that address.
CREATE TABLE org_invitations (
	id @ID@,
	org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
	email_lower TEXT NOT NULL,
	role TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	invited_by BIGINT REFERENCES accounts(id) ON DELETE SET NULL,
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	accepted_at BIGINT,
	revoked_at BIGINT
);
CREATE INDEX org_invitations_org ON org_invitations(org_id);
