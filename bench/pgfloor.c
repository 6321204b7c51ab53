/* The PostgreSQL floor for the benchmarks: connect with libpq, run one SQL string (default
 * `select 1`, or a file's contents), exit. Nothing a client could do with less. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: pgfloor CONNINFO [SQLFILE]\n");
        return 2;
    }
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "%s", PQerrorMessage(conn));
        return 1;
    }
    const char *sql = "select 1";
    char *buf = NULL;
    if (argc > 2) {
        FILE *f = fopen(argv[2], "rb");
        if (!f) { perror(argv[2]); return 1; }
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        rewind(f);
        buf = malloc(n + 1);
        if (fread(buf, 1, n, f) != (size_t)n) { perror(argv[2]); return 1; }
        buf[n] = 0;
        fclose(f);
        sql = buf;
    }
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s", PQerrorMessage(conn));
        return 1;
    }
    PQclear(res);
    PQfinish(conn);
    free(buf);
    return 0;
}
