import SwitchboardStore

/// The gateway's tables, as numbered migrations (never edit one that has shipped; add the next).
enum GatewaySchema {
    static let migrations: [Migration] = [
        Migration(version: 1, name: "events and deliveries", sql: """
            CREATE TABLE events (
                id TEXT PRIMARY KEY,                -- canonical event id (UUIDv5 of source + vendor identity)
                source TEXT NOT NULL,
                identity TEXT NOT NULL,             -- the vendor event's identity: the de-duplication key
                kind TEXT NOT NULL,
                vendor_type TEXT NOT NULL,
                call_id TEXT NOT NULL,
                call_key TEXT NOT NULL,
                is_test INTEGER NOT NULL,
                occurred_at REAL NOT NULL,
                received_at REAL NOT NULL,
                body BLOB NOT NULL,                 -- the raw body as received
                UNIQUE (source, identity)
            );
            CREATE INDEX events_by_call ON events (call_id, received_at);

            CREATE TABLE deliveries (
                id TEXT PRIMARY KEY,                -- stable across retries and replays; the envelope id
                event_id TEXT NOT NULL REFERENCES events (id),
                endpoint_id TEXT,                   -- null for source and per-call URLs
                destination TEXT NOT NULL,          -- what subscribed: source:<name>, endpoint:<id>, call:<id>
                url TEXT NOT NULL,
                format TEXT NOT NULL,
                scheme TEXT NOT NULL,
                event_type TEXT NOT NULL,
                call_id TEXT NOT NULL,
                body BLOB NOT NULL,
                status TEXT NOT NULL DEFAULT 'pending',   -- pending, delivered, exhausted
                attempt_count INTEGER NOT NULL DEFAULT 0,
                manual_retry_count INTEGER NOT NULL DEFAULT 0,
                next_attempt_at REAL NOT NULL,
                last_error TEXT,
                last_response_status INTEGER,
                delivered_at REAL,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            );
            CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
            CREATE INDEX deliveries_by_destination_call ON deliveries (destination, call_id, created_at);
            CREATE INDEX deliveries_by_event ON deliveries (event_id);
            """),
        Migration(version: 2, name: "endpoints, secrets, per-call webhooks, attempts", sql: """
            CREATE TABLE endpoints (
                id TEXT PRIMARY KEY,
                api TEXT NOT NULL,                  -- the API that manages it and its JSON shape: callingbox | oneinbox
                name TEXT,                          -- OneInbox `name`, CallingBox `description`
                url TEXT NOT NULL,
                format TEXT NOT NULL,               -- mapping format of the bodies it receives
                scheme TEXT NOT NULL,               -- signature scheme of its requests
                enabled_events TEXT NOT NULL,       -- JSON array of the format's event type names; ["*"] = all
                receive_test_events INTEGER NOT NULL DEFAULT 0,
                status TEXT NOT NULL DEFAULT 'enabled',   -- enabled | disabled
                disabled_reason TEXT,               -- too_many_failures | gone | manual
                disabled_at REAL,
                consecutive_failures INTEGER NOT NULL DEFAULT 0,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL,
                deleted_at REAL                     -- deleted endpoints stay for their delivery history
            );
            CREATE TABLE endpoint_secrets (
                endpoint_id TEXT NOT NULL REFERENCES endpoints (id),
                secret TEXT NOT NULL,
                created_at REAL NOT NULL,
                expires_at REAL,                    -- null: the current secret; else it keeps signing until then
                PRIMARY KEY (endpoint_id, secret)
            );
            CREATE TABLE call_webhooks (
                call_id TEXT PRIMARY KEY,           -- the canonical call UUID
                url TEXT NOT NULL,
                mode TEXT NOT NULL,                 -- instead | also
                format TEXT NOT NULL,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            );
            CREATE TABLE attempts (
                id INTEGER PRIMARY KEY,
                delivery_id TEXT NOT NULL REFERENCES deliveries (id),
                number INTEGER NOT NULL,            -- 1-based, counting automatic and manual attempts
                manual INTEGER NOT NULL DEFAULT 0,
                started_at REAL NOT NULL,
                duration_ms REAL NOT NULL,
                response_status INTEGER,
                response_body TEXT,                 -- the first 4 KiB
                error TEXT
            );
            CREATE INDEX attempts_by_delivery ON attempts (delivery_id, number);
            ALTER TABLE deliveries ADD COLUMN last_response_body TEXT;
            """),
        Migration(version: 3, name: "indexes of the management APIs", sql: """
            CREATE INDEX events_by_call_key ON events (call_key);                    -- PUT /v1/calls/{vendor call id}/webhook
            CREATE INDEX deliveries_by_created ON deliveries (created_at);            -- GET /v1/webhook_deliveries
            CREATE INDEX deliveries_by_endpoint ON deliveries (endpoint_id, created_at);
            CREATE INDEX deliveries_by_call ON deliveries (call_id, created_at);
            """),
        Migration(version: 4, name: "durable once-per-call claims", sql: """
            CREATE TABLE call_claims (
                call_id TEXT NOT NULL,
                destination TEXT NOT NULL,
                grp TEXT NOT NULL,                  -- a mapping's `once` group, e.g. terminal
                event_id TEXT NOT NULL REFERENCES events (id),
                created_at REAL NOT NULL,
                PRIMARY KEY (call_id, destination, grp)
            );
            """),
        Migration(version: 5, name: "incoming-call decisions", sql: """
            CREATE TABLE decisions (
                id TEXT PRIMARY KEY,
                source TEXT NOT NULL,
                request_id TEXT,                    -- X-Inkbox-Request-ID; null when an unsigned request had none
                call_id TEXT NOT NULL,              -- canonical call UUID
                call_key TEXT NOT NULL,             -- Inkbox's call id
                event_id TEXT NOT NULL,             -- the call.incoming event
                decided_by TEXT NOT NULL,           -- rule | endpoint | fallback
                rule_index INTEGER,                 -- the matching rule (decided_by rule)
                action TEXT NOT NULL,               -- answer | reject
                client_websocket_url TEXT,
                latency_ms REAL NOT NULL,           -- request received to answer sent
                endpoint_status INTEGER,            -- the decision endpoint's HTTP status, when it answered
                endpoint_body TEXT,                 -- its body, the first 4 KiB
                error TEXT,                         -- why the fallback answered
                delivery_id TEXT,                   -- the decision request's row in deliveries
                created_at REAL NOT NULL
            );
            CREATE UNIQUE INDEX decisions_by_request ON decisions (source, request_id) WHERE request_id IS NOT NULL;
            CREATE INDEX decisions_by_call ON decisions (call_id, created_at);
            CREATE INDEX decisions_by_created ON decisions (created_at);
            """),
        Migration(version: 6, name: "indexes of the retention sweep", sql: """
            CREATE INDEX events_by_received ON events (received_at);
            CREATE INDEX call_claims_by_event ON call_claims (event_id);
            """),
        // Statuses `held` (an endpoint's deliveries while it is disabled) and `canceled` (its open
        // deliveries when it is deleted) are new values of deliveries.status; holding, releasing and
        // canceling update one endpoint's open rows, and recovery reads one endpoint's rows by status.
        Migration(version: 7, name: "held and canceled deliveries", sql: """
            CREATE INDEX deliveries_by_endpoint_status ON deliveries (endpoint_id, status, created_at);
            UPDATE deliveries SET status = 'held'
            WHERE status = 'pending' AND endpoint_id IN (SELECT id FROM endpoints WHERE status <> 'enabled' AND deleted_at IS NULL);
            UPDATE deliveries SET status = 'canceled'
            WHERE status = 'pending' AND endpoint_id IN (SELECT id FROM endpoints WHERE deleted_at IS NOT NULL);
            """),
    ]
}
