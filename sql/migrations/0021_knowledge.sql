/**
 * Knowledge: the documents an AI agent answers from, split into chunks that `search_knowledge` ranks by
 * a hybrid of full-text rank and trigram similarity (no pgvector here). Admins manage documents; every
 * member reads documents and chunks. Chunks are written only by the trigger that splits a document.
 *
 * Errors: 22023 (400) a bad argument to search_knowledge (k out of range).
 */

create table public.knowledge_documents (
  id uuid not null default extensions.gen_random_uuid(),
  /** May be omitted on insert: taken from the agent. */
  workspace_id uuid not null,
  agent_id uuid not null,
  title text not null,
  /** The text the agent answers from. NULL only for a url document whose page has not been fetched yet. */
  content text,
  /** text: free text; faq: question/answer pairs, one pair per paragraph; url: a web page (source_url), fetched by the worker into content. */
  doc_type text not null default 'text',
  source_url text,
  /**
   * pending: a url document waiting for its content; ready: chunked and searchable; failed: fetching
   * the url failed (error_message says why); disabled: kept but left out of search. Set by the trigger
   * from the content, except that writing 'disabled' (or, by the worker, 'failed') sticks.
   */
  status text not null default 'pending',
  error_message text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint knowledge_documents_pkey primary key (id),
  constraint knowledge_documents_workspace_id_agent_id_id_key unique (workspace_id, agent_id, id),
  constraint knowledge_documents_agent_fkey foreign key (workspace_id, agent_id) references public.ai_agents (workspace_id, id) on delete cascade,
  constraint knowledge_documents_doc_type_check check (doc_type in ('text', 'faq', 'url')),
  constraint knowledge_documents_status_check check (status in ('pending', 'ready', 'failed', 'disabled')),
  constraint knowledge_documents_title_length check (char_length(title) between 1 and 200),
  constraint knowledge_documents_content_length check (char_length(content) <= 500000),
  constraint knowledge_documents_content_needed check (doc_type = 'url' or content is not null),
  constraint knowledge_documents_source_url_check check (source_url ~ '^https?://[^\s]+$'),
  constraint knowledge_documents_url_needs_source check (doc_type <> 'url' or source_url is not null),
  constraint knowledge_documents_error_message_length check (char_length(error_message) <= 1000)
);
comment on table public.knowledge_documents is 'Documents an AI agent answers from (text, FAQ, web page); split into knowledge_chunks.';

-- Serves the agent foreign key and "an agent's documents".
create index knowledge_documents_workspace_agent_idx on public.knowledge_documents (workspace_id, agent_id);

/**
 * A piece of a document of about 800 characters, the unit search_knowledge ranks and the AI worker puts
 * in its prompt. `search` is the English full-text vector (stemmed, so "deliveries" finds "delivery");
 * misspellings and other languages are caught by the trigram index on content.
 */
create table public.knowledge_chunks (
  id uuid not null default extensions.gen_random_uuid(),
  workspace_id uuid not null,
  agent_id uuid not null,
  document_id uuid not null,
  /** 1, 2, … in document order. */
  ordinal integer not null,
  content text not null,
  search tsvector generated always as (to_tsvector('english', content)) stored,
  created_at timestamptz not null default now(),
  constraint knowledge_chunks_pkey primary key (id),
  constraint knowledge_chunks_document_id_ordinal_key unique (document_id, ordinal),
  constraint knowledge_chunks_document_fkey foreign key (workspace_id, agent_id, document_id)
    references public.knowledge_documents (workspace_id, agent_id, id) on delete cascade,
  constraint knowledge_chunks_ordinal_check check (ordinal >= 1),
  constraint knowledge_chunks_content_length check (char_length(content) between 1 and 2000)
);
comment on table public.knowledge_chunks is 'Searchable pieces of knowledge documents, made by a trigger; read-only through the API.';

-- An agent's chunks (search scopes by workspace and agent) and the document foreign key.
create index knowledge_chunks_workspace_agent_document_idx on public.knowledge_chunks (workspace_id, agent_id, document_id);
create index knowledge_chunks_search_idx on public.knowledge_chunks using gin (search);
create index knowledge_chunks_content_trgm_idx on public.knowledge_chunks using gin (content extensions.gin_trgm_ops);

/**
 * Splits text into chunks of about `target` characters, paragraph-aware:
 *   1. paragraphs are the text between blank lines (an FAQ pair stays whole);
 *   2. a paragraph longer than `target` is cut into sentences, and a sentence longer than `target`
 *      into runs of whole words (a single word longer than `target` is cut hard);
 *   3. pieces are packed greedily while the chunk stays within `target`, joined by a blank line across
 *      paragraphs and a space within one;
 *   4. when a chunk ends inside a paragraph, the next one starts with the last words (at most
 *      `overlap` characters) of it, so a sentence cut from its context keeps some. Across a
 *      paragraph break there is no overlap. A chunk is at most target + overlap + 1 characters.
 */
create function private.chunk_text(body text, target integer default 800, overlap integer default 100)
returns table (ordinal integer, content text)
language plpgsql
immutable
strict
set search_path = ''
as $$
declare
  para text;
  sentence text;
  head text;
  tail text;
  cut integer;
  pieces text[] := '{}';
  starts_paragraph boolean[] := '{}';
  first_of_paragraph boolean;
  chunk text := '';
  sep text;
  n integer := 0;
  i integer;
begin
  foreach para in array regexp_split_to_array(replace(body, E'\r\n', E'\n'), E'\\n[ \\t]*\\n') loop
    para := btrim(para, E' \t\n\r');
    continue when para = '';
    if char_length(para) <= target then
      pieces := pieces || para;
      starts_paragraph := starts_paragraph || true;
      continue;
    end if;
    first_of_paragraph := true;
    foreach sentence in array regexp_split_to_array(para, E'(?<=[.!?])\\s+') loop
      while char_length(sentence) > target loop
        -- The longest run of whole words that fits; a hard cut when that would be under half the target.
        head := substring(left(sentence, target + 1) from E'^(.*)\\s');
        cut := case when head is null or char_length(head) < target / 2 then target else char_length(head) end;
        pieces := pieces || btrim(left(sentence, cut));
        starts_paragraph := starts_paragraph || first_of_paragraph;
        first_of_paragraph := false;
        sentence := btrim(substr(sentence, cut + 1));
      end loop;
      continue when sentence = '';
      pieces := pieces || sentence;
      starts_paragraph := starts_paragraph || first_of_paragraph;
      first_of_paragraph := false;
    end loop;
  end loop;

  for i in 1 .. coalesce(array_length(pieces, 1), 0) loop
    sep := case when starts_paragraph[i] then E'\n\n' else ' ' end;
    if chunk = '' then
      chunk := pieces[i];
    elsif char_length(chunk) + char_length(sep) + char_length(pieces[i]) <= target then
      chunk := chunk || sep || pieces[i];
    else
      n := n + 1;
      ordinal := n;
      content := chunk;
      return next;
      tail := '';
      if not starts_paragraph[i] and overlap > 0 then
        -- The last words of the chunk, at most `overlap` characters, starting after a space.
        tail := coalesce(substring(right(chunk, overlap + 1) from E'\\s(.*)$'), '');
      end if;
      chunk := case when tail = '' then pieces[i] else tail || ' ' || pieces[i] end;
    end if;
  end loop;
  if chunk <> '' then
    n := n + 1;
    ordinal := n;
    content := chunk;
    return next;
  end if;
end
$$;

/** Fills workspace_id from the agent when omitted, and keeps status in step with the content. */
create function private.prepare_knowledge_document() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.workspace_id is null then
    -- As the caller: an agent they cannot see leaves it NULL (a not-null error, not a leak).
    select a.workspace_id into new.workspace_id from public.ai_agents a where a.id = new.agent_id;
  end if;
  if new.status <> 'disabled' then
    new.status := case
      when coalesce(btrim(new.content), '') <> '' then 'ready'
      when new.status = 'failed' then 'failed'
      else 'pending'
    end;
  end if;
  if new.status <> 'failed' then
    new.error_message := null;
  end if;
  return new;
end
$$;

/** Replaces the document's chunks with those of its new content (in the same transaction as the write). */
create function private.rechunk_knowledge_document() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'UPDATE' then
    delete from public.knowledge_chunks c where c.document_id = old.id;
  end if;
  insert into public.knowledge_chunks (workspace_id, agent_id, document_id, ordinal, content)
  select new.workspace_id, new.agent_id, new.id, t.ordinal, t.content
  from private.chunk_text(coalesce(new.content, '')) t;
  return null;
end
$$;

create trigger knowledge_documents_prepare before insert or update on public.knowledge_documents
  for each row execute function private.prepare_knowledge_document();
create trigger knowledge_documents_set_updated_at before update on public.knowledge_documents
  for each row execute function private.set_updated_at();
create trigger knowledge_documents_chunk_on_insert after insert on public.knowledge_documents
  for each row execute function private.rechunk_knowledge_document();
create trigger knowledge_documents_chunk_on_update after update of content on public.knowledge_documents
  for each row when (old.content is distinct from new.content)
  execute function private.rechunk_knowledge_document();

revoke execute on function
  private.chunk_text(text, integer, integer),
  private.prepare_knowledge_document(),
  private.rechunk_knowledge_document()
  from public;

-- A document stays with its agent; error_message is the url fetcher's; chunks are the trigger's.
revoke insert, update on public.knowledge_documents from anon, authenticated;
grant insert (id, workspace_id, agent_id, title, content, doc_type, source_url, status) on public.knowledge_documents to authenticated;
grant update (title, content, doc_type, source_url, status) on public.knowledge_documents to authenticated;
revoke insert, update, delete on public.knowledge_chunks from anon, authenticated;

create policy "Members can read their workspace's knowledge documents" on public.knowledge_documents
  for select to authenticated
  using ((select private.is_workspace_member(workspace_id)));

create policy "Admins can add knowledge documents" on public.knowledge_documents
  for insert to authenticated
  with check ((select private.has_workspace_role(workspace_id, 'admin')));

create policy "Admins can update knowledge documents" on public.knowledge_documents
  for update to authenticated
  using ((select private.has_workspace_role(workspace_id, 'admin')))
  with check ((select private.has_workspace_role(workspace_id, 'admin')));

create policy "Admins can delete knowledge documents" on public.knowledge_documents
  for delete to authenticated
  using ((select private.has_workspace_role(workspace_id, 'admin')));

create policy "Members can read their workspace's knowledge chunks" on public.knowledge_chunks
  for select to authenticated
  using ((select private.is_workspace_member(workspace_id)));

/**
 * The `k` chunks of the agent's searchable documents (status 'ready') that best answer `query`, best
 * first. A chunk is a candidate when it shares a stemmed word with the query (GIN on `search`) or
 * contains a stretch similar to it (word_similarity ≥ 0.3, GIN trigram on `content`). Each candidate
 * scores, from 0 to about 1:
 *
 *   score = 0.5 · ts_rank_cd(search, websearch_to_tsquery(query), 32)   -- every word / "phrase" present, densely
 *         + 0.2 · ts_rank_cd(search, <any word of the query>, 32)       -- some of the words present
 *         + 0.3 · word_similarity(query, content)                       -- typos, partial words, other languages
 *
 * (every lexeme weighs 1, so one dense match ranks 1 before normalization; normalization 32 maps a rank r
 * to r / (r + 1), so both full-text terms stay below 1: one match 0.5, two 0.67, …). The full
 * websearch query is strict (all words must be there, "-word" excludes), which suits a keyword search
 * box; customers' questions rarely contain every word of the answer, hence the any-word term.
 * pg_trgm's `similarity` compares whole strings and is near zero for a short query against an
 * 800-character chunk, so we use `word_similarity`, which scores the best-matching stretch of the chunk.
 *
 * Security invoker: the caller's RLS decides what is searched, so an agent of another workspace
 * returns nothing, and the AI worker (service_role) searches any agent.
 */
create function public.search_knowledge(agent_id uuid, query text, k integer default 5)
returns table (
  chunk_id uuid,
  document_id uuid,
  document_title text,
  ordinal integer,
  content text,
  score double precision,
  text_rank double precision,
  trigram_similarity double precision
)
language plpgsql
stable
set search_path = ''
set pg_trgm.word_similarity_threshold = 0.3
as $$
declare
  q text := btrim(coalesce(search_knowledge.query, ''));
  ws uuid;
  all_words tsquery;
  any_word tsquery;
begin
  if search_knowledge.k is null or search_knowledge.k not between 1 and 50 then
    raise exception 'k must be between 1 and 50' using errcode = '22023';
  end if;
  select a.workspace_id into ws from public.ai_agents a where a.id = search_knowledge.agent_id;
  if ws is null or q = '' then
    return;
  end if;
  -- The query's stemmed words OR-ed together, each quoted as a tsquery lexeme (they are already normalized).
  -- Both queries stay NULL when the text has nothing but stop words (an empty tsquery makes Postgres print
  -- a notice on every use); the trigram term still works then.
  select string_agg('''' || replace(w, '''', '''''') || '''', ' | ')::tsquery into any_word
  from unnest(tsvector_to_array(to_tsvector('english', q))) w;
  if any_word is not null then
    all_words := websearch_to_tsquery('english', q);
  end if;

  return query
  select c.id, c.document_id, d.title, c.ordinal, c.content,
    0.5 * s.full_rank + 0.2 * s.any_rank + 0.3 * s.trigram,
    s.full_rank, s.trigram
  from public.knowledge_chunks c
  join public.knowledge_documents d on d.id = c.document_id and d.status = 'ready'
  cross join lateral (
    select
      coalesce(ts_rank_cd('{1, 1, 1, 1}', c.search, all_words, 32), 0)::double precision as full_rank,
      coalesce(ts_rank_cd('{1, 1, 1, 1}', c.search, any_word, 32), 0)::double precision as any_rank,
      extensions.word_similarity(q, c.content)::double precision as trigram
  ) s
  where c.workspace_id = ws
    and c.agent_id = search_knowledge.agent_id
    and (c.search @@ any_word or q operator(extensions.<%) c.content)
  order by 6 desc, c.document_id, c.ordinal
  limit search_knowledge.k;
end
$$;

revoke execute on function public.search_knowledge(uuid, text, integer) from public;
grant execute on function public.search_knowledge(uuid, text, integer) to authenticated, service_role;
