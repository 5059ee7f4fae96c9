/*
** tsrank(fts, w0, w1, ...): FTS5's bm25() with the row lengths read from memory.
**
** An SQLite extension, loaded by the searcher into each reader connection of a generation file
** (src/engine/store/rank-extension.ts). It registers the FTS5 auxiliary function tsrank, which takes the
** same arguments as the built-in bm25() and returns the same double, bit for bit: the same constants
** (k1 = 1.2, b = 0.75), idf = ln((N - nHit + 0.5) / (nHit + 0.5)) floored at 1e-6, avgdl = tokens / rows,
** and the same order of floating-point operations (store/bm25.ts reproduces it in JavaScript as well).
**
** Why: bm25() reads each hit's length (fts_docsize) through a statement per row, about half of what ranking a
** term with 30k hits costs on 1M rows. Lucene keeps those lengths (norms) in memory; so does this function,
** for queries with enough hits to be worth it (LOAD_HITS):
**   - a connection's first such query reads every row's length from fts_docsize into an array indexed by rid;
**   - the change writer appends every rid whose full-text row it changes to norm_log(seq, rid)
**     (engine/store/norm-log.ts). When the file's data_version moves, the connection re-reads the lengths of
**     the rids logged since the last seq it saw; if the log was trimmed past that seq it reads them all again.
** The lengths are read inside the statement's read transaction, so they are those of the snapshot the query
** sees. A rid without a length in memory (a row added after the last read, or a query run before the array
** is loaded) falls back to FTS5's own xColumnSize.
**
** Table names are the generation layout's (store/layout.ts): fts, fts_docsize, norm_log.
*/
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1

/* A query whose phrases have at least this many hits in all loads the lengths (a rare term does not pay
** for reading 1M lengths). */
#define LOAD_HITS 2000
/* Lengths are held as 16-bit counts (2 bytes a row); a longer row, or one past MAX_RIDS, is looked up. */
#define NO_LENGTH UINT16_MAX
#define MAX_RIDS ((sqlite3_int64)1 << 27)

typedef struct Norms {
  sqlite3 *db;
  uint16_t *len;      /* len[rid]: the row's tokens in all columns, NO_LENGTH if unknown */
  sqlite3_int64 cap;  /* entries in len */
  int loaded;         /* len holds every row's length as of dataVersion / logSeq */
  unsigned int dataVersion;
  sqlite3_int64 logSeq; /* the highest norm_log seq reflected in len */
  sqlite3_stmt *one;    /* SELECT sz FROM fts_docsize WHERE id = ? */
  sqlite3_stmt *since;  /* SELECT seq, rid FROM norm_log WHERE seq > ? ORDER BY seq */
} Norms;

/* Per-query data, as bm25() keeps it: idf per phrase, avgdl, the per-row frequency scratch array. */
typedef struct Query {
  int nPhrase;
  double avgdl;
  double *idf;
  double *freq;
  int useNorms;
} Query;

/* Sum of the SQLite varints in a fts_docsize blob (one per column). */
static sqlite3_int64 sumVarints(const unsigned char *p, int n) {
  sqlite3_int64 total = 0;
  int i = 0;
  while (i < n) {
    sqlite3_uint64 v = 0;
    int k;
    for (k = 0; k < 9 && i < n; k++) {
      unsigned char c = p[i++];
      if (k == 8) { v = (v << 8) | c; break; }
      v = (v << 7) | (c & 0x7f);
      if ((c & 0x80) == 0) break;
    }
    total += (sqlite3_int64)v;
  }
  return total;
}

/* Makes len[rid] addressable; 0 when rid is past MAX_RIDS (its length is then looked up). */
static int grow(Norms *n, sqlite3_int64 rid) {
  sqlite3_int64 cap, i;
  uint16_t *p;
  if (rid < n->cap) return SQLITE_OK;
  if (rid >= MAX_RIDS) return SQLITE_OK;
  cap = n->cap ? n->cap : 1024;
  while (cap <= rid) cap *= 2;
  p = (uint16_t *)sqlite3_realloc64(n->len, (sqlite3_uint64)cap * sizeof(uint16_t));
  if (p == 0) return SQLITE_NOMEM;
  for (i = n->cap; i < cap; i++) p[i] = NO_LENGTH;
  n->len = p;
  n->cap = cap;
  return SQLITE_OK;
}

/* Holds a row's length (or marks it unknown: too long for 16 bits, or no row). */
static int hold(Norms *n, sqlite3_int64 rid, sqlite3_int64 tokens) {
  int rc = grow(n, rid);
  if (rc == SQLITE_OK && rid < n->cap) n->len[rid] = (tokens >= 0 && tokens < NO_LENGTH) ? (uint16_t)tokens : NO_LENGTH;
  return rc;
}

static void forget(Norms *n) {
  sqlite3_free(n->len);
  n->len = 0;
  n->cap = 0;
  n->loaded = 0;
}

static sqlite3_int64 maxLogSeq(sqlite3 *db) {
  sqlite3_stmt *st = 0;
  sqlite3_int64 seq = 0;
  if (sqlite3_prepare_v2(db, "SELECT max(seq) FROM norm_log", -1, &st, 0) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    seq = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return seq;
}

/* Every row's length, and the log position they reflect. */
static int loadAll(Norms *n) {
  sqlite3_stmt *st = 0;
  int rc;
  forget(n);
  n->logSeq = maxLogSeq(n->db);
  rc = sqlite3_prepare_v2(n->db, "SELECT id, sz FROM fts_docsize", -1, &st, 0);
  while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
    sqlite3_int64 rid = sqlite3_column_int64(st, 0);
    if (rid < 0) continue;
    rc = hold(n, rid, sumVarints((const unsigned char *)sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1)));
  }
  if (rc == SQLITE_OK) rc = sqlite3_finalize(st);
  else sqlite3_finalize(st);
  if (rc == SQLITE_OK) n->loaded = 1;
  else forget(n);
  return rc;
}

/* The length of one row now (-1 when it has none). */
static int readOne(Norms *n, sqlite3_int64 rid, sqlite3_int64 *out) {
  int rc = SQLITE_OK;
  if (n->one == 0) rc = sqlite3_prepare_v3(n->db, "SELECT sz FROM fts_docsize WHERE id = ?", -1, SQLITE_PREPARE_PERSISTENT, &n->one, 0);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_int64(n->one, 1, rid);
  *out = -1;
  if (sqlite3_step(n->one) == SQLITE_ROW)
    *out = sumVarints((const unsigned char *)sqlite3_column_blob(n->one, 0), sqlite3_column_bytes(n->one, 0));
  return sqlite3_reset(n->one);
}

/* Brings a loaded array up to the snapshot the current statement reads. Log seqs are contiguous (the writer
** appends max + 1 and trims only the oldest), so a first entry past logSeq + 1 means the log was trimmed past
** what this connection saw. */
static int refresh(Norms *n) {
  unsigned int version = 0;
  int rc = SQLITE_OK, first = 1;
  if (sqlite3_file_control(n->db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK) return loadAll(n);
  if (n->loaded && version == n->dataVersion) return SQLITE_OK;
  n->dataVersion = version;
  if (!n->loaded) return loadAll(n);
  if (n->since == 0 && sqlite3_prepare_v3(n->db, "SELECT seq, rid FROM norm_log WHERE seq > ? ORDER BY seq", -1, SQLITE_PREPARE_PERSISTENT, &n->since, 0) != SQLITE_OK) {
    n->since = 0;
    return SQLITE_OK; /* no log (a file no writer of this version opened): nothing changed since the lengths were read */
  }
  sqlite3_bind_int64(n->since, 1, n->logSeq);
  while (rc == SQLITE_OK && sqlite3_step(n->since) == SQLITE_ROW) {
    sqlite3_int64 seq = sqlite3_column_int64(n->since, 0);
    sqlite3_int64 rid = sqlite3_column_int64(n->since, 1);
    sqlite3_int64 len;
    if (first && seq != n->logSeq + 1) {
      sqlite3_reset(n->since);
      return loadAll(n);
    }
    first = 0;
    if (rid < 0) continue;
    rc = readOne(n, rid, &len);
    if (rc == SQLITE_OK) rc = hold(n, rid, len);
    if (rc == SQLITE_OK) n->logSeq = seq;
  }
  sqlite3_reset(n->since);
  if (rc != SQLITE_OK) forget(n);
  return rc;
}

static int countHit(const Fts5ExtensionApi *api, Fts5Context *fts, void *user) {
  (void)api;
  (void)fts;
  (*(sqlite3_int64 *)user)++;
  return SQLITE_OK;
}

static int queryData(const Fts5ExtensionApi *api, Fts5Context *fts, Norms *norms, Query **out) {
  Query *q = (Query *)api->xGetAuxdata(fts, 0);
  sqlite3_int64 rows = 0, tokens = 0, allHits = 0;
  int rc = SQLITE_OK, i, nPhrase;
  if (q) {
    *out = q;
    return SQLITE_OK;
  }
  nPhrase = api->xPhraseCount(fts);
  q = (Query *)sqlite3_malloc64(sizeof(Query) + (sqlite3_uint64)nPhrase * 2 * sizeof(double));
  if (q == 0) return SQLITE_NOMEM;
  memset(q, 0, sizeof(Query));
  q->nPhrase = nPhrase;
  q->idf = (double *)&q[1];
  q->freq = &q->idf[nPhrase];
  rc = api->xRowCount(fts, &rows);
  if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
  if (rc == SQLITE_OK) q->avgdl = (double)tokens / (double)rows;
  for (i = 0; rc == SQLITE_OK && i < nPhrase; i++) {
    sqlite3_int64 hits = 0;
    rc = api->xQueryPhrase(fts, i, (void *)&hits, countHit);
    if (rc == SQLITE_OK) {
      double idf = log((rows - hits + 0.5) / (hits + 0.5));
      if (idf <= 0.0) idf = 1e-6;
      q->idf[i] = idf;
      allHits += hits;
    }
  }
  /* Fewer hits: FTS5's own lookups cost less than a look at the log after a commit. */
  if (rc == SQLITE_OK && allHits >= LOAD_HITS) {
    /* Lengths that cannot be brought up to date are dropped: this query looks them up. */
    if (refresh(norms) != SQLITE_OK) forget(norms);
    q->useNorms = norms->loaded;
  }
  if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, q, sqlite3_free);
  else sqlite3_free(q);
  if (rc == SQLITE_OK) *out = q;
  return rc;
}

static void tsrank(const Fts5ExtensionApi *api, Fts5Context *fts, sqlite3_context *ctx, int nVal, sqlite3_value **apVal) {
  const double k1 = 1.2;
  const double b = 0.75;
  Norms *norms = (Norms *)api->xUserData(fts);
  Query *q = 0;
  double score = 0.0;
  double D = 0.0;
  int nInst = 0, i;
  int rc = queryData(api, fts, norms, &q);
  if (rc == SQLITE_OK) {
    memset(q->freq, 0, sizeof(double) * q->nPhrase);
    rc = api->xInstCount(fts, &nInst);
  }
  for (i = 0; rc == SQLITE_OK && i < nInst; i++) {
    int ip, ic, io;
    rc = api->xInst(fts, i, &ip, &ic, &io);
    if (rc == SQLITE_OK) q->freq[ip] += (nVal > ic) ? sqlite3_value_double(apVal[ic]) : 1.0;
  }
  if (rc == SQLITE_OK) {
    sqlite3_int64 rid = api->xRowid(fts);
    if (q->useNorms && rid >= 0 && rid < norms->cap && norms->len[rid] != NO_LENGTH) {
      D = (double)norms->len[rid];
    } else {
      int nTok = 0;
      rc = api->xColumnSize(fts, -1, &nTok);
      D = (double)nTok;
    }
  }
  if (rc == SQLITE_OK) {
    for (i = 0; i < q->nPhrase; i++) {
      score += q->idf[i] * ((q->freq[i] * (k1 + 1.0)) / (q->freq[i] + k1 * (1 - b + b * D / q->avgdl)));
    }
    sqlite3_result_double(ctx, -1.0 * score);
  } else {
    sqlite3_result_error_code(ctx, rc);
  }
}

static void destroyNorms(void *p) {
  Norms *n = (Norms *)p;
  if (n->one) sqlite3_finalize(n->one);
  if (n->since) sqlite3_finalize(n->since);
  sqlite3_free(n->len);
  sqlite3_free(n);
}

/* tsrank_norms(): rows whose length is held in memory, -1 before the first load (for tests and the status). */
static void normsFunction(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  Norms *n = (Norms *)sqlite3_user_data(ctx);
  sqlite3_int64 i, held = 0;
  (void)argc;
  (void)argv;
  if (!n->loaded) {
    sqlite3_result_int64(ctx, -1);
    return;
  }
  for (i = 0; i < n->cap; i++) held += n->len[i] != NO_LENGTH;
  sqlite3_result_int64(ctx, held);
}

static fts5_api *fts5Of(sqlite3 *db) {
  fts5_api *api = 0;
  sqlite3_stmt *st = 0;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &st, 0) == SQLITE_OK) {
    sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", 0);
    sqlite3_step(st);
  }
  sqlite3_finalize(st);
  return api;
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_tsrank_init(sqlite3 *db, char **err, const sqlite3_api_routines *routines) {
  fts5_api *fts5;
  Norms *norms;
  int rc;
  SQLITE_EXTENSION_INIT2(routines);
  fts5 = fts5Of(db);
  if (fts5 == 0 || fts5->iVersion < 2) {
    *err = sqlite3_mprintf("tsrank: this SQLite has no FTS5 API version 2");
    return SQLITE_ERROR;
  }
  norms = (Norms *)sqlite3_malloc(sizeof(Norms));
  if (norms == 0) return SQLITE_NOMEM;
  memset(norms, 0, sizeof(Norms));
  norms->db = db;
  rc = fts5->xCreateFunction(fts5, "tsrank", (void *)norms, tsrank, destroyNorms);
  if (rc != SQLITE_OK) {
    destroyNorms(norms);
    return rc;
  }
  /* Owned by FTS5 from here (destroyNorms runs when the connection closes). */
  return sqlite3_create_function(db, "tsrank_norms", 0, SQLITE_UTF8, (void *)norms, normsFunction, 0, 0);
}
