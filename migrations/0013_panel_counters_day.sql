-- The queue panel's status reads today's counters of every queue: by day, not by the key's leading queue.
CREATE INDEX panel_counters_day_idx ON panel_counters (day);
