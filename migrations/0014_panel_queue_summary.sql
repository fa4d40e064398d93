-- Per queue, its agents by state and its waiting callers, kept by the panel's applier in the same transaction
-- as the rows they count (for the queues a batch touched): /queues/status reads these few rows instead of
-- counting every membership and waiting caller on each request.
CREATE TABLE panel_queue_summary (
    queue          text        PRIMARY KEY,
    logged_in      integer     NOT NULL,
    paused         integer     NOT NULL,
    on_call        integer     NOT NULL,
    waiting        integer     NOT NULL,
    oldest_waiting timestamptz
);

INSERT INTO panel_queue_summary (queue, logged_in, paused, on_call, waiting, oldest_waiting)
SELECT q.queue,
       (SELECT count(*) FROM panel_members m WHERE m.queue = q.queue),
       (SELECT count(*) FROM panel_members m WHERE m.queue = q.queue AND m.paused),
       (SELECT count(*) FROM panel_members m
        JOIN panel_agent_calls c ON c.source = m.source AND c.agent = m.agent
        WHERE m.queue = q.queue AND NOT m.paused),
       (SELECT count(*) FROM panel_waiting w WHERE w.queue = q.queue),
       (SELECT min(entered_at) FROM panel_waiting w WHERE w.queue = q.queue)
FROM (SELECT queue FROM panel_members UNION SELECT queue FROM panel_waiting) AS q;
