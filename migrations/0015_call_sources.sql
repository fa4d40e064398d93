-- Calls imported from external sources (issue 17), and what arrives with them.
--
-- Each source serves four collections (`calls`, `connections`, `call_events`, `operators`) by cursor; each
-- collection is fetched on its own, so a leg or an event may arrive before its call, and everything here is
-- keyed by the source's own ids, never by a foreign key to `calls`.

-- An imported call is a call: the same row as one created through the API, with its origin. `source` and
-- `external_id` are null for calls created through the API.
ALTER TABLE calls
    ADD COLUMN source          text,
    ADD COLUMN external_id     bigint,
    ADD COLUMN direction       text CHECK (direction IN ('inbound', 'outbound')),
    ADD COLUMN ended_at        timestamptz,
    ADD COLUMN scenario_id     text,
    ADD COLUMN media_record_id text,
    ADD COLUMN context         jsonb,
    ADD CONSTRAINT calls_source_pairs CHECK ((source IS NULL) = (external_id IS NULL));

CREATE UNIQUE INDEX calls_source_external_id_idx ON calls (source, external_id) WHERE source IS NOT NULL;
CREATE INDEX calls_media_record_id_idx ON calls (media_record_id) WHERE media_record_id IS NOT NULL;

-- One row per (source, collection): where the next page starts, and how fetching went.
CREATE TABLE source_cursors (
    source          text        NOT NULL,
    collection      text        NOT NULL CHECK (collection IN ('calls', 'connections', 'call_events', 'operators')),
    -- The id of the last item taken; the next page starts after it (0 = from the beginning).
    cursor          bigint      NOT NULL DEFAULT 0,
    items_fetched   bigint      NOT NULL DEFAULT 0,
    items_rejected  bigint      NOT NULL DEFAULT 0,
    pages           bigint      NOT NULL DEFAULT 0,
    last_success_at timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, collection)
);

-- Items a source sent that failed validation: skipped, kept with the reason for whoever fixes the source.
CREATE TABLE source_rejects (
    id          bigserial   PRIMARY KEY,
    source      text        NOT NULL,
    collection  text        NOT NULL,
    -- The item's id when it had a readable one.
    item_id     bigint,
    reason      text        NOT NULL,
    item        jsonb       NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX source_rejects_source_idx ON source_rejects (source, collection, id);

CREATE TABLE source_operators (
    source      text        NOT NULL,
    operator_id bigint      NOT NULL,
    name        text        NOT NULL,
    extension   text,
    email       text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, operator_id)
);

-- The legs of a call (the sources' `connections`).
CREATE TABLE call_legs (
    source        text        NOT NULL,
    connection_id bigint      NOT NULL,
    call_id       bigint      NOT NULL,
    phone         text        NOT NULL,
    phone_digits  text        NOT NULL,
    initiated_at  timestamptz NOT NULL,
    answered_at   timestamptz,
    finished_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, connection_id)
);
CREATE INDEX call_legs_call_idx ON call_legs (source, call_id);
-- Search by phone also finds a call by any of its legs' numbers.
CREATE INDEX call_legs_phone_digits_idx ON call_legs (phone_digits);

-- The events of a call (the sources' `call_events`); `operator_id` is lifted out of an `operator_assigned`
-- event's payload so an operator's row arriving late can find the calls it belongs to.
CREATE TABLE call_source_events (
    source      text        NOT NULL,
    event_id    bigint      NOT NULL,
    call_id     bigint      NOT NULL,
    event_type  text        NOT NULL,
    payload     jsonb       NOT NULL,
    operator_id bigint,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
CREATE INDEX call_source_events_call_idx ON call_source_events (source, call_id, event_id);
CREATE INDEX call_source_events_operator_idx ON call_source_events (source, operator_id) WHERE operator_id IS NOT NULL;
