
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'agentdb' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'agentdb'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'agentdb' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending migrations in one transaction, under a lock safe for many pods')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Revert the last applied migrations (refused in production without --yes)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List every migration: applied (with time), pending, or unknown to this binary')
            [CompletionResult]::new('init-tenant', 'init-tenant', [CompletionResultType]::ParameterValue, 'Create the tenant and its default thread (idempotent)')
            [CompletionResult]::new('import-configs', 'import-configs', [CompletionResultType]::ParameterValue, 'Import JSON files (tokens, credentials) into a tenant''s configs, all or nothing')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check connectivity, schema state and backend health (readiness probe)')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until the database answers a query (init containers, CI); exit 1 on timeout')
            [CompletionResult]::new('database', 'database', [CompletionResultType]::ParameterValue, 'Create, drop or reset (drop, create, migrate) the database itself')
            [CompletionResult]::new('tenants', 'tenants', [CompletionResultType]::ParameterValue, 'List tenants (id, name, status, API key prefix, configs), or show one')
            [CompletionResult]::new('configs', 'configs', [CompletionResultType]::ParameterValue, 'List, read, export, delete and re-encrypt tenant configs (values are secrets)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase one user''s, thread''s or tenant''s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a platform''s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a new SQLite file (mode 0600) with the database''s data; restore with `copy`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;migrate' {
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another migrate to finish before giving up (exit 1)')
            [CompletionResult]::new('--backup', '--backup', [CompletionResultType]::ParameterName, 'Before applying anything, back up the database to a new SQLite file (default: a timestamped file next to the SQLite database, or in the working directory); a failed backup means no migration')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List what would be applied; change nothing')
            [CompletionResult]::new('--sql', '--sql', [CompletionResultType]::ParameterName, 'With --dry-run: print the exact SQL migrate would run (a script to review or apply)')
            [CompletionResult]::new('--create', '--create', [CompletionResultType]::ParameterName, 'Create the database first if it does not exist (as `agentdb database create`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;rollback' {
            [CompletionResult]::new('--steps', '--steps', [CompletionResultType]::ParameterName, 'How many applied migrations to revert, newest first')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for another migrate or rollback to finish before giving up (exit 1)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm a destructive command where ENV/APP_ENV=production')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'List what would be reverted; change nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;status' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit 3 when any migration is pending or unknown')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Compare the live schema of agentdb''s tables with what the applied migrations define; list every difference, exit 3 on drift')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;init-tenant' {
            [CompletionResult]::new('--tenant-id', '--tenant-id', [CompletionResultType]::ParameterName, 'Tenant id [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Display name [default: the tenant id]')
            [CompletionResult]::new('--api-key', '--api-key', [CompletionResultType]::ParameterName, 'API key to store (only its hash is kept) [env: DEFAULT_TENANT_API_KEY]')
            [CompletionResult]::new('--thread-id', '--thread-id', [CompletionResultType]::ParameterName, 'Id of the tenant''s default thread')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--generate-api-key', '--generate-api-key', [CompletionResultType]::ParameterName, 'Generate a strong random API key and print it once')
            [CompletionResult]::new('--rotate-api-key', '--rotate-api-key', [CompletionResultType]::ParameterName, 'Replace the API key of an existing tenant')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;import-configs' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant to import into [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('--on-conflict', '--on-conflict', [CompletionResultType]::ParameterName, 'What to do when a key already exists with other content')
            [CompletionResult]::new('--max-size', '--max-size', [CompletionResultType]::ParameterName, 'Largest accepted file, in bytes')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'Include sub-folders of directories')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Include sub-folders of directories')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Validate and report what would change; write nothing')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Import even when the tenant holds encrypted values the configured keys cannot decrypt (the tenant is then under mixed keys; `configs rotate-keys` is the way out)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;stats' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Count only this tenant''s data')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--by-tenant', '--by-tenant', [CompletionResultType]::ParameterName, 'One row per tenant')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;health' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds the whole check may take')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--require-migrated', '--require-migrated', [CompletionResultType]::ParameterName, 'Exit 3 when migrations are pending')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;wait' {
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to keep trying before giving up (exit 1)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;database' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Drop the database (asks on a terminal; --yes in production and from scripts)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;database;create' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;database;drop' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (required in production and when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;database;reset' {
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds the migrate step waits for the schema lock')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm without asking (required in production and when stdin is not a terminal)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'PostgreSQL: end the sessions using the database (DROP DATABASE ... WITH (FORCE))')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;database;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Drop the database (asks on a terminal; --yes in production and from scripts)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;database;help;create' {
            break
        }
        'agentdb;database;help;drop' {
            break
        }
        'agentdb;database;help;reset' {
            break
        }
        'agentdb;database;help;help' {
            break
        }
        'agentdb;tenants' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every tenant: id, name, status, API key prefix, config count, created')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One tenant in detail, with counts of its configs, agents and threads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;tenants;list' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;tenants;show' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;tenants;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every tenant: id, name, status, API key prefix, config count, created')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One tenant in detail, with counts of its configs, agents and threads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;tenants;help;list' {
            break
        }
        'agentdb;tenants;help;show' {
            break
        }
        'agentdb;tenants;help;help' {
            break
        }
        'agentdb;configs' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete one config (refused without --yes where ENV/APP_ENV=production)')
            [CompletionResult]::new('rotate-keys', 'rotate-keys', [CompletionResultType]::ParameterValue, 'Re-encrypt every encrypted value with the first key, one transaction per tenant')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;configs;list' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;configs;get' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--reveal', '--reveal', [CompletionResultType]::ParameterName, 'Print the secret value even when stdout is a terminal')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;configs;export' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace files that already exist')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;configs;delete' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Tenant [env: DEFAULT_TENANT_ID] [default: default]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Confirm a destructive command where ENV/APP_ENV=production')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;configs;rotate-keys' {
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant [default: every tenant]')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--encrypt-plaintext', '--encrypt-plaintext', [CompletionResultType]::ParameterName, 'Also encrypt values stored unencrypted')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Count what would change; write nothing')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;configs;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete one config (refused without --yes where ENV/APP_ENV=production)')
            [CompletionResult]::new('rotate-keys', 'rotate-keys', [CompletionResultType]::ParameterValue, 'Re-encrypt every encrypted value with the first key, one transaction per tenant')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;configs;help;list' {
            break
        }
        'agentdb;configs;help;get' {
            break
        }
        'agentdb;configs;help;export' {
            break
        }
        'agentdb;configs;help;delete' {
            break
        }
        'agentdb;configs;help;rotate-keys' {
            break
        }
        'agentdb;configs;help;help' {
            break
        }
        'agentdb;completions' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;prune' {
            [CompletionResult]::new('--threads-older-than', '--threads-older-than', [CompletionResultType]::ParameterName, 'agentdb threads whose last activity (updated or last message) is older; with their messages and runs')
            [CompletionResult]::new('--threads-status', '--threads-status', [CompletionResultType]::ParameterName, 'agentdb threads in this status (and older than --threads-older-than, if given)')
            [CompletionResult]::new('--runs-older-than', '--runs-older-than', [CompletionResultType]::ParameterName, 'Finished agentdb runs (succeeded, failed, cancelled) older than this')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Only this tenant''s threads and runs (LangGraph and ADK tables have no tenant)')
            [CompletionResult]::new('--checkpoints-keep', '--checkpoints-keep', [CompletionResultType]::ParameterName, 'LangGraph: keep the newest N checkpoints per (thread, namespace)')
            [CompletionResult]::new('--checkpoint-threads-older-than', '--checkpoint-threads-older-than', [CompletionResultType]::ParameterName, 'LangGraph: delete whole threads whose newest checkpoint is older than this')
            [CompletionResult]::new('--adk-sessions-older-than', '--adk-sessions-older-than', [CompletionResultType]::ParameterName, 'ADK: delete sessions (and their events) last updated before this')
            [CompletionResult]::new('--adk-events-keep', '--adk-events-keep', [CompletionResultType]::ParameterName, 'ADK: keep the newest N events of each session')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'At most this many threads, sessions or rows per transaction; fewer when a transaction would take over about 50 ms')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--store-expired', '--store-expired', [CompletionResultType]::ParameterName, 'LangGraph Store: delete the items whose TTL has passed (what the library''s sweeper does), with their vectors')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Count what each policy would delete, per table; commit nothing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Delete without asking (required in production when stdin is not a terminal)')
            [CompletionResult]::new('--vacuum', '--vacuum', [CompletionResultType]::ParameterName, 'SQLite: VACUUM afterwards to give the freed space back to the file system (needs exclusive access and free disk of the file''s size)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;erase' {
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'A user: ADK sessions, events, user state and memory in every app; LangGraph and agentdb threads whose metadata carries --metadata-key = ID')
            [CompletionResult]::new('--thread', '--thread', [CompletionResultType]::ParameterName, 'A thread: agentdb''s thread (messages, runs) and LangGraph''s thread of that id (every namespace); with --tenant, agentdb''s thread in that tenant')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'A tenant and everything agentdb holds for it, and the LangGraph threads of its threads; with --thread, only the tenant of that thread')
            [CompletionResult]::new('--store-namespace', '--store-namespace', [CompletionResultType]::ParameterName, 'LangGraph Store items in this namespace (dot-separated labels) and below, with their vectors; repeatable')
            [CompletionResult]::new('--metadata-key', '--metadata-key', [CompletionResultType]::ParameterName, 'With --user: the checkpoint and thread metadata key holding the user''s id (default user_id)')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'Only these stores, comma-separated (default: every store present)')
            [CompletionResult]::new('--recheck', '--recheck', [CompletionResultType]::ParameterName, 'After this many seconds, look again and erase what came back (late writers)')
            [CompletionResult]::new('--receipt', '--receipt', [CompletionResultType]::ParameterName, 'Write the report as a receipt to this new file (mode 0600, written whole)')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Count what a run would delete, per store and table; commit nothing')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Erase without asking (required in production when stdin is not a terminal)')
            [CompletionResult]::new('--purge', '--purge', [CompletionResultType]::ParameterName, 'Make the bytes unrecoverable where the backend allows: SQLite secure_delete, WAL checkpoint and VACUUM; PostgreSQL VACUUM of the touched tables')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;copy' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The database to read (never written)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The database to write: created and migrated when needed; must not hold the rows')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Copy only this tenant''s rows (repeatable); the target may hold other tenants')
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'What to copy, comma-separated')
            [CompletionResult]::new('--lock-timeout', '--lock-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for a migrate running on the target before giving up (exit 1)')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'Read another platform''s own tables into agentdb''s agents, threads and messages of one --tenant (created when missing); the mapping is in docs/legacy-layouts.md')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('--skip-orphans', '--skip-orphans', [CompletionResultType]::ParameterName, 'With --layout: leave out messages whose thread, and conversations whose agent, is missing (and count them) instead of refusing the copy')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'With --layout: check the source and read and map every row, report what would be copied; write nothing and do not open the target')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;backup' {
            [CompletionResult]::new('--include', '--include', [CompletionResultType]::ParameterName, 'What to copy from a PostgreSQL source, comma-separated')
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--database-url', '--database-url', [CompletionResultType]::ParameterName, 'Database URL (postgres://…, sqlite:///path.db, or a file path); password shown as ***')
            [CompletionResult]::new('--env-file', '--env-file', [CompletionResultType]::ParameterName, 'Read environment variables from this file instead of ./.env')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format on stdout [env: AGENTDB_FORMAT] [default: table]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Before the command, wait up to SECS for the database to answer (see `agentdb wait`)')
            [CompletionResult]::new('--config-keys-file', '--config-keys-file', [CompletionResultType]::ParameterName, 'Fernet keys for config values, comma- or line-separated (first encrypts, all decrypt); wins over AGENTDB_CONFIG_KEYS')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more on stderr (the database chosen and why, timings)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'agentdb;help' {
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Apply pending migrations in one transaction, under a lock safe for many pods')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Revert the last applied migrations (refused in production without --yes)')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'List every migration: applied (with time), pending, or unknown to this binary')
            [CompletionResult]::new('init-tenant', 'init-tenant', [CompletionResultType]::ParameterValue, 'Create the tenant and its default thread (idempotent)')
            [CompletionResult]::new('import-configs', 'import-configs', [CompletionResultType]::ParameterValue, 'Import JSON files (tokens, credentials) into a tenant''s configs, all or nothing')
            [CompletionResult]::new('stats', 'stats', [CompletionResultType]::ParameterValue, 'Count tenants, configs, agents, threads, messages, runs and LangGraph/ADK data')
            [CompletionResult]::new('health', 'health', [CompletionResultType]::ParameterValue, 'Check connectivity, schema state and backend health (readiness probe)')
            [CompletionResult]::new('wait', 'wait', [CompletionResultType]::ParameterValue, 'Wait until the database answers a query (init containers, CI); exit 1 on timeout')
            [CompletionResult]::new('database', 'database', [CompletionResultType]::ParameterValue, 'Create, drop or reset (drop, create, migrate) the database itself')
            [CompletionResult]::new('tenants', 'tenants', [CompletionResultType]::ParameterValue, 'List tenants (id, name, status, API key prefix, configs), or show one')
            [CompletionResult]::new('configs', 'configs', [CompletionResultType]::ParameterValue, 'List, read, export, delete and re-encrypt tenant configs (values are secrets)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print the shell completion script')
            [CompletionResult]::new('prune', 'prune', [CompletionResultType]::ParameterValue, 'Delete old data by retention policy: agentdb threads and runs, LangGraph checkpoints, ADK sessions and events; safe beside the running platform')
            [CompletionResult]::new('erase', 'erase', [CompletionResultType]::ParameterValue, 'Erase one user''s, thread''s or tenant''s data (or LangGraph Store namespaces) from every store in the database, in one transaction, with a receipt')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy a platform''s data to another database (any direction between SQLite and PostgreSQL), in one transaction on the target, verified by row counts and digests')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Write a new SQLite file (mode 0600) with the database''s data; restore with `copy`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'agentdb;help;migrate' {
            break
        }
        'agentdb;help;rollback' {
            break
        }
        'agentdb;help;status' {
            break
        }
        'agentdb;help;init-tenant' {
            break
        }
        'agentdb;help;import-configs' {
            break
        }
        'agentdb;help;stats' {
            break
        }
        'agentdb;help;health' {
            break
        }
        'agentdb;help;wait' {
            break
        }
        'agentdb;help;database' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the database (PostgreSQL: CREATE DATABASE; SQLite: the file); exists: exit 0')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Drop the database (asks on a terminal; --yes in production and from scripts)')
            [CompletionResult]::new('reset', 'reset', [CompletionResultType]::ParameterValue, 'Drop, create and migrate the database (asks on a terminal; --yes in production and from scripts)')
            break
        }
        'agentdb;help;database;create' {
            break
        }
        'agentdb;help;database;drop' {
            break
        }
        'agentdb;help;database;reset' {
            break
        }
        'agentdb;help;tenants' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'Every tenant: id, name, status, API key prefix, config count, created')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'One tenant in detail, with counts of its configs, agents and threads')
            break
        }
        'agentdb;help;tenants;list' {
            break
        }
        'agentdb;help;tenants;show' {
            break
        }
        'agentdb;help;configs' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'A tenant''s configs without their values: key, source file, size, hash, encrypted, updated')
            [CompletionResult]::new('get', 'get', [CompletionResultType]::ParameterValue, 'Print one config''s JSON value on stdout, decrypted (not to a terminal without --reveal)')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Write a tenant''s configs to DIR/<key>.json (files 0600, new folders 0700), decrypted')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete one config (refused without --yes where ENV/APP_ENV=production)')
            [CompletionResult]::new('rotate-keys', 'rotate-keys', [CompletionResultType]::ParameterValue, 'Re-encrypt every encrypted value with the first key, one transaction per tenant')
            break
        }
        'agentdb;help;configs;list' {
            break
        }
        'agentdb;help;configs;get' {
            break
        }
        'agentdb;help;configs;export' {
            break
        }
        'agentdb;help;configs;delete' {
            break
        }
        'agentdb;help;configs;rotate-keys' {
            break
        }
        'agentdb;help;completions' {
            break
        }
        'agentdb;help;prune' {
            break
        }
        'agentdb;help;erase' {
            break
        }
        'agentdb;help;copy' {
            break
        }
        'agentdb;help;backup' {
            break
        }
        'agentdb;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
