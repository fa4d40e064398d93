-- One worker applies the telephony stream to the panel at a time (a lease in Redis elects it). A worker that
-- paused past its lease could still try to commit a batch after another took over, and so apply events out
-- of order: each leader takes the next token here when it starts, and a batch commits only under the newest.
CREATE TABLE panel_fence (
    id        integer     PRIMARY KEY CHECK (id = 1),
    token     bigint      NOT NULL,
    taken_at  timestamptz NOT NULL
);
INSERT INTO panel_fence (id, token, taken_at) VALUES (1, 0, now());
