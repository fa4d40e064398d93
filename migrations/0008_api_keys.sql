-- API keys. A key's text is `calls_<id>_<secret>`; only the SHA-256 of the secret is stored, so this table
-- cannot reproduce a key. Revoked keys stay listed, with when they were revoked.
CREATE TABLE api_keys (
    id            uuid        PRIMARY KEY,
    name          text        NOT NULL DEFAULT '',
    role          text        NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    secret_sha256 bytea       NOT NULL CHECK (length(secret_sha256) = 32),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
