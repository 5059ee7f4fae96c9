// InnoDB FULLTEXT as a user would set it up for Chinese text: MariaDB's parser splits words at spaces and
// punctuation only (a run of Chinese is one "word", so a Chinese query finds nothing), and MariaDB has no
// ngram or MeCab parser. So the bench gives InnoDB what our index holds: each bio's `ik` index-mode tokens
// joined by spaces, in a side table employees.bio_seg(emp_no PRIMARY KEY, seg) with a FULLTEXT index on seg.
// The server runs with innodb_ft_min_token_size=1 so one- and two-character Chinese words are indexed.
import { Readable } from 'node:stream';
import type { Pool } from 'mysql2/promise';
import type { Analyzer } from '../src/engine/analysis/analyzer.js';
import { createEmployeeGenerator } from '../test/support/index.js';

export const SEGMENTED_TABLE = 'employees.bio_seg';

/** Fills bio_seg with the first `rows` generated bios (NULL bios left out), then builds its FULLTEXT index. */
export async function loadSegmentedBios(pool: Pool, ik: Analyzer, rows: number): Promise<{ loadSeconds: number; indexSeconds: number }> {
  const gen = createEmployeeGenerator();
  const conn = await pool.getConnection();
  try {
    await conn.query(`DROP TABLE IF EXISTS ${SEGMENTED_TABLE}`);
    await conn.query(`CREATE TABLE ${SEGMENTED_TABLE} (emp_no INT NOT NULL PRIMARY KEY, seg MEDIUMTEXT NOT NULL) CHARACTER SET utf8mb4`);
    const t0 = performance.now();
    function* chunks(): Generator<Buffer> {
      const batch = 2000;
      for (let start = 0; start < rows; start += batch) {
        let text = '';
        for (let i = start; i < Math.min(rows, start + batch); i++) {
          const r = gen.row(i);
          // Tokens hold no ASCII whitespace or punctuation (analyzer.ts), so no TSV escaping is needed.
          if (r.bio !== null) text += `${r.emp_no}\t${ik.indexText(r.bio)}\n`;
        }
        yield Buffer.from(text, 'utf8');
      }
    }
    await conn.query({
      sql: `LOAD DATA LOCAL INFILE 'bio_seg.tsv' INTO TABLE ${SEGMENTED_TABLE} CHARACTER SET utf8mb4 (emp_no, seg)`,
      infileStreamFactory: () => Readable.from(chunks()),
    });
    const t1 = performance.now();
    await conn.query(`ALTER TABLE ${SEGMENTED_TABLE} ADD FULLTEXT INDEX ft_seg (seg)`);
    return { loadSeconds: (t1 - t0) / 1000, indexSeconds: (performance.now() - t1) / 1000 };
  } finally {
    conn.release();
  }
}
