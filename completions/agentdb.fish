# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_agentdb_global_optspecs
    string join \n d/database-url= env-file= format= q/quiet v/verbose wait= config-keys-file= h/help V/version
end

function __fish_agentdb_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_agentdb_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_agentdb_using_subcommand
    set -l cmd (__fish_agentdb_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c agentdb -n "__fish_agentdb_needs_command" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_needs_command" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_needs_command" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_needs_command" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_needs_command" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_needs_command" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_needs_command" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_needs_command" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_needs_command" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "migrate" -d 'Apply pending migrations in one transaction, under a lock safe for many pods'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "rollback" -d 'Revert the last applied migrations (refused in production without --yes)'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "status" -d 'List every migration: applied (with time), pending, or unknown to this binary'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "init-tenant" -d 'Create the tenant and its default thread (idempotent)'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "import-configs" -d 'Import JSON files (tokens, credentials) into a tenant\'s configs, all or nothing'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "stats" -d 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "health" -d 'Check connectivity, schema state and backend health (readiness probe)'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "wait" -d 'Wait until the database answers a query (init containers, CI); exit 1 on timeout'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "database" -d 'Create, drop or reset (drop, create, migrate) the database itself'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "tenants" -d 'List tenants (id, name, status, API key prefix, configs), or show one'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "configs" -d 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "completions" -d 'Print the shell completion script'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "prune" -d 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "erase" -d 'Erase one user\'s, thread\'s or tenant\'s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "copy" -d 'Copy a platform\'s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "backup" -d 'Write a new SQLite file (mode 0600) with the database\'s data; restore with `copy`'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l lock-timeout -d 'Seconds to wait for another migrate to finish before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l backup -d 'Before applying anything, back up the database to a new SQLite file (default: a timestamped file next to the SQLite database, or in the working directory); a failed backup means no migration' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l dry-run -d 'List what would be applied; change nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l sql -d 'With --dry-run: print the exact SQL migrate would run (a script to review or apply)'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l create -d 'Create the database first if it does not exist (as `agentdb database create`)'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l steps -d 'How many applied migrations to revert, newest first' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l lock-timeout -d 'Seconds to wait for another migrate or rollback to finish before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l yes -d 'Confirm a destructive command where ENV/APP_ENV=production'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -l dry-run -d 'List what would be reverted; change nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l check -d 'Exit 3 when any migration is pending or unknown'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l verify -d 'Compare the live schema of agentdb\'s tables with what the applied migrations define; list every difference, exit 3 on drift'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l tenant-id -d 'Tenant id [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l name -d 'Display name [default: the tenant id]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l api-key -d 'API key to store (only its hash is kept) [env: DEFAULT_TENANT_API_KEY]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l thread-id -d 'Id of the tenant\'s default thread' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l generate-api-key -d 'Generate a strong random API key and print it once'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -l rotate-api-key -d 'Replace the API key of an existing tenant'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand init-tenant" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l tenant -d 'Tenant to import into [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l on-conflict -d 'What to do when a key already exists with other content' -r -f -a "replace\t'Overwrite the existing value'
skip\t'Keep the existing value'
fail\t'Abort the whole import'"
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l max-size -d 'Largest accepted file, in bytes' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s r -l recursive -d 'Include sub-folders of directories'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l dry-run -d 'Validate and report what would change; write nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l force -d 'Import even when the tenant holds encrypted values the configured keys cannot decrypt (the tenant is then under mixed keys; `configs rotate-keys` is the way out)'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l tenant -d 'Count only this tenant\'s data' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l by-tenant -d 'One row per tenant'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l timeout -d 'Seconds the whole check may take' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l require-migrated -d 'Exit 3 when migrations are pending'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -l timeout -d 'Seconds to keep trying before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand wait" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -f -a "create" -d 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -f -a "drop" -d 'Drop the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -f -a "reset" -d 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and not __fish_seen_subcommand_from create drop reset help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l yes -d 'Confirm without asking (required in production and when stdin is not a terminal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -l force -d 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from drop" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l lock-timeout -d 'Seconds the migrate step waits for the schema lock' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l yes -d 'Confirm without asking (required in production and when stdin is not a terminal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -l force -d 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from reset" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from help" -f -a "drop" -d 'Drop the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from help" -f -a "reset" -d 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand database; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -f -a "list" -d 'Every tenant: id, name, status, API key prefix, config count, created'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -f -a "show" -d 'One tenant in detail, with counts of its configs, agents and threads'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and not __fish_seen_subcommand_from list show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "list" -d 'Every tenant: id, name, status, API key prefix, config count, created'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "show" -d 'One tenant in detail, with counts of its configs, agents and threads'
complete -c agentdb -n "__fish_agentdb_using_subcommand tenants; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "list" -d 'A tenant\'s configs without their values: key, source file, size, hash, encrypted, updated'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "get" -d 'Print one config\'s JSON value on stdout, decrypted (not to a terminal without --reveal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "export" -d 'Write a tenant\'s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "delete" -d 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "rotate-keys" -d 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and not __fish_seen_subcommand_from list get export delete rotate-keys help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -l tenant -d 'Tenant [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l tenant -d 'Tenant [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -l reveal -d 'Print the secret value even when stdout is a terminal'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from get" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l tenant -d 'Tenant [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -l force -d 'Replace files that already exist'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from export" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l tenant -d 'Tenant [env: DEFAULT_TENANT_ID] [default: default]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -l yes -d 'Confirm a destructive command where ENV/APP_ENV=production'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l tenant -d 'Only this tenant [default: every tenant]' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l encrypt-plaintext -d 'Also encrypt values stored unencrypted'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -l dry-run -d 'Count what would change; write nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from rotate-keys" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "list" -d 'A tenant\'s configs without their values: key, source file, size, hash, encrypted, updated'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "get" -d 'Print one config\'s JSON value on stdout, decrypted (not to a terminal without --reveal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "export" -d 'Write a tenant\'s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "rotate-keys" -d 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
complete -c agentdb -n "__fish_agentdb_using_subcommand configs; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l threads-older-than -d 'agentdb threads whose last activity (updated or last message) is older; with their messages and runs' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l threads-status -d 'agentdb threads in this status (and older than --threads-older-than, if given)' -r -f -a "deleted\t''
archived\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l runs-older-than -d 'Finished agentdb runs (succeeded, failed, cancelled) older than this' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l tenant -d 'Only this tenant\'s threads and runs (LangGraph and ADK tables have no tenant)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l checkpoints-keep -d 'LangGraph: keep the newest N checkpoints per (thread, namespace)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l checkpoint-threads-older-than -d 'LangGraph: delete whole threads whose newest checkpoint is older than this' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l adk-sessions-older-than -d 'ADK: delete sessions (and their events) last updated before this' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l adk-events-keep -d 'ADK: keep the newest N events of each session' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l batch-size -d 'At most this many threads, sessions or rows per transaction; fewer when a transaction would take over about 50 ms' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l store-expired -d 'LangGraph Store: delete the items whose TTL has passed (what the library\'s sweeper does), with their vectors'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l dry-run -d 'Count what each policy would delete, per table; commit nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l yes -d 'Delete without asking (required in production when stdin is not a terminal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l vacuum -d 'SQLite: VACUUM afterwards to give the freed space back to the file system (needs exclusive access and free disk of the file\'s size)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l user -d 'A user: ADK sessions, events, user state and memory in every app; LangGraph and agentdb threads whose metadata carries --metadata-key = ID' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l thread -d 'A thread: agentdb\'s thread (messages, runs) and LangGraph\'s thread of that id (every namespace); with --tenant, agentdb\'s thread in that tenant' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l tenant -d 'A tenant and everything agentdb holds for it, and the LangGraph threads of its threads; with --thread, only the tenant of that thread' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l store-namespace -d 'LangGraph Store items in this namespace (dot-separated labels) and below, with their vectors; repeatable' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l metadata-key -d 'With --user: the checkpoint and thread metadata key holding the user\'s id (default user_id)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l include -d 'Only these stores, comma-separated (default: every store present)' -r -f -a "agentdb\t'agentdb\'s tenants, configs, agents, threads, messages, runs'
langgraph\t'LangGraph\'s checkpoint savers (checkpoints, blobs, writes)'
store\t'LangGraph\'s Store (store, store_vectors)'
adk\t'Google ADK\'s sessions, events, user state and SQLite memory'"
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l recheck -d 'After this many seconds, look again and erase what came back (late writers)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l receipt -d 'Write the report as a receipt to this new file (mode 0600, written whole)' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l dry-run -d 'Count what a run would delete, per store and table; commit nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l yes -d 'Erase without asking (required in production when stdin is not a terminal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -l purge -d 'Make the bytes unrecoverable where the backend allows: SQLite secure_delete, WAL checkpoint and VACUUM; PostgreSQL VACUUM of the touched tables'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand erase" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l from -d 'The database to read (never written)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l to -d 'The database to write: created and migrated when needed; must not hold the rows' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l tenant -d 'Copy only this tenant\'s rows (repeatable); the target may hold other tenants' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l include -d 'What to copy, comma-separated' -r -f -a "agentdb\t'agentdb\'s own tables (tenants, configs, agents, threads, messages, runs)'
adk\t'Google ADK\'s session tables (schema "1")'
langgraph\t'LangGraph\'s checkpoint tables'"
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l lock-timeout -d 'Seconds to wait for a migrate running on the target before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l layout -d 'Read another platform\'s own tables into agentdb\'s agents, threads and messages of one --tenant (created when missing); the mapping is in docs/legacy-layouts.md' -r -f -a "agentkit\t'agentkit\'s threads and messages (SQLite or PostgreSQL)'
adk-integration\t'The Google ADK integration\'s new_agent, new_conversations and new_messages'"
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l skip-orphans -d 'With --layout: leave out messages whose thread, and conversations whose agent, is missing (and count them) instead of refusing the copy'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l dry-run -d 'With --layout: check the source and read and map every row, report what would be copied; write nothing and do not open the target'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -l include -d 'What to copy from a PostgreSQL source, comma-separated' -r -f -a "agentdb\t'agentdb\'s own tables (tenants, configs, agents, threads, messages, runs)'
adk\t'Google ADK\'s session tables (schema "1")'
langgraph\t'LangGraph\'s checkpoint tables'"
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -l wait -d 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -l config-keys-file -d 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "migrate" -d 'Apply pending migrations in one transaction, under a lock safe for many pods'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "rollback" -d 'Revert the last applied migrations (refused in production without --yes)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "status" -d 'List every migration: applied (with time), pending, or unknown to this binary'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "init-tenant" -d 'Create the tenant and its default thread (idempotent)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "import-configs" -d 'Import JSON files (tokens, credentials) into a tenant\'s configs, all or nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "stats" -d 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "health" -d 'Check connectivity, schema state and backend health (readiness probe)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "wait" -d 'Wait until the database answers a query (init containers, CI); exit 1 on timeout'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "database" -d 'Create, drop or reset (drop, create, migrate) the database itself'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "tenants" -d 'List tenants (id, name, status, API key prefix, configs), or show one'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "configs" -d 'List, read, export, delete and re-encrypt tenant configs (values are secrets)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "completions" -d 'Print the shell completion script'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "prune" -d 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "erase" -d 'Erase one user\'s, thread\'s or tenant\'s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "copy" -d 'Copy a platform\'s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "backup" -d 'Write a new SQLite file (mode 0600) with the database\'s data; restore with `copy`'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health wait database tenants configs completions prune erase copy backup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from database" -f -a "create" -d 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from database" -f -a "drop" -d 'Drop the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from database" -f -a "reset" -d 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from tenants" -f -a "list" -d 'Every tenant: id, name, status, API key prefix, config count, created'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from tenants" -f -a "show" -d 'One tenant in detail, with counts of its configs, agents and threads'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from configs" -f -a "list" -d 'A tenant\'s configs without their values: key, source file, size, hash, encrypted, updated'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from configs" -f -a "get" -d 'Print one config\'s JSON value on stdout, decrypted (not to a terminal without --reveal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from configs" -f -a "export" -d 'Write a tenant\'s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from configs" -f -a "delete" -d 'Delete one config (refused without --yes where ENV/APP_ENV=production)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and __fish_seen_subcommand_from configs" -f -a "rotate-keys" -d 'Re-encrypt every encrypted value with the first key, one transaction per tenant'
