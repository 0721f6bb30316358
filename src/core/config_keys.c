/*
 * config keys — the table of every setting: the single source of truth for defaults,
 * validation, the sample file, `gamigate config keys` and the error hints (config.c
 * reads it).
 */
#include "core/config.h"
#include "core/config_internal.h"

#include <stddef.h>

#define OFF(field) offsetof(struct config, field)

const struct config_key config_keys_table[] = {
    {"http", "listen", CONFIG_LISTEN, OFF(http_listen), "127.0.0.1:8080", 0, 0, NULL, 0,
     "Address and port the HTTP server listens on (host:port, [v6]:port; port 0 = any)."},
    {"http", "max_body_bytes", CONFIG_INT, OFF(http_max_body_bytes), "65536", 1024, 16777216, NULL,
     0, "Largest request body accepted; larger requests get 413."},
    {"http", "max_header_bytes", CONFIG_INT, OFF(http_max_header_bytes), "8192", 1024, 1048576,
     NULL, 0, "Largest request line plus headers accepted; larger requests get 431."},
    {"http", "request_timeout_s", CONFIG_INT, OFF(http_request_timeout_s), "30", 1, 600, NULL, 0,
     "Seconds a client may take to send a request before the connection is closed."},
    {"http", "shutdown_grace_s", CONFIG_INT, OFF(http_shutdown_grace_s), "20", 0, 600, NULL, 0,
     "On SIGTERM, seconds to wait for requests in flight before exiting anyway."},

    {"database", "host", CONFIG_STR, OFF(db_host), "127.0.0.1", 0, 0, NULL, 0,
     "MariaDB host (ignored when socket is set)."},
    {"database", "port", CONFIG_INT, OFF(db_port), "3306", 1, 65535, NULL, 0,
     "MariaDB TCP port (ignored when socket is set)."},
    {"database", "socket", CONFIG_STR, OFF(db_socket), "", 0, 0, NULL, 0,
     "Unix socket of a local MariaDB; when set it is used instead of host and port."},
    {"database", "user", CONFIG_STR, OFF(db_user), "gamigate", 0, 0, NULL, 0, "MariaDB user."},
    {"database", "password", CONFIG_STR, OFF(db_password), "", 0, 0, NULL, 0,
     "MariaDB password (prefer GAMIGATE_DATABASE_PASSWORD in the environment)."},
    {"database", "name", CONFIG_STR, OFF(db_name), "gamigate", 0, 0, NULL, 0,
     "Database (schema) name."},
    {"database", "pool_size", CONFIG_INT, OFF(db_pool_size), "4", 1, 256, NULL, 0,
     "Worker threads, each with its own MariaDB connection."},
    {"database", "queue_max", CONFIG_INT, OFF(db_queue_max), "1024", 1, 1000000, NULL, 0,
     "Database jobs that may wait for a worker; when full, requests get 503 at once."},
    {"database", "batch_max", CONFIG_INT, OFF(db_batch_max), "16", 1, 64, NULL, 0,
     "Group commit: up to this many inbound messages waiting at the same moment share one\n"
     "transaction and one commit (each still answered only after it is on disk; if one\n"
     "fails, each runs alone). 1 = one transaction per message."},
    {"database", "connect_timeout_s", CONFIG_INT, OFF(db_connect_timeout_s), "3", 1, 60, NULL, 0,
     "Seconds to wait when connecting to MariaDB."},
    {"database", "read_timeout_s", CONFIG_INT, OFF(db_read_timeout_s), "30", 1, 3600, NULL, 0,
     "Seconds to wait for a MariaDB answer before the job fails."},
    {"database", "write_timeout_s", CONFIG_INT, OFF(db_write_timeout_s), "30", 1, 3600, NULL, 0,
     "Seconds to wait when sending to MariaDB before the job fails."},
    {"database", "health_interval_ms", CONFIG_INT, OFF(db_health_interval_ms), "1000", 100, 60000,
     NULL, 0, "How often the health checker pings MariaDB (feeds /healthz)."},

    {"log", "level", CONFIG_ENUM, OFF(log_level), "info", 0, 0, "debug|info|warn|error", 0,
     "Least important level written to the log."},
    {"log", "format", CONFIG_ENUM, OFF(log_format), "plain", 0, 0, "plain|json", 0,
     "Log line format: plain key=value text or one JSON object per line."},

    {"game", "timezone", CONFIG_TZ, OFF(game_timezone), "Asia/Tehran", 0, 0, NULL, 0,
     "Default time zone of campaigns (days, quiet hours), an IANA name."},
    {"game", "country_code", CONFIG_INT, OFF(game_country_code), "98", 1, 999, NULL, 0,
     "Country calling code used to complete national numbers (0912... -> +98912...)."},
    {"game", "expiry_interval_s", CONFIG_INT, OFF(game_expiry_interval_s), "600", 0, 86400, NULL, 0,
     "Seconds between runs of the points expiry job (expiry, warnings, voucher stock);\n"
     "0 = this node never runs it (another node or `gamigate points expire` does)."},

    {"admin", "token", CONFIG_SECRET, OFF(admin_token), "", 0, 0, NULL, CONFIG_REQUIRED,
     "Bearer token of the admin API; at least 16 characters. Generate one with:\n"
     "  head -c 24 /dev/urandom | base64"},

    {"inbound", "kannel_secret", CONFIG_SECRET, OFF(inbound_kannel_secret), "", 0, 0, NULL, 0,
     "Shared secret Kannel must send to the inbound SMS endpoint (empty = none)."},
    {"inbound", "json_secret", CONFIG_SECRET, OFF(inbound_json_secret), "", 0, 0, NULL, 0,
     "Shared secret for the JSON inbound SMS endpoint (empty = none)."},
    {"inbound", "ussd_secret", CONFIG_SECRET, OFF(inbound_ussd_secret), "", 0, 0, NULL, 0,
     "Shared secret for the USSD endpoint (empty = none)."},
    {"inbound", "json_reply", CONFIG_ENUM, OFF(inbound_json_reply), "body", 0, 0, "body|outbox", 0,
     "How replies to the JSON endpoint reach the subscriber: body = the provider sends\n"
     "the reply in the HTTP answer; outbox = the reply is also queued in the outbox and\n"
     "sent through outbox.provider (providers whose webhooks cannot answer with an SMS)."},
    {"inbound", "kannel_allow_ips", CONFIG_IPLIST, OFF(inbound_kannel_allow_ips), "", 0, 0, NULL, 0,
     "Addresses allowed to call the Kannel endpoint, e.g. 127.0.0.1, 10.1.0.0/16\n"
     "(empty = any). With kannel_secret too, both must pass."},
    {"inbound", "json_allow_ips", CONFIG_IPLIST, OFF(inbound_json_allow_ips), "", 0, 0, NULL, 0,
     "Addresses allowed to call the JSON inbound endpoint (empty = any)."},
    {"inbound", "ussd_allow_ips", CONFIG_IPLIST, OFF(inbound_ussd_allow_ips), "", 0, 0, NULL, 0,
     "Addresses allowed to call the USSD endpoint (empty = any). With ussd_secret too,\n"
     "both must pass."},

    {"sms", "grammar_file", CONFIG_STR, OFF(sms_grammar_file), "conf/grammar.json", 0, 0, NULL, 0,
     "The command grammar (keywords in fa and en, argument patterns); a relative\n"
     "path is taken from the directory gamigate is started in. Reloaded on SIGHUP."},
    {"sms", "templates_dir", CONFIG_STR, OFF(sms_templates_dir), "templates", 0, 0, NULL, 0,
     "Folder of reply texts, one sub-folder per language (templates/fa/sms.json).\n"
     "Reloaded on SIGHUP."},
    {"sms", "default_lang", CONFIG_ENUM, OFF(sms_default_lang), "fa", 0, 0, "fa|en", 0,
     "Reply language when neither the subscriber nor the message tells."},
    {"sms", "max_text_bytes", CONFIG_INT, OFF(sms_max_text_bytes), "1600", 70, 8000, NULL, 0,
     "Longest inbound text accepted (bytes as received); longer ones get 413."},
    {"sms", "rate_per_minute", CONFIG_INT, OFF(sms_rate_per_minute), "20", 1, 100000, NULL, 0,
     "Messages one number may send in a minute; the next gets one polite reply,\n"
     "then silence until the minute has passed."},
    {"sms", "max_segments", CONFIG_INT, OFF(sms_max_segments), "3", 1, 10, NULL, 0,
     "Longest reply template allowed, in SMS segments (checked when templates load)."},
    {"sms", "dedupe_window_s", CONFIG_INT, OFF(sms_dedupe_window_s), "30", 5, 86400, NULL, 0,
     "For messages without a provider id: the same sender, recipient and text within\n"
     "this many seconds is taken for a retry and gets the stored reply."},

    {"node", "name", CONFIG_STR, OFF(node_name), "", 0, 0, NULL, 0,
     "Name of this node in logs and the database (empty = host name)."},

    {"ussd", "max_chars", CONFIG_INT, OFF(ussd_max_chars), "182", 40, 1000, NULL, 0,
     "Longest USSD screen in GSM-7 characters; longer screens get pages with a\n"
     "\"98. More\" line rather than being cut."},
    {"ussd", "max_ucs2", CONFIG_INT, OFF(ussd_max_ucs2), "80", 20, 500, NULL, 0,
     "Longest USSD screen that holds a character outside GSM-7 (any Persian letter),\n"
     "in UTF-16 units: such a screen travels as UCS-2 and costs twice as much."},
    {"ussd", "idle_timeout_s", CONFIG_INT, OFF(ussd_idle_timeout_s), "120", 1, 3600, NULL, 0,
     "A USSD step this many seconds after the previous one ends the session."},
    {"ussd", "session_timeout_s", CONFIG_INT, OFF(ussd_session_timeout_s), "300", 1, 86400, NULL, 0,
     "A USSD step this many seconds after the session began ends it."},
    {"ussd", "keep_hours", CONFIG_INT, OFF(ussd_keep_hours), "48", 0, 8760, NULL, 0,
     "USSD sessions and their steps are deleted this many hours after their last step\n"
     "(by every node, when idle; 0 = keep them)."},
    {"outbox", "provider", CONFIG_ENUM, OFF(outbox_provider), "none", 0, 0,
     "none|kannel|http|twilio", 0,
     "Where outbound SMS go: Kannel's sendsms, a generic HTTP API, a Twilio-compatible\n"
     "API, or none (messages wait in the outbox; this node sends nothing)."},
    {"outbox", "in_flight", CONFIG_INT, OFF(outbox_in_flight), "32", 1, 4096, NULL, 0,
     "Requests to the provider at the same time (keep-alive connections are reused)."},
    {"outbox", "rate_per_s", CONFIG_INT, OFF(outbox_rate_per_s), "50", 1, 1000000, NULL, 0,
     "Most messages per second this node hands to the provider (token bucket)."},
    {"outbox", "batch", CONFIG_INT, OFF(outbox_batch), "200", 1, 10000, NULL, 0,
     "Rows claimed from the outbox (and notifications queued) per database job."},
    {"outbox", "poll_ms", CONFIG_INT, OFF(outbox_poll_ms), "500", 10, 60000, NULL, 0,
     "How often an idle sender looks for due messages."},
    {"outbox", "lease_s", CONFIG_INT, OFF(outbox_lease_s), "120", 5, 3600, NULL, 0,
     "Seconds a node holds claimed rows; rows of a node that died are sent by another\n"
     "node after this."},
    {"outbox", "request_timeout_s", CONFIG_INT, OFF(outbox_request_timeout_s), "10", 1, 300, NULL,
     0, "Seconds one request to the provider may take; a timeout is retried."},
    {"outbox", "max_attempts", CONFIG_INT, OFF(outbox_max_attempts), "8", 1, 100, NULL, 0,
     "Attempts before a message that keeps failing temporarily is marked failed."},
    {"outbox", "retry_base_ms", CONFIG_INT, OFF(outbox_retry_base_ms), "2000", 10, 3600000, NULL, 0,
     "First retry delay; it doubles per attempt (with jitter) up to retry_max_s."},
    {"outbox", "retry_max_s", CONFIG_INT, OFF(outbox_retry_max_s), "600", 1, 86400, NULL, 0,
     "Longest delay between two attempts (a provider's Retry-After may ask for more)."},
    {"outbox", "breaker_failures", CONFIG_INT, OFF(outbox_breaker_failures), "5", 1, 10000, NULL, 0,
     "Failures in a row (timeouts, 5xx, refused connections) that open the circuit\n"
     "breaker: no requests until breaker_open_s passed, then one probe."},
    {"outbox", "breaker_open_s", CONFIG_INT, OFF(outbox_breaker_open_s), "30", 1, 3600, NULL, 0,
     "Seconds the breaker stays open before a probe request."},
    {"outbox", "expire_s", CONFIG_INT, OFF(outbox_expire_s), "86400", 60, 2592000, NULL, 0,
     "A message not sent within this many seconds of being queued expires."},
    {"outbox", "quiet_start", CONFIG_STR, OFF(outbox_quiet_start), "22:00", 0, 0, NULL, 0,
     "Quiet hours start (HH:MM in game.timezone): promotional messages wait until\n"
     "quiet_end. Equal start and end = no quiet hours."},
    {"outbox", "quiet_end", CONFIG_STR, OFF(outbox_quiet_end), "08:00", 0, 0, NULL, 0,
     "Quiet hours end (HH:MM in game.timezone)."},
    {"outbox", "promo_daily_cap", CONFIG_INT, OFF(outbox_promo_daily_cap), "2", 0, 1000, NULL, 0,
     "Most promotional messages a member gets per local day (transactional ones and\n"
     "replies do not count)."},
    {"outbox", "public_url", CONFIG_STR, OFF(outbox_public_url), "", 0, 0, NULL, 0,
     "Base URL at which the provider reaches this gamigate for delivery reports\n"
     "(http://host:port); empty = ask for no delivery reports."},
    {"outbox", "dlr_secret", CONFIG_SECRET, OFF(outbox_dlr_secret), "", 0, 0, NULL, 0,
     "Secret carried in the delivery-report URL (secret=...); /dlr/* answers 403 without\n"
     "it. Empty = /dlr/* is refused."},
    {"outbox", "kannel_url", CONFIG_STR, OFF(outbox_kannel_url),
     "http://127.0.0.1:13013/cgi-bin/sendsms", 0, 0, NULL, 0,
     "Kannel smsbox sendsms URL (sendsms-port in kannel.conf)."},
    {"outbox", "kannel_user", CONFIG_STR, OFF(outbox_kannel_user), "gamigate", 0, 0, NULL, 0,
     "username of the sendsms-user group in kannel.conf."},
    {"outbox", "kannel_password", CONFIG_SECRET, OFF(outbox_kannel_password), "", 0, 0, NULL, 0,
     "password of the sendsms-user group in kannel.conf."},
    {"outbox", "kannel_from", CONFIG_STR, OFF(outbox_kannel_from), "3000", 0, 0, NULL, 0,
     "Sender (short code) of outbound messages through Kannel."},
    {"outbox", "http_url", CONFIG_STR, OFF(outbox_http_url), "", 0, 0, NULL, 0,
     "Generic HTTP provider: the URL messages are POSTed to."},
    {"outbox", "http_format", CONFIG_ENUM, OFF(outbox_http_format), "json", 0, 0, "json|form", 0,
     "Generic HTTP provider: body as a JSON object or as an HTML form."},
    {"outbox", "http_auth_header", CONFIG_STR, OFF(outbox_http_auth_header), "", 0, 0, NULL, 0,
     "Generic HTTP provider: one header sent with every request, e.g.\n"
     "\"Authorization: Bearer ...\" (empty = none). Masked in config dump."},
    {"outbox", "http_from", CONFIG_STR, OFF(outbox_http_from), "", 0, 0, NULL, 0,
     "Generic HTTP provider: sender value (empty = the field is left out)."},
    {"outbox", "http_field_to", CONFIG_STR, OFF(outbox_http_field_to), "to", 0, 0, NULL, 0,
     "Generic HTTP provider: field name of the recipient (E.164)."},
    {"outbox", "http_field_text", CONFIG_STR, OFF(outbox_http_field_text), "text", 0, 0, NULL, 0,
     "Generic HTTP provider: field name of the message text (UTF-8)."},
    {"outbox", "http_field_from", CONFIG_STR, OFF(outbox_http_field_from), "from", 0, 0, NULL, 0,
     "Generic HTTP provider: field name of the sender."},
    {"outbox", "http_field_ref", CONFIG_STR, OFF(outbox_http_field_ref), "client_ref", 0, 0, NULL,
     0,
     "Generic HTTP provider: field name of our unique client reference, which the\n"
     "provider uses to de-duplicate and returns in delivery reports as \"ref\"."},
    {"outbox", "http_field_callback", CONFIG_STR, OFF(outbox_http_field_callback), "callback_url",
     0, 0, NULL, 0, "Generic HTTP provider: field name of the delivery-report URL (empty = none)."},
    {"outbox", "http_field_id", CONFIG_STR, OFF(outbox_http_field_id), "id", 0, 0, NULL, 0,
     "Generic HTTP provider: member of the JSON answer holding the provider's id."},
    {"outbox", "twilio_url", CONFIG_STR, OFF(outbox_twilio_url), "https://api.twilio.com", 0, 0,
     NULL, 0,
     "Twilio-compatible API base URL; messages go to\n"
     "<url>/2010-04-01/Accounts/<sid>/Messages.json."},
    {"outbox", "twilio_sid", CONFIG_STR, OFF(outbox_twilio_sid), "", 0, 0, NULL, 0,
     "Twilio account SID (basic-auth user)."},
    {"outbox", "twilio_token", CONFIG_SECRET, OFF(outbox_twilio_token), "", 0, 0, NULL, 0,
     "Twilio auth token (basic-auth password)."},
    {"outbox", "twilio_from", CONFIG_STR, OFF(outbox_twilio_from), "", 0, 0, NULL, 0,
     "Twilio sender number or messaging service (From)."},
    {"outbox", "scheduler_interval_ms", CONFIG_INT, OFF(outbox_scheduler_interval_ms), "1000", 0,
     600000, NULL, 0,
     "How often this node looks for reminders to fire and runs to materialise into the\n"
     "outbox (0 = never on this node; other nodes do it)."},
};

const size_t config_keys_count = sizeof(config_keys_table) / sizeof(config_keys_table[0]);
