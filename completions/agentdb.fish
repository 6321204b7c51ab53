# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_agentdb_global_optspecs
    string join \n d/database-url= env-file= format= q/quiet v/verbose h/help V/version
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
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "completions" -d 'Print the shell completion script'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "prune" -d 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "copy" -d 'Copy a platform\'s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "backup" -d 'Write a new SQLite file (mode 0600) with the database\'s data; restore with `copy`'
complete -c agentdb -n "__fish_agentdb_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l lock-timeout -d 'Seconds to wait for another migrate to finish before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l backup -d 'Before applying anything, back up the database to a new SQLite file (default: a timestamped file next to the SQLite database, or in the working directory); a failed backup means no migration' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand migrate" -l dry-run -d 'List what would be applied; change nothing'
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
complete -c agentdb -n "__fish_agentdb_using_subcommand status" -l check -d 'Exit 3 when any migration is pending or unknown'
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
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s r -l recursive -d 'Include sub-folders of directories'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -l dry-run -d 'Validate and report what would change; write nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand import-configs" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l tenant -d 'Count only this tenant\'s data' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand stats" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
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
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -l require-migrated -d 'Exit 3 when migrations are pending'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand health" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand completions" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
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
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l batch-size -d 'Threads, sessions or rows per transaction' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l dry-run -d 'Count what each policy would delete, per table; commit nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l yes -d 'Delete without asking (required in production when stdin is not a terminal)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -l vacuum -d 'SQLite: VACUUM afterwards to give the freed space back to the file system (needs exclusive access and free disk of the file\'s size)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s h -l help -d 'Print help'
complete -c agentdb -n "__fish_agentdb_using_subcommand prune" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l from -d 'The database to read (never written)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l to -d 'The database to write: created and migrated when needed; must not hold the rows' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l tenant -d 'Copy only this tenant\'s rows (repeatable); the target may hold other tenants' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l include -d 'What to copy, comma-separated' -r -f -a "agentdb\t'agentdb\'s own tables (tenants, configs, agents, threads, messages, runs)'
adk\t'Google ADK\'s session tables (schema "1")'
langgraph\t'LangGraph\'s checkpoint tables'"
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l lock-timeout -d 'Seconds to wait for a migrate running on the target before giving up (exit 1)' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -s d -l database-url -d 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***' -r
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l env-file -d 'Read environment variables from this file instead of ./.env' -r -F
complete -c agentdb -n "__fish_agentdb_using_subcommand copy" -l format -d 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]' -r -f -a "table\t''
json\t''"
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
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s v -l verbose -d 'Print more on stderr (the database chosen and why, timings)'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c agentdb -n "__fish_agentdb_using_subcommand backup" -s V -l version -d 'Print version'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "migrate" -d 'Apply pending migrations in one transaction, under a lock safe for many pods'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "rollback" -d 'Revert the last applied migrations (refused in production without --yes)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "status" -d 'List every migration: applied (with time), pending, or unknown to this binary'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "init-tenant" -d 'Create the tenant and its default thread (idempotent)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "import-configs" -d 'Import JSON files (tokens, credentials) into a tenant\'s configs, all or nothing'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "stats" -d 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "health" -d 'Check connectivity, schema state and backend health (readiness probe)'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "completions" -d 'Print the shell completion script'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "prune" -d 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "copy" -d 'Copy a platform\'s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "backup" -d 'Write a new SQLite file (mode 0600) with the database\'s data; restore with `copy`'
complete -c agentdb -n "__fish_agentdb_using_subcommand help; and not __fish_seen_subcommand_from migrate rollback status init-tenant import-configs stats health completions prune copy backup help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
