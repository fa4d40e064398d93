-- The queue panel (issue 16): every telephony event received, once per (source, event_id), and the live
-- state the events describe. The panel consumer applies a batch in one transaction: it inserts the batch's
-- events here (a redelivered event conflicts and is skipped), loads the state rows they touch, applies them
-- and writes back what changed.
CREATE TABLE telephony_events (
    source      text        NOT NULL,
    event_id    text        NOT NULL,
    event_time  timestamptz NOT NULL,
    call_id     text        NOT NULL,
    queue       text        NOT NULL,
    agent       text        NOT NULL,
    event       text        NOT NULL,
    data        jsonb       NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source, event_id)
);
CREATE INDEX telephony_events_applied_at_idx ON telephony_events (applied_at);

-- An agent logged in to a queue. `since` is when its current status (available or paused) began.
CREATE TABLE panel_members (
    source        text        NOT NULL,
    queue         text        NOT NULL,
    agent         text        NOT NULL,
    since         timestamptz NOT NULL,
    paused        boolean     NOT NULL,
    pause_reason  text,
    last_event_at timestamptz NOT NULL,
    PRIMARY KEY (source, queue, agent)
);
CREATE INDEX panel_members_agent_idx ON panel_members (source, agent);
CREATE INDEX panel_members_queue_idx ON panel_members (queue);

-- The call an agent is on, from whichever queue.
CREATE TABLE panel_agent_calls (
    source   text        NOT NULL,
    agent    text        NOT NULL,
    call_id  text        NOT NULL,
    queue    text        NOT NULL,
    since    timestamptz NOT NULL,
    PRIMARY KEY (source, agent)
);

CREATE TABLE panel_waiting (
    source        text        NOT NULL,
    call_id       text        NOT NULL,
    queue         text        NOT NULL,
    caller_id     text,
    position      integer,
    entered_at    timestamptz NOT NULL,
    last_event_at timestamptz NOT NULL,
    PRIMARY KEY (source, call_id)
);
CREATE INDEX panel_waiting_queue_idx ON panel_waiting (queue, entered_at);

CREATE TABLE panel_calls (
    source        text        NOT NULL,
    call_id       text        NOT NULL,
    queue         text        NOT NULL,
    agent         text        NOT NULL,
    connected_at  timestamptz NOT NULL,
    hold_seconds  integer,
    last_event_at timestamptz NOT NULL,
    PRIMARY KEY (source, call_id)
);

-- Per queue and per day of the panel's time zone, by each event's own time.
CREATE TABLE panel_counters (
    queue                  text    NOT NULL,
    day                    date    NOT NULL,
    offered                integer NOT NULL,
    answered               integer NOT NULL,
    abandoned              integer NOT NULL,
    timed_out              integer NOT NULL,
    answered_within_sl     integer NOT NULL,
    hold_seconds_total     bigint  NOT NULL,
    hold_count             integer NOT NULL,
    talk_seconds_total     bigint  NOT NULL,
    talk_count             integer NOT NULL,
    PRIMARY KEY (queue, day)
);

-- Per PBX, the newest event applied and when: the panel's lag.
CREATE TABLE panel_sources (
    source        text        PRIMARY KEY,
    last_event_at timestamptz NOT NULL,
    applied_at    timestamptz NOT NULL
);
