import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitSql } from '../../supabase/db/sql-split.ts';

test('splits on top-level semicolons and reports each statement\'s first line', () => {
  const sql = 'create table a (id int);\n\n-- note; not a statement\ninsert into a values (1);\n  select 1';
  assert.deepEqual(splitSql(sql), [
    { text: 'create table a (id int)', line: 1 },
    { text: '-- note; not a statement\ninsert into a values (1)', line: 3 },
    { text: 'select 1', line: 5 },
  ]);
});

test('semicolons inside strings, identifiers, comments and dollar quotes do not split', () => {
  const sql = [
    "select 'a;b', E'it\\'s;', \"we;ird\";",
    '/* block; /* nested; */ still */ select 2;',
    'create function f() returns int language plpgsql as $body$ begin return 1; end $body$;',
    'do $$ begin perform 1; end $$;',
    "select 'it''s; fine';",
  ].join('\n');
  const out = splitSql(sql);
  assert.equal(out.length, 5);
  assert.deepEqual(out.map((s) => s.line), [1, 2, 3, 4, 5]);
  assert.equal(out[2]!.text, 'create function f() returns int language plpgsql as $body$ begin return 1; end $body$');
});

test('SQL-standard BEGIN ATOMIC bodies stay one statement, CASE … END included', () => {
  const sql = [
    'create function g(x int) returns text language sql',
    'begin atomic',
    "  select case when x > 0 then 'pos' else 'neg' end;",
    '  select 1;',
    'end;',
    'select 3;',
  ].join('\n');
  const out = splitSql(sql);
  assert.deepEqual(out.map((s) => s.line), [1, 6]);
  assert.match(out[0]!.text, /end$/);
});

test('comment-only and empty input yields no statements; a missing final semicolon is fine', () => {
  assert.deepEqual(splitSql(''), []);
  assert.deepEqual(splitSql('-- only a comment\n/* and another */\n;;'), []);
  assert.deepEqual(splitSql('select $1::int'), [{ text: 'select $1::int', line: 1 }]);
});

test('line numbers count newlines inside strings and dollar quotes before the statement', () => {
  const sql = "select 'line\nbreak';\ndo $$\nbegin\nend $$;\nselect 9;";
  assert.deepEqual(splitSql(sql).map((s) => s.line), [1, 3, 6]);
});
