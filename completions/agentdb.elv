
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
            cand tenants 'List tenants (id, name, status, API key prefix, configs), or show one'
            cand configs 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
            cand completions 'Print the shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'agentdb;migrate'= {
            cand --lock-timeout 'Seconds to wait for another migrate to finish before giving up (exit 1)'
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
            cand --config-keys-file 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS'
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
        &'agentdb;tenants'= {
            cand -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --database-url 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***'
            cand --env-file 'Read environment variables from this file instead of ./.env'
            cand --format 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]'
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
        &'agentdb;help'= {
            cand migrate 'Apply pending migrations in one transaction, under a lock safe for many pods'
            cand rollback 'Revert the last applied migrations (refused in production without --yes)'
            cand status 'List every migration: applied (with time), pending, or unknown to this binary'
            cand init-tenant 'Create the tenant and its default thread (idempotent)'
            cand import-configs 'Import JSON files (tokens, credentials) into a tenant''s configs, all or nothing'
            cand stats 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
            cand health 'Check connectivity, schema state and backend health (readiness probe)'
            cand tenants 'List tenants (id, name, status, API key prefix, configs), or show one'
            cand configs 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
            cand completions 'Print the shell completion script'
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
        &'agentdb;help;help'= {
        }
    ]
    $completions[$command]
}
