/** supabase-js clients for tests, as an app would make them (Node 20 needs the `ws` package for realtime). */
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import ws from 'ws';

type Transport = NonNullable<NonNullable<Parameters<typeof createClient>[2]>['realtime']>['transport'];

export function supabaseClient(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    // ws's types differ from realtime-js's WebSocketLike in event typings only; realtime-js documents passing it.
    realtime: { transport: ws as unknown as Transport },
  });
}
