
use builtin;
use str;

set edit:completion:arg-completer[agentdb] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'agentdb'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'agentdb'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand migrate 'Apply pending migrations in one transaction, under a lock safe for many pods'
            cand rollback 'Revert the last applied migrations (refused in production without --yes)'
            cand status 'List every migration: applied (with time), pending, or unknown to this binary'
            cand init-tenant 'Create the tenant and its default thread (idempotent)'
            cand import-configs 'Import JSON files (tokens, credentials) into a tenant''s configs, all or nothing'
            cand stats 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
            cand health 'Check connectivity, schema state and backend health (readiness probe)'
            cand completions 'Print the shell completion script'
            cand prune 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
            cand copy 'Copy a platform''s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
            cand backup 'Write a new SQLite file (mode 0600) with the database''s data; restore with `copy`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;migrate'= {
            cand --lock-timeout 'Seconds to wait for another migrate to finish before giving up (exit 1)'
            cand --backup 'Before applying anything, back up the database to a new SQLite file (default: a timestamped file next to the SQLite database, or in the working directory); a failed backup means no migration'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --dry-run 'List what would be applied; change nothing'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;rollback'= {
            cand --steps 'How many applied migrations to revert, newest first'
            cand --lock-timeout 'Seconds to wait for another migrate or rollback to finish before giving up (exit 1)'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --yes 'Confirm a destructive command where ENV/APP_ENV=production'
            cand --dry-run 'List what would be reverted; change nothing'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;status'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --check 'Exit 3 when any migration is pending or unknown'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;init-tenant'= {
            cand --tenant-id 'Tenant id [env: DEFAULT_TENANT_ID] [default: default]'
            cand --name 'Display name [default: the tenant id]'
            cand --api-key 'API key to store (only its hash is kept) [env: DEFAULT_TENANT_API_KEY]'
            cand --thread-id 'Id of the tenant''s default thread'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --generate-api-key 'Generate a strong random API key and print it once'
            cand --rotate-api-key 'Replace the API key of an existing tenant'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;import-configs'= {
            cand --tenant 'Tenant to import into [env: DEFAULT_TENANT_ID] [default: default]'
            cand --on-conflict 'What to do when a key already exists with other content'
            cand --max-size 'Largest accepted file, in bytes'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand -r 'Include sub-folders of directories'
            cand --recursive 'Include sub-folders of directories'
            cand --dry-run 'Validate and report what would change; write nothing'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;stats'= {
            cand --tenant 'Count only this tenant''s data'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --by-tenant 'One row per tenant'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;health'= {
            cand --timeout 'Seconds the whole check may take'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --require-migrated 'Exit 3 when migrations are pending'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;completions'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;prune'= {
            cand --threads-older-than 'agentdb threads whose last activity (updated or last message) is older; with their messages and runs'
            cand --threads-status 'agentdb threads in this status (and older than --threads-older-than, if given)'
            cand --runs-older-than 'Finished agentdb runs (succeeded, failed, cancelled) older than this'
            cand --tenant 'Only this tenant''s threads and runs (LangGraph and ADK tables have no tenant)'
            cand --checkpoints-keep 'LangGraph: keep the newest N checkpoints per (thread, namespace)'
            cand --checkpoint-threads-older-than 'LangGraph: delete whole threads whose newest checkpoint is older than this'
            cand --adk-sessions-older-than 'ADK: delete sessions (and their events) last updated before this'
            cand --adk-events-keep 'ADK: keep the newest N events of each session'
            cand --batch-size 'Threads, sessions or rows per transaction'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --dry-run 'Count what each policy would delete, per table; commit nothing'
            cand --yes 'Delete without asking (required in production when stdin is not a terminal)'
            cand --vacuum 'SQLite: VACUUM afterwards to give the freed space back to the file system (needs exclusive access and free disk of the file''s size)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;copy'= {
            cand --from 'The database to read (never written)'
            cand --to 'The database to write: created and migrated when needed; must not hold the rows'
            cand --tenant 'Copy only this tenant''s rows (repeatable); the target may hold other tenants'
            cand --include 'What to copy, comma-separated'
            cand --lock-timeout 'Seconds to wait for a migrate running on the target before giving up (exit 1)'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;backup'= {
            cand --include 'What to copy from a PostgreSQL source, comma-separated'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;help'= {
            cand migrate 'Apply pending migrations in one transaction, under a lock safe for many pods'
            cand rollback 'Revert the last applied migrations (refused in production without --yes)'
            cand status 'List every migration: applied (with time), pending, or unknown to this binary'
            cand init-tenant 'Create the tenant and its default thread (idempotent)'
            cand import-configs 'Import JSON files (tokens, credentials) into a tenant''s configs, all or nothing'
            cand stats 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
            cand health 'Check connectivity, schema state and backend health (readiness probe)'
            cand completions 'Print the shell completion script'
            cand prune 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
            cand copy 'Copy a platform''s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
            cand backup 'Write a new SQLite file (mode 0600) with the database''s data; restore with `copy`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;help;migrate'= {
        }
        &'agentdb;help;rollback'= {
        }
        &'agentdb;help;status'= {
        }
        &'agentdb;help;init-tenant'= {
        }
        &'agentdb;help;import-configs'= {
        }
        &'agentdb;help;stats'= {
        }
        &'agentdb;help;health'= {
        }
        &'agentdb;help;completions'= {
        }
        &'agentdb;help;prune'= {
        }
        &'agentdb;help;copy'= {
        }
        &'agentdb;help;backup'= {
        }
        &'agentdb;help;help'= {
        }
    ]
    $completions[$command]
}
