
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand wait 'Wait until the database answers a query (init containers, CI); exit 1 on timeout'
            cand database 'Create, drop or reset (drop, create, migrate) the database itself'
            cand tenants 'List tenants (id, name, status, API key prefix, configs), or show one'
            cand configs 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
            cand completions 'Print the shell completion script'
            cand prune 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
            cand erase 'Erase one user''s, thread''s or tenant''s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --dry-run 'List what would be applied; change nothing'
            cand --sql 'With --dry-run: print the exact SQL migrate would run (a script to review or apply)'
            cand --create 'Create the database first if it does not exist (as `agentdb database create`)'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --check 'Exit 3 when any migration is pending or unknown'
            cand --verify 'Compare the live schema of agentdb''s tables with what the applied migrations define; list every difference, exit 3 on drift'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -r 'Include sub-folders of directories'
            cand --recursive 'Include sub-folders of directories'
            cand --dry-run 'Validate and report what would change; write nothing'
            cand --force 'Import even when the tenant holds encrypted values the configured keys cannot decrypt (the tenant is then under mixed keys; `configs rotate-keys` is the way out)'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
        &'agentdb;wait'= {
            cand --timeout 'Seconds to keep trying before giving up (exit 1)'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;database'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
            cand drop 'Drop the database (asks on a terminal; --yes in production and from scripts)'
            cand reset 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;database;create'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;database;drop'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --yes 'Confirm without asking (required in production and when stdin is not a terminal)'
            cand --force 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;database;reset'= {
            cand --lock-timeout 'Seconds the migrate step waits for the schema lock'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --yes 'Confirm without asking (required in production and when stdin is not a terminal)'
            cand --force 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;database;help'= {
            cand create 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
            cand drop 'Drop the database (asks on a terminal; --yes in production and from scripts)'
            cand reset 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;database;help;create'= {
        }
        &'agentdb;database;help;drop'= {
        }
        &'agentdb;database;help;reset'= {
        }
        &'agentdb;database;help;help'= {
        }
        &'agentdb;tenants'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'Every tenant: id, name, status, API key prefix, config count, created'
            cand show 'One tenant in detail, with counts of its configs, agents and threads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;tenants;list'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;tenants;show'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;tenants;help'= {
            cand list 'Every tenant: id, name, status, API key prefix, config count, created'
            cand show 'One tenant in detail, with counts of its configs, agents and threads'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;tenants;help;list'= {
        }
        &'agentdb;tenants;help;show'= {
        }
        &'agentdb;tenants;help;help'= {
        }
        &'agentdb;configs'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated'
            cand get 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)'
            cand export 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
            cand delete 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
            cand rotate-keys 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;configs;list'= {
            cand --tenant 'Tenant [env: DEFAULT_TENANT_ID] [default: default]'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;configs;get'= {
            cand --tenant 'Tenant [env: DEFAULT_TENANT_ID] [default: default]'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --reveal 'Print the secret value even when stdout is a terminal'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;configs;export'= {
            cand --tenant 'Tenant [env: DEFAULT_TENANT_ID] [default: default]'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --force 'Replace files that already exist'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;configs;delete'= {
            cand --tenant 'Tenant [env: DEFAULT_TENANT_ID] [default: default]'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --yes 'Confirm a destructive command where ENV/APP_ENV=production'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;configs;rotate-keys'= {
            cand --tenant 'Only this tenant [default: every tenant]'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --encrypt-plaintext 'Also encrypt values stored unencrypted'
            cand --dry-run 'Count what would change; write nothing'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;configs;help'= {
            cand list 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated'
            cand get 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)'
            cand export 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
            cand delete 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
            cand rotate-keys 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;configs;help;list'= {
        }
        &'agentdb;configs;help;get'= {
        }
        &'agentdb;configs;help;export'= {
        }
        &'agentdb;configs;help;delete'= {
        }
        &'agentdb;configs;help;rotate-keys'= {
        }
        &'agentdb;configs;help;help'= {
        }
        &'agentdb;completions'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --batch-size 'At most this many threads, sessions or rows per transaction; fewer when a transaction would take over about 50 ms'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --store-expired 'LangGraph Store: delete the items whose TTL has passed (what the library''s sweeper does), with their vectors'
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
        &'agentdb;erase'= {
            cand --user 'A user: ADK sessions, events, user state and memory in every app; LangGraph and agentdb threads whose metadata carries --metadata-key = ID'
            cand --thread 'A thread: agentdb''s thread (messages, runs) and LangGraph''s thread of that id (every namespace); with --tenant, agentdb''s thread in that tenant'
            cand --tenant 'A tenant and everything agentdb holds for it, and the LangGraph threads of its threads; with --thread, only the tenant of that thread'
            cand --store-namespace 'LangGraph Store items in this namespace (dot-separated labels) and below, with their vectors; repeatable'
            cand --metadata-key 'With --user: the checkpoint and thread metadata key holding the user''s id (default user_id)'
            cand --include 'Only these stores, comma-separated (default: every store present)'
            cand --recheck 'After this many seconds, look again and erase what came back (late writers)'
            cand --receipt 'Write the report as a receipt to this new file (mode 0600, written whole)'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --dry-run 'Count what a run would delete, per store and table; commit nothing'
            cand --yes 'Erase without asking (required in production when stdin is not a terminal)'
            cand --purge 'Make the bytes unrecoverable where the backend allows: SQLite secure_delete, WAL checkpoint and VACUUM; PostgreSQL VACUUM of the touched tables'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Print more on stderr (the database chosen and why, timings)'
            cand --verbose 'Print more on stderr (the database chosen and why, timings)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'agentdb;copy'= {
            cand --from 'The database to read (never written)'
            cand --to 'The database to write: created and migrated when needed; must not hold the rows'
            cand --tenant 'Copy only this tenant''s rows (repeatable); the target may hold other tenants'
            cand --include 'What to copy, comma-separated'
            cand --lock-timeout 'Seconds to wait for a migrate running on the target before giving up (exit 1)'
            cand --layout 'Read another platform''s own tables into agentdb''s agents, threads and messages of one --tenant (created when missing); the mapping is in docs/legacy-layouts.md'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
            cand --skip-orphans 'With --layout: leave out messages whose thread, and conversations whose agent, is missing (and count them) instead of refusing the copy'
            cand --dry-run 'With --layout: check the source and read and map every row, report what would be copied; write nothing and do not open the target'
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
            cand --wait 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand wait 'Wait until the database answers a query (init containers, CI); exit 1 on timeout'
            cand database 'Create, drop or reset (drop, create, migrate) the database itself'
            cand tenants 'List tenants (id, name, status, API key prefix, configs), or show one'
            cand configs 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
            cand completions 'Print the shell completion script'
            cand prune 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
            cand erase 'Erase one user''s, thread''s or tenant''s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt'
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
        &'agentdb;help;wait'= {
        }
        &'agentdb;help;database'= {
            cand create 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
            cand drop 'Drop the database (asks on a terminal; --yes in production and from scripts)'
            cand reset 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
        }
        &'agentdb;help;database;create'= {
        }
        &'agentdb;help;database;drop'= {
        }
        &'agentdb;help;database;reset'= {
        }
        &'agentdb;help;tenants'= {
            cand list 'Every tenant: id, name, status, API key prefix, config count, created'
            cand show 'One tenant in detail, with counts of its configs, agents and threads'
        }
        &'agentdb;help;tenants;list'= {
        }
        &'agentdb;help;tenants;show'= {
        }
        &'agentdb;help;configs'= {
            cand list 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated'
            cand get 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)'
            cand export 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
            cand delete 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
            cand rotate-keys 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
        }
        &'agentdb;help;configs;list'= {
        }
        &'agentdb;help;configs;get'= {
        }
        &'agentdb;help;configs;export'= {
        }
        &'agentdb;help;configs;delete'= {
        }
        &'agentdb;help;configs;rotate-keys'= {
        }
        &'agentdb;help;completions'= {
        }
        &'agentdb;help;prune'= {
        }
        &'agentdb;help;erase'= {
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
